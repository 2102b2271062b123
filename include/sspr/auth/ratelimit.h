/*
 * Failed challenges per user: after max_failures within failure_window
 * the reset branch is locked, for lockout seconds the first time and
 * twice as long each time in a row (at most a day); after
 * max_failures_per_day in 24 hours it is locked for a day.
 */
#ifndef SSPR_RATELIMIT_H
#define SSPR_RATELIMIT_H

#include <stdbool.h>
#include <time.h>

#include "sspr/common/config.h"
#include "sspr/common/store.h"

bool sspr_is_locked(const struct sspr_record *rec, time_t now);

/*
 * Count one failure; true when the branch is locked afterwards (then
 * rec->locked_until says until when). Call it in the same locked store
 * step that checked the code, so parallel sessions get no extra checks.
 */
bool sspr_count_failure(const struct sspr_cfg *cfg, struct sspr_record *rec,
			time_t now);

/* Identity proven: forget failures, lockouts and the daily count. */
void sspr_clear_failures(struct sspr_record *rec);

#endif
