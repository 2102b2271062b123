/*
 * Microsoft Graph client: app-only token (client secret or certificate
 * assertion), a root-only token cache in state_dir, and requests with
 * the retry rules that are safe for a password change and for mail
 * (sendMail itself is in mail/send_graph.c).
 *
 * A session (struct sspr_graph) covers one operation a person waits for
 * and has one deadline, cfg->timeout seconds from sspr_graph_open(): the
 * token request, the Graph call and every wait for Retry-After fit in it.
 *
 * Retries: only on 429, 503 and 504 (Microsoft did not process the
 * request), honouring Retry-After, and never past the deadline. A
 * timeout or a dropped connection is never retried: a PATCH or a
 * sendMail may have been carried out. A cached token that Graph answers
 * 401 to is dropped and a fresh one fetched, once.
 *
 * Files: graph.c (session, call, log line), token.c (credentials, token
 * request, cache), exchange.c (the retry loop).
 */
#ifndef SSPR_GRAPH_H
#define SSPR_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "sspr/common/config.h"
#include "sspr/m365/graph_json.h"
#include "sspr/net/http.h"

/* Name of the token cache inside state_dir. */
#define SSPR_TOKEN_CACHE "token.cache"
/* A cached token is used until this many seconds before it expires. */
#define SSPR_TOKEN_MARGIN 300

struct sspr_graph {
	const struct sspr_cfg *cfg;
	struct timespec deadline; /* CLOCK_MONOTONIC */
	char *token;		  /* secret, wiped on close */
	bool token_from_cache;
	char *token_url; /* {authority}/{tenant}/oauth2/v2.0/token */
	char *base;	 /* graph without a trailing '/' */
	/*
	 * The resource the token is for, without "/.default": NULL for
	 * Graph (base), else e.g. "https://communication.azure.com" with
	 * its own cache name (sspr_graph_open_resource()).
	 */
	const char *resource;
	const char *cache_name; /* NULL: SSPR_TOKEN_CACHE */
	/* for tests and admin checks: token requests made in this session */
	unsigned token_requests;
};

/* What happened, for the admin's log line. Never holds a secret. */
struct sspr_graph_result {
	long status;	   /* last HTTP status, 0 when none */
	int transport;	   /* negative errno, 0 when a reply came */
	bool throttled;	   /* gave up on 429/503/504 at the deadline */
	bool token_failed; /* the failure was the token request */
	bool has_error;	   /* error below was parsed from the body */
	struct sspr_graph_error error;
	char client_request_id[SSPR_GUID_LEN];
	char request_id[64];
	char detail[256]; /* transport or local problem */
};

/* Start a session; its deadline is cfg->timeout seconds from now. */
int sspr_graph_open(struct sspr_graph *g, const struct sspr_cfg *cfg);

/*
 * A session whose token is for another resource of the same app
 * registration (one app serves Graph and Communication Services):
 * scope resource + "/.default", cached under state_dir as
 * "token-NAME.cache" (lock "token-NAME.lock"; name a short word, a
 * static string, not copied). Use it with sspr_graph_send().
 */
int sspr_graph_open_resource(struct sspr_graph *g, const struct sspr_cfg *cfg,
			     const char *resource, const char *name);

/*
 * A session with only the deadline, for requests that carry no Entra
 * token (sspr_graph_send() without bearer): needs no Microsoft 365 keys.
 */
int sspr_graph_open_deadline(struct sspr_graph *g, const struct sspr_cfg *cfg);

/* Wipe the token and free everything; g may be half set up. */
void sspr_graph_close(struct sspr_graph *g);

/*
 * Make sure g->token holds a token: from the cache when it is valid for
 * SSPR_TOKEN_MARGIN seconds more, else from the token endpoint (then
 * cached). The fetch happens under a lock beside the cache, which is
 * read again once the lock is held, so sessions starting together with
 * no valid token cost one token request. Returns 0, -EKEYREJECTED (the
 * login service refused the credentials; res->error says why),
 * -ETIMEDOUT/-ECONNREFUSED/-ECONNRESET/-EPROTO (not reachable;
 * res->throttled when it kept answering 429/503/504 until the
 * deadline), -EBADMSG (unreadable
 * reply), -EINVAL/-ENOENT/-EPERM/... (credential files, res->detail).
 */
int sspr_graph_token(struct sspr_graph *g, struct sspr_graph_result *res);

/*
 * One Graph request: method "GET", "POST" or "PATCH"; path starts with
 * "/v1.0/" and is already escaped; json (may be NULL) is sent as
 * application/json and is the caller's to wipe. Returns 0 when Graph
 * answered (res->status, body in resp, the error body parsed into
 * res->error for status >= 400), or the errors of sspr_graph_token().
 * Free resp with sspr_http_resp_done() either way.
 */
int sspr_graph_call(struct sspr_graph *g, const char *method, const char *path,
		    const char *json, size_t json_len,
		    struct sspr_graph_result *res, struct sspr_http_resp *resp);

/*
 * req to any https URL with the same retry rules and deadline: with
 * bearer, the session's token is sent (and refetched once after a 401
 * to a cached one); without, req goes as the caller built it (a
 * request signed another way). 0 when an answer came (res->status),
 * else as sspr_graph_call().
 */
int sspr_graph_send(struct sspr_graph *g, struct sspr_http_req *req,
		    bool bearer, struct sspr_graph_result *res,
		    struct sspr_http_resp *resp);

/* Delete the token cache (a 401 does this; also for admin tools). */
void sspr_graph_drop_cache(const struct sspr_cfg *cfg);

/*
 * One line for the admin's log: what was asked, status, Graph error
 * code (or AADSTS number), client-request-id, request-id and Graph's
 * message, or the transport problem.
 */
void sspr_graph_result_log(const struct sspr_graph_result *res,
			   const char *what, char *buf, size_t len);

#endif
