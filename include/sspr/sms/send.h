/*
 * Sending one text message (sms_transport): Azure Communication
 * Services with an Entra token or the resource's access key, or the
 * organisation's own HTTPS gateway (webhook). One session deadline
 * (cfg->timeout) and the retry rules of the Graph client: 429, 503 and
 * 504 are retried as Retry-After says, a dropped connection never (the
 * message may have gone out).
 *
 * The webhook body, documented in sspr.conf(5):
 *   {"to": "+819012345678", "message": "...", "host": "ws1"}
 * with "Authorization: Bearer <sms_webhook_secret_file>"; any 2xx is
 * success.
 */
#ifndef SSPR_SMS_SEND_H
#define SSPR_SMS_SEND_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "sspr/common/config.h"
#include "sspr/net/http.h"
#include "sspr/sms/acs.h"

/* The scope's resource of a Communication Services token. */
#define SSPR_ACS_RESOURCE "https://communication.azure.com"

/* One built request; every buffer that may hold a secret is wiped. */
struct sspr_sms_req {
	struct sspr_http_req http;
	char *url;
	char *body;		/* holds the code */
	char *lines[4];		/* extra header lines */
	const char *headers[4]; /* http.headers points here */
	bool bearer;		/* send the session's Entra token */
	struct sspr_acs_auth auth;
};

/*
 * Build the request for cfg's transport: to (E.164), text, host (the
 * host that asks, for the webhook body), secret (the access key for
 * acs with sms_access_key_file, the bearer secret for webhook, NULL for
 * acs with a token; not copied), now (for x-ms-date). 0, -EINVAL (a
 * setting or the number is not usable), -ENOMEM. Free with
 * sspr_sms_req_done() either way.
 */
int sspr_sms_build(const struct sspr_cfg *cfg, const char *to, const char *text,
		   const char *host, const char *secret, time_t now,
		   struct sspr_sms_req *out);

void sspr_sms_req_done(struct sspr_sms_req *req);

/*
 * The message of a reset ("reset") or enrollment ("enroll") code, in
 * the session's language: the code, the host and the lifetime, nothing
 * else. Malloc'd (free with sspr_free_secret()), NULL on no memory.
 */
char *sspr_sms_code_text(const char *purpose, const char *code,
			 unsigned lifetime, const char *host);

/*
 * Send text to the E.164 number to. 0 when the service accepted it;
 * -EINVAL (settings, number or the service said 400), -EKEYREJECTED
 * (the token, key or secret was refused), -ETIMEDOUT (throttled or no
 * answer until the deadline), -ECONNREFUSED/-ECONNRESET/-EPROTO (not
 * reachable, or the connection dropped), -EIO (anything else). err
 * gets one line for the admin's log (never the text or a secret).
 */
int sspr_sms_send(const struct sspr_cfg *cfg, const char *to, const char *text,
		  char *err, size_t errlen);

/*
 * For "sspr admin test": everything sspr_sms_send() needs, without
 * sending: the secret file, the endpoint or URL, the sender and the key,
 * and for ACS without a key an Entra token for Communication Services
 * (fetched afresh when cfg has no state_dir). 0 or an error as
 * sspr_sms_send() returns it, with err saying what is wrong.
 */
int sspr_sms_check(const struct sspr_cfg *cfg, char *err, size_t errlen);

#endif
