/*
 * Which Microsoft 365 account a local user is: upn_map_file first (for
 * exceptions), else upn_format with %u replaced by the user name. A
 * result that is not a valid user principal name is refused before any
 * request is made.
 *
 * The map file is not sspr.conf syntax: user names may hold characters
 * that sspr.conf keys may not ('-', '.', capitals) and UPNs may hold '#',
 * which sspr.conf would take as a comment. So it has its own small
 * format: "user = upn" per line; a line whose first non-blank character
 * is '#' is a comment; blank lines are ignored; any other line, a
 * duplicate user or an invalid UPN makes the whole file an error that
 * names the line (fail closed: a typo must not send one person's reset to
 * another account).
 */
#ifndef SSPR_UPN_H
#define SSPR_UPN_H

#include <stddef.h>

#include "sspr/common/config.h"

#define SSPR_UPN_MAX 113
#define SSPR_UPN_LOCAL_MAX 64
#define SSPR_UPN_DOMAIN_MAX 48
#define SSPR_UPN_MAP_MAX_SIZE (1024 * 1024)

/*
 * Is upn a user principal name Microsoft Entra accepts? 0 or -EINVAL.
 * Allowed: A-Z a-z 0-9 ' . - _ ! # ^ ~ and exactly one '@'; at most 113
 * characters, 64 before the '@' and 48 after. Also refused, since no
 * such name exists in Entra: an empty part, a part that starts or ends
 * with '.', "..", and a domain with characters other than letters,
 * digits, '-' and '.'.
 */
int sspr_upn_valid(const char *upn);

/*
 * Find user in a map file held in memory (name is used in messages).
 * 0 with *ret_upn malloc'd, or with *ret_upn NULL when the user is not
 * listed; -EINVAL for a malformed file (err names the line), -ENOMEM.
 */
int sspr_upn_map_lookup(const char *name, const char *buf, size_t len,
			const char *user, char **ret_upn, char *err,
			size_t errlen);

/*
 * The UPN for user (malloc'd, free()). 0, or -EINVAL (user name or the
 * result is not valid; err says which), -ENOENT/-EPERM/... when the map
 * file cannot be read safely (err names it), -ENOMEM.
 */
int sspr_upn_for_user(const struct sspr_cfg *cfg, const char *user,
		      char **ret_upn, char *err, size_t errlen);

/*
 * Percent-encode upn for one URL path segment: letters, digits, '-', '.',
 * '_', '~' and '@' stay, everything else becomes %XX. 0 or -ENOBUFS.
 */
int sspr_upn_path_escape(const char *upn, char *out, size_t outlen);

#endif
