/*
 * Inside the Graph client (m365/): a request within the session's
 * deadline, retried only on 429, 503 and 504 (include/sspr/m365/graph.h
 * has the rules). Used by token.c and graph.c.
 */
#ifndef SSPR_EXCHANGE_H
#define SSPR_EXCHANGE_H

#include "sspr/m365/graph.h"
#include "sspr/net/http.h"

/* Milliseconds left before the session's deadline (negative: past). */
long sspr_graph_ms_left(const struct sspr_graph *g);

/* Parse Graph's or the login service's error body into res->error. */
void sspr_graph_note_error(struct sspr_graph_result *res,
			   const struct sspr_http_resp *resp);

/*
 * Send req until it gets an answer that is not 429/503/504, waiting as
 * Retry-After says, within the session's deadline; req's timeouts are
 * set from it. 0 when an answer came (resp->status), -ETIMEDOUT when
 * the deadline came first (res->throttled when it was throttling), or
 * the transport error of sspr_http_request() (res->transport): never
 * retried, since the request may have been carried out.
 */
int sspr_graph_exchange(struct sspr_graph *g, struct sspr_http_req *req,
			struct sspr_graph_result *res,
			struct sspr_http_resp *resp);

#endif
