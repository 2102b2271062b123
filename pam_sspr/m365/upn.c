/* Local user name -> Microsoft 365 user principal name. */
#include "sspr/m365/upn.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sspr/common/kv.h"
#include "sspr/common/safefile.h"
#include "sspr/common/util.h"

/* ASCII only: isalnum() would follow the PAM host's locale. */
static bool
ascii_alnum(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9');
}

static bool
upn_char(char c)
{
	return ascii_alnum(c) || (c != '\0' && strchr("'.-_!#^~", c) != NULL);
}

static bool
domain_char(char c)
{
	return ascii_alnum(c) || c == '-' || c == '.';
}

/* Not empty, no leading or trailing '.', no "..". */
static bool
dots_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (i = 1; i < n; i++)
		if (s[i] == '.' && s[i - 1] == '.')
			return false;
	return true;
}

int
sspr_upn_valid(const char *upn)
{
	const char *at;
	const char *p;
	size_t len;
	size_t local;

	if (upn == NULL)
		return -EINVAL;
	len = strlen(upn);
	if (len == 0 || len > SSPR_UPN_MAX)
		return -EINVAL;
	at = strchr(upn, '@');
	if (at == NULL || strchr(at + 1, '@') != NULL)
		return -EINVAL;
	local = (size_t)(at - upn);
	if (local > SSPR_UPN_LOCAL_MAX || len - local - 1 > SSPR_UPN_DOMAIN_MAX)
		return -EINVAL;
	for (p = upn; p < at; p++)
		if (*p == '\0' || !upn_char(*p))
			return -EINVAL;
	for (p = at + 1; *p != '\0'; p++)
		if (!domain_char(*p))
			return -EINVAL;
	if (!dots_ok(upn, local) || !dots_ok(at + 1, len - local - 1))
		return -EINVAL;
	return 0;
}

/*
 * A name a map file may list: letters, digits, '.', '_', '-' (not
 * first), optionally ending in '$' (machine accounts), at most 256.
 */
static bool
user_name_ok(const char *s)
{
	size_t n = strlen(s);
	size_t i;

	if (n == 0 || n > 256 || s[0] == '-')
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (ascii_alnum(c) || c == '.' || c == '_' || c == '-')
			continue;
		if (c == '$' && i == n - 1)
			continue;
		return false;
	}
	return true;
}

static char *
trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s &&
	       (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	*end = '\0';
	return s;
}

/* One line, already NUL-terminated; key and value point into it. */
static int
parse_map_line(char *line, char **ret_key, char **ret_value, char *err,
	       size_t errlen)
{
	char *s = trim(line);
	char *eq;
	char *key;
	char *value;

	*ret_key = NULL;
	if (*s == '\0' || *s == '#')
		return 0;
	eq = strchr(s, '=');
	if (eq == NULL) {
		snprintf(err, errlen, "expected \"user = upn\"");
		return -EINVAL;
	}
	*eq = '\0';
	key = trim(s);
	value = trim(eq + 1);
	if (!user_name_ok(key)) {
		snprintf(err, errlen, "'%s' is not a user name", key);
		return -EINVAL;
	}
	if (sspr_upn_valid(value) < 0) {
		snprintf(err, errlen, "'%s' is not a valid user principal name",
			 value);
		return -EINVAL;
	}
	*ret_key = key;
	*ret_value = value;
	return 0;
}

int
sspr_upn_map_lookup(const char *name, const char *buf, size_t len,
		    const char *user, char **ret_upn, char *err, size_t errlen)
{
	char line[SSPR_KV_MAX_LINE + 1];
	char what[256];
	char *found = NULL;
	unsigned found_line = 0;
	unsigned lineno = 0;
	size_t pos = 0;
	int r = 0;

	if (memchr(buf, '\0', len) != NULL) {
		snprintf(err, errlen, "%s: contains a NUL byte", name);
		return -EINVAL;
	}
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - (buf + pos)) : len - pos;
		char *key;
		char *value;

		lineno++;
		if (n > SSPR_KV_MAX_LINE) {
			snprintf(err, errlen, "%s:%u: line too long", name,
				 lineno);
			r = -EINVAL;
			break;
		}
		memcpy(line, buf + pos, n);
		line[n] = '\0';
		pos += n + (nl != NULL ? 1 : 0);
		r = parse_map_line(line, &key, &value, what, sizeof(what));
		if (r < 0) {
			snprintf(err, errlen, "%s:%u: %s", name, lineno, what);
			break;
		}
		if (key == NULL || strcmp(key, user) != 0)
			continue;
		if (found != NULL) {
			snprintf(err, errlen,
				 "%s:%u: '%s' is already mapped on line %u",
				 name, lineno, user, found_line);
			r = -EINVAL;
			break;
		}
		found = sspr_strdup(value);
		if (found == NULL) {
			snprintf(err, errlen, "out of memory");
			r = -ENOMEM;
			break;
		}
		found_line = lineno;
	}
	if (r < 0) {
		free(found);
		return r;
	}
	*ret_upn = found;
	return 0;
}

/* Replace the one %u of fmt (config.c checks there is exactly one). */
static int
expand_format(const char *fmt, const char *user, char **ret)
{
	const char *p = strstr(fmt, "%u");
	size_t n;
	char *out;

	if (p == NULL)
		return -EINVAL;
	n = strlen(fmt) - 2 + strlen(user) + 1;
	out = malloc(n);
	if (out == NULL)
		return -ENOMEM;
	snprintf(out, n, "%.*s%s%s", (int)(p - fmt), fmt, user, p + 2);
	*ret = out;
	return 0;
}

int
sspr_upn_for_user(const struct sspr_cfg *cfg, const char *user, char **ret_upn,
		  char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	char *upn = NULL;
	int r;

	if (user == NULL || !user_name_ok(user)) {
		snprintf(err, errlen,
			 "user name cannot be part of a user "
			 "principal name");
		return -EINVAL;
	}
	if (cfg->upn_map_file != NULL) {
		r = sspr_read_file(cfg->upn_map_file, SSPR_FILE_TRUSTED,
				   SSPR_UPN_MAP_MAX_SIZE, &buf, &len);
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", cfg->upn_map_file,
				 sspr_file_strerror(r));
			return r;
		}
		r = sspr_upn_map_lookup(cfg->upn_map_file, buf, len, user, &upn,
					err, errlen);
		free(buf);
		if (r < 0)
			return r;
	}
	if (upn == NULL) {
		r = expand_format(cfg->upn_format != NULL ? cfg->upn_format
							  : "%u",
				  user, &upn);
		if (r < 0) {
			snprintf(err, errlen, "upn_format has no %%u");
			return r;
		}
	}
	if (sspr_upn_valid(upn) < 0) {
		snprintf(err, errlen,
			 "'%s' is not a valid user principal "
			 "name",
			 upn);
		free(upn);
		return -EINVAL;
	}
	*ret_upn = upn;
	return 0;
}

int
sspr_upn_path_escape(const char *upn, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *upn != '\0'; upn++) {
		unsigned char c = (unsigned char)*upn;
		bool keep = ascii_alnum((char)c) || c == '-' || c == '.' ||
			    c == '_' || c == '~' || c == '@';

		if (n + (keep ? 1 : 3) >= outlen)
			return -ENOBUFS;
		if (keep) {
			out[n++] = (char)c;
		} else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 0x0f];
		}
	}
	if (n >= outlen)
		return -ENOBUFS;
	out[n] = '\0';
	return 0;
}
