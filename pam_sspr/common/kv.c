/* Line parser for the "key = value" format of sspr.conf and store records. */
#include "sspr/common/kv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sspr/common/util.h"

static char *
trim(char *s)
{
	char *end;

	while (sspr_ascii_space(*s))
		s++;
	end = s + strlen(s);
	while (end > s && sspr_ascii_space(end[-1]))
		end--;
	*end = '\0';
	return s;
}

static int
valid_key(const char *key)
{
	if (*key == '\0')
		return 0;
	for (; *key != '\0'; key++)
		if (!sspr_ascii_lower(*key) && !sspr_ascii_digit(*key) &&
		    *key != '_')
			return 0;
	return 1;
}

/* Split one line (already without its newline) and hand it to fn. */
static int
parse_line(char *line, sspr_kv_fn fn, void *ctx, char *err, size_t errlen)
{
	char *hash;
	char *eq;
	char *key;
	char *value;

	hash = strchr(line, '#');
	if (hash != NULL)
		*hash = '\0';
	key = trim(line);
	if (*key == '\0')
		return 0;
	eq = strchr(key, '=');
	if (eq == NULL) {
		snprintf(err, errlen, "expected \"key = value\"");
		return -EINVAL;
	}
	*eq = '\0';
	value = trim(eq + 1);
	key = trim(key);
	if (!valid_key(key)) {
		snprintf(err, errlen, "invalid key name");
		return -EINVAL;
	}
	return fn(ctx, key, value, err, errlen);
}

/*
 * Nothing but white space before the end or a '#': every login's session
 * stage reads sspr.conf, which is mostly comments, so these lines are
 * passed over where they lie, without a copy.
 */
static bool
blank_or_comment(const char *p, const char *end)
{
	while (p < end && sspr_ascii_space(*p))
		p++;
	return p == end || *p == '#';
}

int
sspr_kv_parse(const char *buf, size_t len, sspr_kv_fn fn, void *ctx,
	      unsigned *ret_line, char *err, size_t errlen)
{
	char line[SSPR_KV_MAX_LINE + 1];
	size_t used = 0; /* how much of line to wipe */
	size_t pos = 0;
	unsigned lineno = 0;
	int r = 0;

	if (memchr(buf, '\0', len) != NULL) {
		*ret_line = 0;
		snprintf(err, errlen, "file contains a NUL byte");
		return -EINVAL;
	}
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - (buf + pos)) : len - pos;
		const char *start = buf + pos;

		lineno++;
		if (n > SSPR_KV_MAX_LINE) {
			snprintf(err, errlen, "line longer than %d bytes",
				 SSPR_KV_MAX_LINE);
			r = -E2BIG;
			break;
		}
		pos += n + (nl != NULL ? 1 : 0);
		if (*start == '#' || blank_or_comment(start, start + n))
			continue;
		memcpy(line, start, n);
		line[n] = '\0';
		if (n + 1 > used)
			used = n + 1;
		r = parse_line(line, fn, ctx, err, errlen);
		if (r < 0)
			break;
	}
	/* Lines may carry secrets (store records): leave nothing behind. */
	sspr_wipe(line, used);
	*ret_line = lineno;
	return r;
}

bool
sspr_kv_append(char *buf, size_t size, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, size - *pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - *pos)
		return false;
	*pos += (size_t)n;
	return true;
}
