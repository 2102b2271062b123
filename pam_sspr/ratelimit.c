/* Lockout after repeated failed challenges. */
#include "sspr/ratelimit.h"

bool
sspr_is_locked(const struct sspr_record *rec, time_t now)
{
	return rec->locked_until > now;
}

bool
sspr_count_failure(const struct sspr_cfg *cfg, struct sspr_record *rec,
		   time_t now)
{
	/* Already locked (another session locked it): stays locked. */
	if (sspr_is_locked(rec, now))
		return true;
	/* A failure outside the window starts a new count. */
	if (rec->failures == 0 ||
	    now - rec->failure_first >= (time_t)cfg->failure_window) {
		rec->failures = 0;
		rec->failure_first = now;
	}
	rec->failures++;
	if (rec->failures < cfg->max_failures)
		return false;
	rec->locked_until = now + (time_t)cfg->lockout;
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
}
