/*
 * One Graph or token request with the retry rules of graph.h
 * (include/sspr/m365/exchange.h): the session's deadline, Retry-After,
 * and never a second try after a transport failure.
 */
#include "sspr/m365/exchange.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "sspr/common/util.h"

/* Bound on attempts even when Retry-After is 0. */
#define MAX_ATTEMPTS 16
/* Wait for a 503/504 without Retry-After (doubles, up to 8 s). */
#define DEFAULT_BACKOFF_MS 1000L

long
sspr_graph_ms_left(const struct sspr_graph *g)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(g->deadline.tv_sec - now.tv_sec) * 1000L +
	       (g->deadline.tv_nsec - now.tv_nsec) / 1000000L;
}

static void
sleep_ms(long ms)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) ==
	       EINTR)
		;
}

void
sspr_graph_note_error(struct sspr_graph_result *res,
		      const struct sspr_http_resp *resp)
{
	if (resp->status < 400 || resp->body == NULL || resp->len == 0)
		return;
	if (sspr_gj_error(resp->body, resp->len, &res->error) == 0) {
		res->has_error = true;
		if (res->request_id[0] == '\0')
			sspr_strlcpy(res->request_id, res->error.request_id,
				     sizeof(res->request_id));
	}
}

/*
 * Send req until it gets an answer that is not 429/503/504, waiting as
 * Retry-After says, within the session's deadline. Transport failures
 * end it at once: the request may have been carried out.
 */
int
sspr_graph_exchange(struct sspr_graph *g, struct sspr_http_req *req,
		    struct sspr_graph_result *res, struct sspr_http_resp *resp)
{
	unsigned attempt;

	for (attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
		long left = sspr_graph_ms_left(g);
		long connect_ms = (long)g->cfg->connect_timeout * 1000L;
		long wait;
		int r;

		if (left <= 0) {
			if (attempt == 0) {
				res->transport = -ETIMEDOUT;
				snprintf(res->detail, sizeof(res->detail),
					 "no time left before the deadline");
			} else {
				res->throttled = true;
			}
			return -ETIMEDOUT;
		}
		if (connect_ms <= 0 || connect_ms > left)
			connect_ms = left;
		req->timeout_ms = (unsigned)left;
		req->connect_timeout_ms = (unsigned)connect_ms;
		r = sspr_http_request(g->cfg, req, resp, res->detail,
				      sizeof(res->detail));
		sspr_strlcpy(res->client_request_id, resp->client_request_id,
			     sizeof(res->client_request_id));
		sspr_strlcpy(res->request_id, resp->request_id,
			     sizeof(res->request_id));
		res->status = resp->status;
		if (r < 0) {
			res->transport = r;
			return r;
		}
		res->transport = 0;
		res->detail[0] = '\0';
		if (resp->status != 429 && resp->status != 503 &&
		    resp->status != 504)
			return 0;
		if (resp->retry_after >= 0)
			wait = resp->retry_after * 1000L;
		else
			wait = DEFAULT_BACKOFF_MS
			       << (attempt < 3 ? attempt : 3);
		if (wait >= sspr_graph_ms_left(g)) {
			res->throttled = true;
			sspr_graph_note_error(res, resp);
			return -ETIMEDOUT;
		}
		sleep_ms(wait);
	}
	res->throttled = true;
	sspr_graph_note_error(res, resp);
	return -ETIMEDOUT;
}
