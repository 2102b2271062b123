/*
 * "sspr admin report" with email_source = entra | both: which users have
 * an email address registered in Microsoft 365. One request would cost a
 * fleet of hosts a Graph call per user per report, so the lookups go in
 * JSON batches (POST /v1.0/$batch, the 20 requests Graph allows in one),
 * each batch a session of its own with its own deadline, and at most
 * REPORT_ENTRA_MAX users in all.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sspr/cmd/admin_report.h"
#include "sspr/cmd/priv.h"
#include "sspr/common/config.h"
#include "sspr/m365/graph.h"
#include "sspr/m365/upn.h"

#define BATCH_MAX 20

/* The requests of users[0..n): id = the index, for the users with a UPN. */
static cJSON *
batch_body(const struct sspr_cfg *cfg, char *const *users, size_t n)
{
	char err[SSPR_ERR_MAX], esc[SSPR_UPN_MAX * 3 + 1], url[512], id[24];
	cJSON *body = cJSON_CreateObject();
	cJSON *reqs = cJSON_AddArrayToObject(body, "requests");
	cJSON *o;
	char *upn;
	size_t i;

	for (i = 0; reqs != NULL && i < n; i++) {
		upn = NULL;
		/* No UPN, no account there: nothing to ask. */
		if (sspr_upn_for_user(cfg, users[i], &upn, err, sizeof(err)) <
			0 ||
		    sspr_upn_path_escape(upn, esc, sizeof(esc)) < 0) {
			free(upn);
			continue;
		}
		free(upn);
		snprintf(url, sizeof(url),
			 "/users/%s/authentication/emailMethods", esc);
		snprintf(id, sizeof(id), "%zu", i);
		o = cJSON_CreateObject();
		if (o == NULL || !cJSON_AddItemToArray(reqs, o)) {
			cJSON_Delete(o);
			reqs = NULL;
		} else if (cJSON_AddStringToObject(o, "id", id) == NULL ||
			   cJSON_AddStringToObject(o, "method", "GET") ==
			       NULL ||
			   cJSON_AddStringToObject(o, "url", url) == NULL) {
			reqs = NULL;
		}
	}
	if (reqs == NULL) {
		cJSON_Delete(body);
		return NULL;
	}
	return body;
}

/*
 * The answers: has[id] for each 200 with at least one address; 404 is
 * no account there. Any other answer (403 without the permission, 429
 * for one of them) would make the counts wrong: -EPROTO, said in err.
 */
static int
batch_answers(const char *text, size_t len, size_t n, bool *has, char *err,
	      size_t errlen)
{
	cJSON *root = cJSON_ParseWithLength(text, len);
	const cJSON *resp, *id, *status, *value;
	unsigned long i;
	char *end;
	int r = 0;

	resp = cJSON_GetObjectItemCaseSensitive(root, "responses");
	if (!cJSON_IsArray(resp))
		r = -EBADMSG;
	cJSON_ArrayForEach(value, resp)
	{
		id = cJSON_GetObjectItemCaseSensitive(value, "id");
		status = cJSON_GetObjectItemCaseSensitive(value, "status");
		if (!cJSON_IsString(id) || !cJSON_IsNumber(status))
			continue;
		i = strtoul(id->valuestring, &end, 10);
		if (*end != '\0' || end == id->valuestring || i >= n ||
		    status->valueint == 404)
			continue;
		if (status->valueint != 200) {
			snprintf(err, errlen,
				 "Microsoft 365 answered %d to a lookup of "
				 "email methods%s",
				 status->valueint,
				 status->valueint == 403
				     ? " (is UserAuthenticationMethod.Read.All "
				       "granted?)"
				     : "");
			r = -EPROTO;
			break;
		}
		has[i] = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
			     cJSON_GetObjectItemCaseSensitive(value, "body"),
			     "value")) > 0;
	}
	cJSON_Delete(root);
	if (r == -EBADMSG)
		snprintf(err, errlen, "%s",
			 "Microsoft 365's answer to the batch is not readable");
	return r;
}

/* One batch of at most BATCH_MAX users, a session of its own. */
static int
batch_once(const struct sspr_cfg *cfg, char *const *users, size_t n, bool *has,
	   char *err, size_t errlen)
{
	struct sspr_http_resp resp = { 0 };
	struct sspr_graph_result res;
	struct sspr_graph g = { 0 };
	cJSON *body = batch_body(cfg, users, n);
	char *json = NULL;
	int r = -ENOMEM;

	memset(&res, 0, sizeof(res));
	if (body == NULL)
		goto out;
	r = 0;
	if (cJSON_GetArraySize(cJSON_GetObjectItem(body, "requests")) == 0)
		goto out;
	json = cJSON_PrintUnformatted(body);
	r = json == NULL ? -ENOMEM : sspr_graph_open(&g, cfg);
	if (r == 0)
		r = sspr_graph_call(&g, "POST", "/v1.0/$batch", json,
				    strlen(json), &res, &resp);
	sspr_graph_close(&g);
	if (r == 0 && resp.status != 200)
		r = -EPROTO;
	if (r < 0)
		sspr_graph_result_log(&res, "the batch of email methods", err,
				      errlen);
	else
		r = batch_answers(resp.body, resp.len, n, has, err, errlen);
out:
	if (r == -ENOMEM)
		snprintf(err, errlen, "%s", strerror(ENOMEM));
	sspr_http_resp_done(&resp);
	cJSON_free(json);
	cJSON_Delete(body);
	return r;
}

int
report_entra(const struct sspr_cfg *cfg, const struct report_names *users,
	     bool *has, char *err, size_t errlen)
{
	size_t i, n;
	int r = 0;

	if (users->n > REPORT_ENTRA_MAX) {
		snprintf(err, errlen, "more than %u users", REPORT_ENTRA_MAX);
		return -E2BIG;
	}
	r = priv_raise();
	for (i = 0; r == 0 && i < users->n; i += n) {
		n = users->n - i < BATCH_MAX ? users->n - i : BATCH_MAX;
		r = batch_once(cfg, users->v + i, n, has + i, err, errlen);
	}
	priv_lower();
	return r;
}
