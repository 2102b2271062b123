/*
 * The "key = value" line format shared by sspr.conf and the per-user
 * store records: '#' starts a comment, blank lines are ignored, white
 * space around keys and values is dropped.
 */
#ifndef SSPR_KV_H
#define SSPR_KV_H

#include <stdbool.h>
#include <stddef.h>

#define SSPR_KV_MAX_LINE 1024

/*
 * Called once per "key = value" line. Return 0 to go on, or a negative
 * errno value after writing a message (without file or line) into err.
 */
typedef int (*sspr_kv_fn)(void *ctx, const char *key, const char *value,
			  char *err, size_t errlen);

/*
 * Parse buf (len bytes, need not be NUL-terminated). On error returns a
 * negative errno value, sets *ret_line to the line at fault and leaves a
 * message in err.
 */
int sspr_kv_parse(const char *buf, size_t len, sspr_kv_fn fn, void *ctx,
		  unsigned *ret_line, char *err, size_t errlen);

/*
 * Append printf-style text at buf + *pos (buf holds size bytes) and move
 * *pos past it; false, with *pos unchanged, when it does not fit.
 */
bool sspr_kv_append(char *buf, size_t size, size_t *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
