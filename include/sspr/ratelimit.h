/*
 * Failed challenges per user: after max_failures within failure_window
 * the reset branch is locked for lockout seconds.
 */
#ifndef SSPR_RATELIMIT_H
#define SSPR_RATELIMIT_H

#include <stdbool.h>
#include <time.h>

#include "sspr/config.h"
#include "sspr/store.h"

bool sspr_is_locked(const struct sspr_record *rec, time_t now);

/* Count one failure; true when this failure locks the branch. */
bool sspr_count_failure(const struct sspr_cfg *cfg, struct sspr_record *rec,
			time_t now);

void sspr_clear_failures(struct sspr_record *rec);

#endif
