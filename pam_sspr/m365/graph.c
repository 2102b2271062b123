/*
 * Microsoft Graph client: the session and its deadline, one call with
 * its token and the one retry after a 401, and the admin's log line.
 * The rules are in graph.h; the facts about each endpoint in graph.md.
 * The token and its cache are in token.c, the retry loop in exchange.c.
 */
#include "sspr/m365/graph.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sspr/common/util.h"
#include "sspr/m365/exchange.h"
#include "sspr/m365/token.h"

/* A copy of an https URL without trailing slashes. */
static char *
url_base(const char *url)
{
	char *s = sspr_strdup(url);
	size_t n;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	while (n > strlen("https://") && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

/* A tenant is a GUID or a domain name. */
static bool
tenant_ok(const char *t)
{
	size_t n = strlen(t);
	size_t i;

	if (n == 0 || n > 253)
		return false;
	for (i = 0; i < n; i++)
		if (!((t[i] >= 'A' && t[i] <= 'Z') ||
		      (t[i] >= 'a' && t[i] <= 'z') ||
		      (t[i] >= '0' && t[i] <= '9') || t[i] == '-' ||
		      t[i] == '.'))
			return false;
	return true;
}

void
sspr_graph_close(struct sspr_graph *g)
{
	if (g == NULL)
		return;
	sspr_free_secret(g->token);
	free(g->token_url);
	free(g->base);
	*g = (struct sspr_graph){ .cfg = NULL };
}

int
sspr_graph_open_deadline(struct sspr_graph *g, const struct sspr_cfg *cfg)
{
	*g = (struct sspr_graph){ .cfg = cfg };
	clock_gettime(CLOCK_MONOTONIC, &g->deadline);
	g->deadline.tv_sec += cfg->timeout > 0 ? cfg->timeout : 15;
	return 0;
}

int
sspr_graph_open(struct sspr_graph *g, const struct sspr_cfg *cfg)
{
	char *authority;
	int n;

	*g = (struct sspr_graph){ .cfg = cfg };
	if (cfg->tenant == NULL || cfg->client_id == NULL ||
	    cfg->authority == NULL || cfg->graph == NULL ||
	    !tenant_ok(cfg->tenant))
		return -EINVAL;
	sspr_graph_open_deadline(g, cfg);
	authority = url_base(cfg->authority);
	g->base = url_base(cfg->graph);
	if (authority == NULL || g->base == NULL) {
		free(authority);
		sspr_graph_close(g);
		return -ENOMEM;
	}
	n = asprintf(&g->token_url, "%s/%s/oauth2/v2.0/token", authority,
		     cfg->tenant);
	free(authority);
	if (n < 0) {
		g->token_url = NULL;
		sspr_graph_close(g);
		return -ENOMEM;
	}
	return 0;
}

int
sspr_graph_open_resource(struct sspr_graph *g, const struct sspr_cfg *cfg,
			 const char *resource, const char *name)
{
	int r = sspr_graph_open(g, cfg);

	if (r == 0) {
		g->resource = resource;
		g->cache_name = name;
	}
	return r;
}

int
sspr_graph_send(struct sspr_graph *g, struct sspr_http_req *req, bool bearer,
		struct sspr_graph_result *res, struct sspr_http_resp *resp)
{
	int r;

	*res = (struct sspr_graph_result){ .status = 0 };
	if (bearer) {
		r = sspr_graph_token_get(g, res);
		if (r < 0)
			return r;
		req->bearer = g->token;
	}
	r = sspr_graph_exchange(g, req, res, resp);
	if (bearer && r == 0 && resp->status == 401) {
		bool was_cached = g->token_from_cache;

		/* Revoked or not yet valid here: never use it again. */
		sspr_graph_token_drop(g);
		req->bearer = NULL;
		if (was_cached) {
			r = sspr_graph_token_fetch(g, res);
			if (r < 0)
				return r;
			req->bearer = g->token;
			r = sspr_graph_exchange(g, req, res, resp);
		}
	}
	sspr_graph_note_error(res, resp);
	return r;
}

int
sspr_graph_call(struct sspr_graph *g, const char *method, const char *path,
		const char *json, size_t json_len,
		struct sspr_graph_result *res, struct sspr_http_resp *resp)
{
	struct sspr_http_req req = { .method = method };
	char *url = NULL;
	int r;

	*res = (struct sspr_graph_result){ .status = 0 };
	if (asprintf(&url, "%s%s", g->base, path) < 0)
		return -ENOMEM;
	req.url = url;
	req.content_type = json != NULL ? "application/json" : NULL;
	req.body = json;
	req.body_len = json_len;
	r = sspr_graph_send(g, &req, true, res, resp);
	free(url);
	return r;
}

/* snprintf at *pos, never past len, always terminated. */
static void __attribute__((format(printf, 4, 5)))
append(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*pos = *pos + (size_t)n >= len ? len - 1 : *pos + (size_t)n;
}

void
sspr_graph_result_log(const struct sspr_graph_result *res, const char *what,
		      char *buf, size_t len)
{
	const struct sspr_graph_error *e = &res->error;
	size_t pos = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	append(buf, len, &pos,
	       "%s%s:", res->token_failed ? "token request for " : "", what);
	if (res->status != 0)
		append(buf, len, &pos, " HTTP %ld", res->status);
	else if (res->transport != 0)
		append(buf, len, &pos, " no reply");
	if (res->throttled)
		append(buf, len, &pos, " (throttled until the deadline)");
	if (res->has_error)
		append(buf, len, &pos, " %s", e->code);
	if (res->has_error && e->aadsts != 0)
		append(buf, len, &pos, " AADSTS%lu", e->aadsts);
	if (res->detail[0] != '\0')
		append(buf, len, &pos, " (%s)", res->detail);
	append(buf, len, &pos, " client-request-id=%s request-id=%s",
	       res->client_request_id[0] != '\0' ? res->client_request_id : "-",
	       res->request_id[0] != '\0' ? res->request_id : "-");
	if (res->has_error && e->message[0] != '\0')
		append(buf, len, &pos, ": %s", e->message);
}
