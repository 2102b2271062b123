/*
 * Lockout after repeated failed challenges. Guessing must not pay: each
 * lockout in a row is twice as long as the one before (up to a day), and
 * at most max_failures_per_day wrong codes are checked in the 24 hours
 * from the first one, then the branch is locked for a day (as Microsoft
 * Entra's self-service reset does).
 */
#include "sspr/auth/ratelimit.h"

#define DAY 86400

bool
sspr_is_locked(const struct sspr_record *rec, time_t now)
{
	return rec->locked_until > now;
}

/* The next lockout: lockout, doubled for each one before it in a row. */
static time_t
next_lockout(const struct sspr_cfg *cfg, const struct sspr_record *rec)
{
	time_t most = cfg->lockout > DAY ? (time_t)cfg->lockout : DAY;
	time_t t = (time_t)cfg->lockout;
	unsigned i;

	for (i = 0; i < rec->lockouts && t < most; i++)
		t *= 2;
	return t < most ? t : most;
}

bool
sspr_count_failure(const struct sspr_cfg *cfg, struct sspr_record *rec,
		   time_t now)
{
	time_t length;

	/* Already locked (another session locked it): stays locked. */
	if (sspr_is_locked(rec, now))
		return true;
	/* A day without a lockout forgets the earlier ones. */
	if (rec->locked_until != 0 && now - rec->locked_until >= DAY)
		rec->lockouts = 0;
	/* The daily count runs for 24 hours from its first failure. */
	if (rec->day_failures == 0 || now < rec->day_first ||
	    now - rec->day_first >= DAY) {
		rec->day_failures = 0;
		rec->day_first = now;
	}
	rec->day_failures++;
	/* A failure outside the window starts a new count. */
	if (rec->failures == 0 || now < rec->failure_first ||
	    now - rec->failure_first >= (time_t)cfg->failure_window) {
		rec->failures = 0;
		rec->failure_first = now;
	}
	rec->failures++;
	if (rec->day_failures >= cfg->max_failures_per_day) {
		length = next_lockout(cfg, rec);
		if (length < DAY)
			length = DAY;
		rec->day_failures = 0;
		rec->day_first = 0;
	} else if (rec->failures >= cfg->max_failures) {
		length = next_lockout(cfg, rec);
	} else {
		return false;
	}
	rec->locked_until = now + length;
	if (rec->lockouts < 1000000)
		rec->lockouts++;
	rec->failures = 0;
	rec->failure_first = 0;
	return true;
}

void
sspr_clear_failures(struct sspr_record *rec)
{
	rec->failures = 0;
	rec->failure_first = 0;
	rec->locked_until = 0;
	rec->lockouts = 0;
	rec->day_failures = 0;
	rec->day_first = 0;
}
