/* Encodings with no I/O: base32, base64url, form escaping, GUIDs. */
#ifndef SSPR_ENCODE_H
#define SSPR_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SSPR_GUID_LEN 37

/*
 * RFC 4648 base32 (upper case, no padding), as authenticator apps use:
 * encode len bytes; returns a malloc'd string or NULL.
 */
char *sspr_base32_encode(const uint8_t *data, size_t len);

/*
 * Decode text (case-insensitive, spaces and '=' padding ignored) into a
 * malloc'd buffer. Returns 0 or -EINVAL for characters outside the
 * alphabet or impossible lengths, -ENOMEM.
 */
int sspr_base32_decode(const char *text, uint8_t **ret_data, size_t *ret_len);

/*
 * base64url (RFC 4648 section 5) without padding into out, which holds
 * at least 4 * ((len + 2) / 3) + 1 bytes. Returns the length written.
 */
size_t sspr_base64url(const unsigned char *in, size_t len, char *out);

/*
 * Decode len bytes of base64url without padding into out, which holds
 * 3 * len / 4 + 1 bytes (NUL-terminated). Returns 0 or -EINVAL.
 */
int sspr_base64url_decode(const char *in, size_t len, unsigned char *out,
			  size_t *ret_len);

/* A random (version 4) GUID in lower case. Returns 0 or -errno. */
int sspr_guid(char buf[SSPR_GUID_LEN]);

/*
 * Does s (len bytes) have a GUID's shape, 8-4-4-4-12 hex digits in
 * either case? Entra object ids do.
 */
bool sspr_guid_ok(const char *s, size_t len);

/*
 * application/x-www-form-urlencoded escaping into a buffer of at least
 * 3 * strlen(s) + 1 bytes that the caller owns (and wipes when s is a
 * secret): unreserved characters stay, everything else becomes %XX.
 * Returns the length written. The same is RFC 3986 percent-encoding of a
 * URI component (the otpauth:// URI uses it too).
 */
size_t sspr_form_escape(const char *s, char *out);

#endif
