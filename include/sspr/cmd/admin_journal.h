/*
 * What "sspr admin show" says of a user's unfinished password change
 * (the journal) and of times.
 */
#ifndef SSPR_CMD_ADMIN_JOURNAL_H
#define SSPR_CMD_ADMIN_JOURNAL_H

#include <time.h>

#include "sspr/cmd/verbs.h"
#include "sspr/common/journal.h"

/* Which password this host holds during an unfinished change. */
enum local_side { LOCAL_UNKNOWN, LOCAL_OLD, LOCAL_NEW, LOCAL_CHANGED };

/* One "label  time" line; "-" for none (0). */
void print_time(const char *label, time_t t);

/*
 * The user's unfinished change and what this host holds, as far as it
 * knows without asking: 0, -ENOENT for none, or another -errno. The
 * caller wipes *j.
 */
int load_journal(const struct ctx *c, const char *user, struct sspr_journal *j,
		 enum local_side *local);

/* What each side holds, as far as this host knows without asking. */
void print_journal(const struct ctx *c, const char *user);

#endif
