/*
 * One HTTPS request through libcurl, the way pam_sspr needs it: HTTPS
 * only, no redirects, no proxy from the environment, the peer and its
 * host name always verified, strict timeouts, no signals, and a response
 * buffer that is wiped when it grows and when it is freed (it may hold an
 * access token).
 */
#ifndef SSPR_HTTP_H
#define SSPR_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "sspr/common/config.h"
#include "sspr/common/encode.h"

/* A response body larger than this is refused (-EFBIG). */
#define SSPR_HTTP_MAX_BODY (1024 * 1024)

struct sspr_http_req {
	const char *method;	  /* "GET", "POST" or "PATCH" */
	const char *url;	  /* must start with https:// */
	const char *bearer;	  /* access token, or NULL */
	const char *content_type; /* of body, or NULL */
	const char *body;	  /* not copied; the caller wipes it */
	/*
	 * More header lines ("Name: value"), NULL-terminated, or NULL:
	 * for a service that signs its requests (x-ms-date, an HMAC
	 * Authorization). Printable ASCII only, wiped after the request.
	 */
	const char *const *headers;
	size_t body_len;
	unsigned timeout_ms;	     /* whole request, at least 1 */
	unsigned connect_timeout_ms; /* connection set-up, at least 1 */
};

struct sspr_http_resp {
	long status; /* HTTP status, 0 before a reply */
	char *body;  /* NUL-terminated, may hold secrets */
	size_t len;
	size_t cap;
	/* the fresh client-request-id sent with this request */
	char client_request_id[SSPR_GUID_LEN];
	/* Graph's request-id, or the login service's x-ms-request-id */
	char request_id[SSPR_GUID_LEN + 27];
	long retry_after; /* seconds, -1 when not sent */
	/* TCP (and so TLS) connections this request opened: 0 = reused */
	long new_connections;
};

/*
 * Send one request with cfg's ca_file. Every request carries
 * "Accept: application/json" and a fresh random client-request-id.
 * Returns 0 when any HTTP reply arrived (look at resp->status), or:
 * the errors of sspr_curl_errno() (sspr/net/curl.h), which say whether
 * the request may have been carried out: -ECONNREFUSED and -EPROTO
 * (nothing sent), -ETIMEDOUT and -ECONNRESET (maybe sent), -EFBIG (reply
 * too large), -EINVAL (not an https URL, or a malformed header line),
 * -ENOMEM, -EIO (anything else). err gets one line for the admin's log.
 * resp is reset first; free it with sspr_http_resp_done() either way.
 */
int sspr_http_request(const struct sspr_cfg *cfg,
		      const struct sspr_http_req *req,
		      struct sspr_http_resp *resp, char *err, size_t errlen);

/*
 * Keep one libcurl handle, with its connections, TLS sessions and DNS
 * answers, from sspr_http_keep_begin() to sspr_http_keep_end() in this
 * thread, so the requests of one reset share their connections: the
 * PATCH after the last keystroke then costs one round trip, not a TCP
 * and a TLS handshake more. A connection the server closed meanwhile is
 * replaced by a new one (resp->new_connections says so). A POST or
 * PATCH is never sent twice, not even by libcurl's own retry on a
 * connection that died under the request: that is reported as
 * -ECONNRESET, like any answer lost after the request may have been
 * carried out. keep_end closes the connections: none outlives the call
 * into the library unless handed on explicitly (sspr_http_keep_take()
 * below). Calls nest; only the outermost keep_end closes.
 */
void sspr_http_keep_begin(void);
void sspr_http_keep_end(void);

/*
 * A keep scope's connections handed on to a later call into the library,
 * in this thread or another: a synced passwd looks the user up in its
 * preliminary pass and sends the PATCH in the update pass, after the new
 * password was typed. sspr_http_keep_take(), inside the first scope,
 * takes them out of it (NULL when there are none), so its keep_end closes
 * nothing; sspr_http_keep_give(), inside the later scope, puts them back
 * for its requests and its keep_end; sspr_http_kept_close() closes them
 * when no later call comes (pam_end). Between the two calls the socket
 * stays open in the PAM host, close-on-exec, so no program it runs gets
 * it.
 */
struct sspr_http_kept;
struct sspr_http_kept *sspr_http_keep_take(void);
void sspr_http_keep_give(struct sspr_http_kept *k);
void sspr_http_kept_close(struct sspr_http_kept *k);

/* Wipe and free the body; resp can be reused afterwards. */
void sspr_http_resp_done(struct sspr_http_resp *resp);

#endif
