/* RFC 4648 base32 (upper case, no padding), as authenticator apps use. */
#ifndef SSPR_BASE32_H
#define SSPR_BASE32_H

#include <stddef.h>
#include <stdint.h>

/* Encode len bytes; returns a malloc'd string or NULL. */
char *sspr_base32_encode(const uint8_t *data, size_t len);

/*
 * Decode text (case-insensitive, spaces and '=' padding ignored) into a
 * malloc'd buffer. Returns 0 or -EINVAL for characters outside the
 * alphabet or impossible lengths, -ENOMEM.
 */
int sspr_base32_decode(const char *text, uint8_t **ret_data, size_t *ret_len);

#endif
