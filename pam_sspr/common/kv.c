/* Line parser for the "key = value" format of sspr.conf and store records. */
#include "sspr/common/kv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sspr/common/util.h"

/* Narrow [*s, *e) to what lies between white space at either end. */
static void
trim(char **s, char **e)
{
	while (*s < *e && sspr_ascii_space(**s))
		(*s)++;
	while (*e > *s && sspr_ascii_space((*e)[-1]))
		(*e)--;
}

static bool
valid_key(const char *key, const char *end)
{
	if (key == end)
		return false;
	for (; key < end; key++)
		if (!sspr_ascii_lower(*key) && !sspr_ascii_digit(*key) &&
		    *key != '_')
			return false;
	return true;
}

/*
 * Split one line of n bytes (without its newline, writable up to
 * line[n]) and hand it to fn. By bounds, not by repeated strlen():
 * every login's session stage parses the configuration.
 */
static int
parse_line(char *line, size_t n, sspr_kv_fn fn, void *ctx, char *err,
	   size_t errlen)
{
	char *end = line + n;
	char *hash = memchr(line, '#', n);
	char *key = line;
	char *key_end;
	char *value;

	if (hash != NULL)
		end = hash;
	key_end = memchr(line, '=', (size_t)(end - line));
	if (key_end == NULL) {
		trim(&key, &end);
		if (key == end)
			return 0;
		snprintf(err, errlen, "expected \"key = value\"");
		return -EINVAL;
	}
	value = key_end + 1;
	trim(&key, &key_end);
	trim(&value, &end);
	if (!valid_key(key, key_end)) {
		snprintf(err, errlen, "invalid key name");
		return -EINVAL;
	}
	*key_end = '\0';
	*end = '\0';
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
		const char *start = buf + pos;
		const char *nl;
		size_t n;

		lineno++;
		/* An empty line (a quarter of the shipped file): no search. */
		if (*start == '\n') {
			pos++;
			continue;
		}
		nl = memchr(start, '\n', len - pos);
		n = nl != NULL ? (size_t)(nl - start) : len - pos;
		if (n > SSPR_KV_MAX_LINE) {
			snprintf(err, errlen, "line longer than %d bytes",
				 SSPR_KV_MAX_LINE);
			r = -E2BIG;
			break;
		}
		pos += n + (nl != NULL ? 1 : 0);
		/*
		 * The first test is the common case of blank_or_comment()
		 * taken out of it: most lines of the shipped file start with
		 * '#', and this way they cost about 1k instructions less a
		 * login (make bench).
		 */
		if (*start == '#' || blank_or_comment(start, start + n))
			continue;
		memcpy(line, start, n);
		if (n + 1 > used)
			used = n + 1;
		r = parse_line(line, n, fn, ctx, err, errlen);
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
