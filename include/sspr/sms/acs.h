/*
 * Azure Communication Services SMS: the request body and the access-key
 * signature (HMAC-SHA256 over the method, path, date, host and body
 * hash), for sending a code when the resource's key is used instead of
 * an Entra token.
 */
#ifndef SSPR_ACS_H
#define SSPR_ACS_H

#include <stddef.h>
#include <time.h>

/* The path and query of the send call, api-version 2021-03-07. */
#define SSPR_ACS_SMS_PATH "/sms?api-version=2021-03-07"

struct sspr_acs_auth {
	char date[32];		 /* x-ms-date: an RFC 7231 IMF-fixdate */
	char content_sha256[48]; /* x-ms-content-sha256: base64 SHA-256 */
	char authorization[128]; /* "HMAC-SHA256 SignedHeaders=…" */
};

/*
 * Sign one request with access_key (the resource's key as the portal
 * shows it: base64). host is the Host header the request carries
 * (with ":port" when not 443), path_and_query as sent. Returns 0,
 * -EINVAL for a key that is not base64 or empty, -ENOMEM, -EIO.
 */
int sspr_acs_sign(const char *access_key, const char *method, const char *host,
		  const char *path_and_query, time_t now, const char *body,
		  size_t body_len, struct sspr_acs_auth *out);

/*
 * The JSON body of one message from sender (an E.164 number or an
 * alphanumeric sender ID) to the E.164 number to, malloc'd into
 * *ret_body; free it with sspr_free_secret() (it holds a code).
 * Returns 0, -EINVAL or -ENOMEM.
 */
int sspr_acs_sms_body(const char *sender, const char *to, const char *text,
		      char **ret_body);

#endif
