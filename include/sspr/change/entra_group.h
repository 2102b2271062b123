/*
 * enable_entra_group: is the user a member of one of the Microsoft Entra
 * groups the admin selected for self-service reset? Asked of Microsoft
 * Graph (sspr_sync_member_of(), change/sync.c) and kept for a few minutes
 * in a root-only file "g-<user>" in state_dir, so that a burst of
 * sign-ins is one Graph request.
 */
#ifndef SSPR_ENTRA_GROUP_H
#define SSPR_ENTRA_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "sspr/common/config.h"

/* How long an answer is kept, seconds. */
#define SSPR_ENTRA_CACHE_TTL 300

/*
 * The cached answer for user and the group list groups (the value of
 * enable_entra_group, so a changed list is asked again), if it was
 * stored less than SSPR_ENTRA_CACHE_TTL seconds before now: 0 with
 * *ret_member; -ENOENT when there is none usable (missing, old, for
 * other groups, from the future); -EPERM when the file is not root-only
 * (never trusted); other -errno.
 */
int sspr_entra_cache_read(const char *state_dir, const char *user,
			  const char *groups, time_t now, bool *ret_member);

/* Store an answer (atomically, mode 0600); 0 or -errno. */
int sspr_entra_cache_write(const char *state_dir, const char *user,
			   const char *groups, time_t now, bool member);

/*
 * Is user in enable_entra_group? 1 yes (also when the key is unset), 0
 * no (an account Microsoft 365 does not know, or a name upn_format and
 * upn_map_file give no Microsoft 365 name for, is in no group), negative
 * when Microsoft 365 could not say (unreachable, throttling, a missing
 * permission, a bad reply). *ret_cached tells whether the answer came
 * from the file. log gets the line for the admin (never a secret).
 * Runs with privileges (root): the file and the token cache are root's.
 */
int sspr_entra_member(const struct sspr_cfg *cfg, const char *user,
		      bool *ret_cached, char *log, size_t loglen);

#endif
