/* TOTP (RFC 6238) over HOTP (RFC 4226) with OpenSSL HMAC. */
#ifndef SSPR_TOTP_H
#define SSPR_TOTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sspr/common/store.h"

#define SSPR_TOTP_PERIOD 30
#define SSPR_TOTP_KEY_BYTES 20 /* 160 bits, RFC 4226 recommendation */

/* HOTP value for key and counter (alg: enum sspr_totp_alg); 0 or -errno. */
int sspr_hotp(const uint8_t *key, size_t key_len, unsigned alg,
	      uint64_t counter, unsigned digits, uint32_t *ret_code);

/* The clock; functions that depend on time take it as a parameter. */
time_t sspr_now(void);

/*
 * Check a typed code against the record's key at time now within +-window
 * steps. A step at or before rec->totp_last_step is never accepted; on
 * success rec->totp_last_step is advanced (the caller saves the record).
 * Returns 0 on a match, -EACCES on a wrong or replayed code, -EINVAL on a
 * malformed code or key.
 */
int sspr_totp_verify(struct sspr_record *rec, const char *code, time_t now,
		     unsigned window);

/* New random key, base32 encoded (malloc'd, free with sspr_free_secret). */
int sspr_totp_new_secret(char **ret_base32);

/*
 * otpauth://totp/ISSUER:USER?secret=...&issuer=...&algorithm=...&digits=..
 * &period=30, with ISSUER and USER percent-encoded. Free with
 * sspr_free_secret().
 */
char *sspr_totp_uri(const char *issuer, const char *user,
		    const char *secret_b32, unsigned alg, unsigned digits);

#endif
