/*
 * enable_entra_group with its short cache (include/sspr/change/entra_group.h).
 *
 * The file "g-<user>" holds one line: "1 TIME MEMBER GROUPS", the format
 * version, when Graph was asked (seconds since the epoch), 1 or 0, and
 * the enable_entra_group value it answered for. It is read only when
 * root-only (sspr_store_user_read()), so nobody can plant a "yes".
 */
#include "sspr/change/entra_group.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sspr/change/sync.h"
#include "sspr/common/safefile.h"
#include "sspr/common/store.h"
#include "sspr/common/util.h"

#define CACHE_PREFIX "g-"
/* The line: version, time, answer, and the group list of up to 64 KiB. */
#define CACHE_MAX (SSPR_CONF_MAX_SIZE + 64)

static int
cache_path(char *buf, size_t size, const char *state_dir, const char *user)
{
	return sspr_store_user_path(buf, size, state_dir, CACHE_PREFIX, user,
				    "", true);
}

/* "1 TIME MEMBER GROUPS\n" into its parts; 0 or -EBADMSG. */
static int
parse_line(char *line, time_t *ret_when, bool *ret_member, char **ret_groups)
{
	char *end = NULL;
	unsigned long long when;

	if (strncmp(line, "1 ", 2) != 0)
		return -EBADMSG;
	errno = 0;
	when = strtoull(line + 2, &end, 10);
	if (errno != 0 || end == line + 2 ||
	    when > (unsigned long long)LONG_MAX ||
	    (strncmp(end, " 0 ", 3) != 0 && strncmp(end, " 1 ", 3) != 0))
		return -EBADMSG;
	*ret_when = (time_t)when;
	*ret_member = end[1] == '1';
	*ret_groups = end + 3;
	end[strcspn(end, "\n")] = '\0';
	return 0;
}

int
sspr_entra_cache_read(const char *state_dir, const char *user,
		      const char *groups, time_t now, bool *ret_member)
{
	char path[PATH_MAX];
	char *buf = NULL;
	char *cached_groups;
	size_t len = 0;
	time_t when;
	bool member;
	int r;

	r = cache_path(path, sizeof(path), state_dir, user);
	if (r < 0)
		return r;
	r = sspr_store_user_read(path, CACHE_MAX, &buf, &len);
	if (r == -EBADMSG)
		r = -ENOENT;
	if (r < 0)
		return r;
	r = parse_line(buf, &when, &member, &cached_groups);
	/* Written in the future (a clock set back) or too long ago: ask. */
	if (r < 0 || when > now || now - when >= SSPR_ENTRA_CACHE_TTL ||
	    groups == NULL || strcmp(cached_groups, groups) != 0)
		r = -ENOENT;
	else
		*ret_member = member;
	free(buf);
	return r;
}

int
sspr_entra_cache_write(const char *state_dir, const char *user,
		       const char *groups, time_t now, bool member)
{
	char path[PATH_MAX];
	char *line = NULL;
	int n;
	int r;

	r = cache_path(path, sizeof(path), state_dir, user);
	if (r < 0)
		return r;
	n = asprintf(&line, "1 %lld %d %s\n", (long long)now, member ? 1 : 0,
		     groups);
	if (n < 0)
		return -ENOMEM;
	r = sspr_write_file_atomic(path, line, (size_t)n, 0600, 0);
	free(line);
	return r;
}

int
sspr_entra_member(const struct sspr_cfg *cfg, const char *user,
		  bool *ret_cached, char *log, size_t loglen)
{
	time_t now = time(NULL);
	bool member = false;
	int r;

	*ret_cached = false;
	if (cfg->enable_entra_group == NULL) {
		snprintf(log, loglen, "enable_entra_group is not set");
		return 1;
	}
	r = sspr_entra_cache_read(cfg->state_dir, user, cfg->enable_entra_group,
				  now, &member);
	if (r == 0) {
		*ret_cached = true;
		snprintf(log, loglen,
			 "'%s' is a member of %s of enable_entra_group "
			 "(asked less than %d s ago)",
			 user, member ? "one" : "none", SSPR_ENTRA_CACHE_TTL);
		return member ? 1 : 0;
	}
	r = sspr_sync_member_of(cfg, user, log, loglen);
	/*
	 * An account Microsoft 365 does not know, or a user name that maps
	 * to no Microsoft 365 name, is in none of its groups.
	 */
	if (r == -ENOENT || r == -ENXIO)
		r = 0;
	if (r < 0)
		return r;
	/* Only answers are kept: an outage is asked again next time. */
	(void)sspr_entra_cache_write(cfg->state_dir, user,
				     cfg->enable_entra_group, now, r == 1);
	return r;
}
