/* Lockout: escalation, the daily cap, forgetting. */
#include <time.h>

#include "check.h"
#include "sspr/auth/ratelimit.h"
#include "sspr/common/config.h"
#include "sspr/common/store.h"

#define T0 ((time_t)1700000000)
#define DAY 86400

static struct sspr_cfg cfg;

/* Count failures at now until one locks; how many it took. */
static unsigned
fail_until_locked(struct sspr_record *rec, time_t now, unsigned most)
{
	unsigned n;

	for (n = 1; n <= most; n++)
		if (sspr_count_failure(&cfg, rec, now))
			return n;
	return 0;
}

static void
test_first_lockout(void)
{
	struct sspr_record rec = { 0 };

	CHECK(fail_until_locked(&rec, T0, 100) == 5);
	CHECK(rec.locked_until == T0 + 900);
	CHECK(sspr_is_locked(&rec, T0 + 899));
	CHECK(!sspr_is_locked(&rec, T0 + 900));
}

/* Each lockout in a row lasts twice as long, at most a day. */
static void
test_escalation(void)
{
	struct sspr_record rec = { 0 };
	time_t now = T0;
	time_t last = 0;
	unsigned i;

	cfg.max_failures_per_day = 1000;
	for (i = 0; i < 12; i++) {
		time_t length;

		CHECK(fail_until_locked(&rec, now, 100) == 5);
		length = rec.locked_until - now;
		if (i == 0)
			CHECK(length == 900);
		else if (last < DAY)
			CHECK(length == (last * 2 < DAY ? last * 2 : DAY));
		else
			CHECK(length == DAY);
		last = length;
		now = rec.locked_until;
	}
	CHECK(last == DAY);
	cfg.max_failures_per_day = 10;
}

/* A lockout longer than a day is the admin's choice: kept, not doubled. */
static void
test_long_lockout(void)
{
	struct sspr_record rec = { 0 };

	cfg.lockout = 2 * DAY;
	CHECK(fail_until_locked(&rec, T0, 100) == 5);
	CHECK(rec.locked_until == T0 + 2 * DAY);
	CHECK(fail_until_locked(&rec, rec.locked_until, 100) > 0);
	CHECK(rec.locked_until == T0 + 4 * DAY);
	cfg.lockout = 900;
}

/* At most max_failures_per_day in 24 hours, then a day's lock. */
static void
test_daily_cap(void)
{
	struct sspr_record rec = { 0 };
	time_t now = T0;
	unsigned counted = 0;
	unsigned i;

	cfg.max_failures = 1000;
	cfg.max_failures_per_day = 4;
	for (i = 0; i < 3; i++)
		CHECK(!sspr_count_failure(&cfg, &rec, now + (time_t)i));
	counted = 3;
	CHECK(sspr_count_failure(&cfg, &rec, now + 3));
	counted++;
	CHECK(counted == 4);
	CHECK(rec.locked_until == now + 3 + DAY);
	/* Locked: the next one is not even counted. */
	CHECK(sspr_count_failure(&cfg, &rec, now + 4));
	CHECK(rec.day_failures == 0 && rec.lockouts == 1);

	/* Failures spread over more than a day start a new count. */
	rec = (struct sspr_record){ 0 };
	CHECK(!sspr_count_failure(&cfg, &rec, now));
	CHECK(!sspr_count_failure(&cfg, &rec, now + 10));
	CHECK(!sspr_count_failure(&cfg, &rec, now + DAY));
	CHECK(rec.day_failures == 1 && rec.day_first == now + DAY);
	cfg.max_failures = 5;
	cfg.max_failures_per_day = 10;
}

/* A quiet day after a lockout, or a reset, starts over. */
static void
test_forgetting(void)
{
	struct sspr_record rec = { 0 };
	time_t end;

	cfg.max_failures_per_day = 1000;
	CHECK(fail_until_locked(&rec, T0, 100) == 5);
	CHECK(fail_until_locked(&rec, rec.locked_until, 100) == 5);
	CHECK(rec.lockouts == 2);
	end = rec.locked_until;
	CHECK(fail_until_locked(&rec, end + DAY, 100) == 5);
	CHECK(rec.locked_until == end + DAY + 900);
	sspr_clear_failures(&rec);
	CHECK(rec.lockouts == 0 && rec.locked_until == 0 &&
	      rec.day_failures == 0 && rec.failures == 0);
	cfg.max_failures_per_day = 10;
}

int
main(void)
{
	CHECK(sspr_cfg_defaults(&cfg) == 0);
	CHECK(cfg.max_failures == 5 && cfg.lockout == 900 &&
	      cfg.max_failures_per_day == 10);
	RUN(test_first_lockout);
	RUN(test_escalation);
	RUN(test_long_lockout);
	RUN(test_daily_cap);
	RUN(test_forgetting);
	sspr_cfg_done(&cfg);
	CHECK_EXIT();
}
