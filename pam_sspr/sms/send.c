/*
 * One text message through the configured transport
 * (include/sspr/sms/send.h). The request is built apart from sending,
 * so the unit tests see exactly what goes on the wire; the sending uses
 * the Graph client's session for its deadline, retry rules and, with
 * an Entra token, the token and its cache (scope
 * https://communication.azure.com/.default, cached apart from Graph's).
 *
 * Secrets here: the access key or webhook secret (root-only files,
 * wiped), the Authorization lines (wiped), the token (the session's),
 * and the body, which holds the code (wiped).
 */
#include "sspr/sms/send.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sspr/common/i18n.h"
#include "sspr/common/phone.h"
#include "sspr/common/safefile.h"
#include "sspr/common/util.h"
#include "sspr/m365/graph.h"
#include "sspr/m365/graph_json.h"

#define SECRET_MAX 4096

void
sspr_sms_req_done(struct sspr_sms_req *req)
{
	size_t i;

	if (req == NULL)
		return;
	free(req->url);
	sspr_free_secret(req->body);
	for (i = 0; i < SSPR_ARRAY_SIZE(req->lines); i++)
		sspr_free_secret(req->lines[i]);
	sspr_wipe(&req->auth, sizeof(req->auth));
	*req = (struct sspr_sms_req){ .bearer = false };
}

/*
 * The Host header of the endpoint as libcurl sends it (the port only
 * when not 443), and its URL for the send call. An endpoint with a path
 * is refused: the signature covers the path we send.
 */
static int
acs_target(const char *endpoint, char *host, size_t hostlen, char **ret_url)
{
	const char *p = sspr_skip_prefix(endpoint, "https://");
	size_t n;

	if (p == NULL)
		return -EINVAL;
	n = strcspn(p, "/?#");
	if (n == 0 || n >= hostlen || (p[n] != '\0' && strcmp(p + n, "/") != 0))
		return -EINVAL;
	memcpy(host, p, n);
	host[n] = '\0';
	if (n > 4 && strcmp(host + n - 4, ":443") == 0)
		host[n - 4] = '\0';
	if (asprintf(ret_url, "https://%.*s%s", (int)n, p, SSPR_ACS_SMS_PATH) <
	    0) {
		*ret_url = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* "Name: value" into a wiped line of req. */
static int
add_line(struct sspr_sms_req *req, size_t i, const char *name,
	 const char *value)
{
	if (asprintf(&req->lines[i], "%s: %s", name, value) < 0) {
		req->lines[i] = NULL;
		return -ENOMEM;
	}
	req->headers[i] = req->lines[i];
	return 0;
}

static int
build_acs(const struct sspr_cfg *cfg, const char *to, const char *text,
	  const char *key, time_t now, struct sspr_sms_req *out)
{
	char host[256];
	int r;

	if (cfg->sms_endpoint == NULL || cfg->sms_from == NULL)
		return -EINVAL;
	r = acs_target(cfg->sms_endpoint, host, sizeof(host), &out->url);
	if (r == 0)
		r = sspr_acs_sms_body(cfg->sms_from, to, text, &out->body);
	if (r < 0)
		return r;
	if (key == NULL) {
		out->bearer = true;
		return 0;
	}
	r = sspr_acs_sign(key, "POST", host, SSPR_ACS_SMS_PATH, now, out->body,
			  strlen(out->body), &out->auth);
	if (r == 0)
		r = add_line(out, 0, "x-ms-date", out->auth.date);
	if (r == 0)
		r = add_line(out, 1, "x-ms-content-sha256",
			     out->auth.content_sha256);
	if (r == 0)
		r = add_line(out, 2, "Authorization", out->auth.authorization);
	return r;
}

static int
build_webhook(const struct sspr_cfg *cfg, const char *to, const char *text,
	      const char *host, const char *secret, struct sspr_sms_req *out)
{
	cJSON *root;

	if (cfg->sms_webhook_url == NULL || secret == NULL ||
	    sspr_phone_ok(to) < 0 || text == NULL || host == NULL)
		return -EINVAL;
	out->url = sspr_strdup(cfg->sms_webhook_url);
	root = cJSON_CreateObject();
	if (out->url == NULL || root == NULL ||
	    cJSON_AddStringToObject(root, "to", to) == NULL ||
	    cJSON_AddStringToObject(root, "message", text) == NULL ||
	    cJSON_AddStringToObject(root, "host", host) == NULL) {
		sspr_gj_delete_wiped(root);
		return -ENOMEM;
	}
	out->http.bearer = secret;
	return sspr_gj_print_secret(
	    root, 6 * (strlen(to) + strlen(text) + strlen(host)) + 64,
	    &out->body);
}

int
sspr_sms_build(const struct sspr_cfg *cfg, const char *to, const char *text,
	       const char *host, const char *secret, time_t now,
	       struct sspr_sms_req *out)
{
	int r;

	*out = (struct sspr_sms_req){ .bearer = false };
	if (to == NULL || sspr_phone_ok(to) < 0 || text == NULL ||
	    text[0] == '\0')
		return -EINVAL;
	if (cfg->sms_transport == SSPR_SMS_WEBHOOK)
		r = build_webhook(cfg, to, text, host, secret, out);
	else
		r = build_acs(cfg, to, text, secret, now, out);
	if (r < 0)
		return r;
	out->http.method = "POST";
	out->http.url = out->url;
	out->http.content_type = "application/json";
	out->http.body = out->body;
	out->http.body_len = strlen(out->body);
	out->http.headers = out->lines[0] != NULL ? out->headers : NULL;
	return 0;
}

/*
 * "10 minutes", or seconds for a lifetime under two minutes that is not
 * whole minutes: never more time than there is.
 */
static void
lifetime_text(unsigned lifetime, char *buf, size_t len)
{
	if (lifetime >= 120 || (lifetime >= 60 && lifetime % 60 == 0))
		snprintf(buf, len,
			 dngettext(SSPR_TEXT_DOMAIN, "%u minute", "%u minutes",
				   lifetime / 60),
			 lifetime / 60);
	else
		snprintf(buf, len,
			 dngettext(SSPR_TEXT_DOMAIN, "%u second", "%u seconds",
				   lifetime),
			 lifetime);
}

char *
sspr_sms_code_text(const char *purpose, const char *code, unsigned lifetime,
		   const char *host)
{
	char life[64];
	char *text = NULL;
	int n;

	lifetime_text(lifetime, life, sizeof(life));
	if (strcmp(purpose, "enroll") == 0)
		/* TRANSLATORS: a text message, keep it short: the code, the
		 * host, "10 minutes". */
		n = asprintf(&text,
			     _("%s is your code to confirm this phone on %s. "
			       "It expires in %s."),
			     code, host, life);
	else
		/* TRANSLATORS: a text message, keep it short: the code, the
		 * host, "10 minutes". */
		n = asprintf(&text,
			     _("%s is your password reset code for %s. It "
			       "expires in %s."),
			     code, host, life);
	return n < 0 ? NULL : text;
}

/* The first line of a root-only secret file, trailing blanks dropped. */
static int
read_secret(const char *key, const char *path, char **ret, char *err,
	    size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	r = sspr_read_file(path, SSPR_FILE_SECRET, SECRET_MAX, &buf, &len);
	if (r < 0) {
		snprintf(err, errlen, "%s %s: %s", key, path,
			 sspr_file_strerror(r));
		return r;
	}
	len = strcspn(buf, "\r\n");
	while (len > 0 && (buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		len--;
	buf[len] = '\0';
	if (len == 0) {
		snprintf(err, errlen, "%s %s: empty", key, path);
		sspr_free_secret(buf);
		return -EINVAL;
	}
	*ret = buf;
	return 0;
}

/* The secret the transport needs, or NULL for an Entra token. */
static int
transport_secret(const struct sspr_cfg *cfg, char **ret, char *err,
		 size_t errlen)
{
	*ret = NULL;
	if (cfg->sms_transport == SSPR_SMS_WEBHOOK)
		return cfg->sms_webhook_secret_file == NULL
			   ? -EINVAL
			   : read_secret("sms_webhook_secret_file",
					 cfg->sms_webhook_secret_file, ret, err,
					 errlen);
	if (cfg->sms_access_key_file != NULL)
		return read_secret("sms_access_key_file",
				   cfg->sms_access_key_file, ret, err, errlen);
	return 0;
}

/*
 * A 202 of ACS reports each recipient apart: {"value":[{"to",
 * "successful":false,"httpStatusCode":400,"errorMessage":"..."}]}.
 * 0 when our one recipient was accepted, else -EIO with the reason.
 */
static int
acs_accepted(const struct sspr_http_resp *resp, char *err, size_t errlen)
{
	cJSON *root = resp->body != NULL
			  ? cJSON_ParseWithLength(resp->body, resp->len)
			  : NULL;
	const cJSON *one = cJSON_GetArrayItem(
	    cJSON_GetObjectItemCaseSensitive(root, "value"), 0);
	const cJSON *ok = cJSON_GetObjectItemCaseSensitive(one, "successful");
	const char *why = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(one, "errorMessage"));
	const char *p;
	int r = 0;

	/* The service's words go to the log: printable ASCII only. */
	for (p = why; p != NULL && *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e)
			why = NULL;
	/* No per-recipient list is no refusal: the status said accepted. */
	if (cJSON_IsFalse(ok)) {
		snprintf(err, errlen,
			 "POST " SSPR_ACS_SMS_PATH ": HTTP 202 but the "
			 "recipient was refused: %.200s",
			 why != NULL ? why : "no reason given");
		r = -EIO;
	}
	cJSON_Delete(root);
	return r;
}

/* What an answer means for the caller. */
static int
status_errno(const struct sspr_cfg *cfg, long status)
{
	if (cfg->sms_transport == SSPR_SMS_WEBHOOK ? status / 100 == 2
						   : status == 202)
		return 0;
	if (status == 401 || status == 403)
		return -EKEYREJECTED;
	if (status == 400)
		return -EINVAL;
	return -EIO;
}

int
sspr_sms_send(const struct sspr_cfg *cfg, const char *to, const char *text,
	      char *err, size_t errlen)
{
	struct sspr_graph g = { .cfg = NULL };
	struct sspr_graph_result res = { .status = 0 };
	struct sspr_http_resp resp = { .status = 0 };
	struct sspr_sms_req req = { .bearer = false };
	char host[HOST_NAME_MAX + 1] = "localhost";
	const char *what = cfg->sms_transport == SSPR_SMS_WEBHOOK
			       ? "POST sms_webhook_url"
			       : "POST " SSPR_ACS_SMS_PATH;
	char *secret = NULL;
	int r;

	if (errlen > 0)
		err[0] = '\0';
	if (gethostname(host, sizeof(host) - 1) < 0)
		sspr_strlcpy(host, "localhost", sizeof(host));
	r = transport_secret(cfg, &secret, err, errlen);
	if (r < 0)
		goto out;
	r = sspr_sms_build(cfg, to, text, host, secret, time(NULL), &req);
	if (r < 0) {
		snprintf(err, errlen, "SMS: %s",
			 r == -EINVAL ? "the number, sms_endpoint, sms_from or "
					"the key is not usable"
				      : strerror(-r));
		goto out;
	}
	r = req.bearer
		? sspr_graph_open_resource(&g, cfg, SSPR_ACS_RESOURCE, "acs")
		: sspr_graph_open_deadline(&g, cfg);
	if (r < 0) {
		snprintf(err, errlen,
			 "SMS: the Microsoft 365 settings are "
			 "not usable for a token");
		goto out;
	}
	r = sspr_graph_send(&g, &req.http, req.bearer, &res, &resp);
	if (r == 0)
		r = status_errno(cfg, resp.status);
	if (r < 0) {
		sspr_graph_result_log(&res, what, err, errlen);
	} else if (cfg->sms_transport == SSPR_SMS_ACS) {
		r = acs_accepted(&resp, err, errlen);
	}
out:
	sspr_http_resp_done(&resp);
	sspr_graph_close(&g);
	sspr_sms_req_done(&req);
	sspr_free_secret(secret);
	return r;
}

int
sspr_sms_check(const struct sspr_cfg *cfg, char *err, size_t errlen)
{
	struct sspr_graph g = { .cfg = NULL };
	struct sspr_graph_result res = { .status = 0 };
	struct sspr_sms_req req = { .bearer = false };
	char *secret = NULL;
	int r;

	if (errlen > 0)
		err[0] = '\0';
	r = transport_secret(cfg, &secret, err, errlen);
	if (r < 0)
		goto out;
	/* A number of the range reserved for fiction (+1 555 01xx). */
	r = sspr_sms_build(cfg, "+15550100100", "check", "localhost", secret,
			   time(NULL), &req);
	if (r < 0) {
		snprintf(
		    err, errlen,
		    r == -EINVAL ? "%s is not usable" : "%s: out of memory",
		    cfg->sms_transport == SSPR_SMS_WEBHOOK ? "sms_webhook_url"
		    : secret != NULL
			? "sms_endpoint, sms_from or the access key"
			: "sms_endpoint or sms_from");
		goto out;
	}
	if (!req.bearer)
		goto out;
	r = sspr_graph_open_resource(&g, cfg, SSPR_ACS_RESOURCE, "acs");
	if (r < 0) {
		snprintf(err, errlen,
			 "the Microsoft 365 settings are not "
			 "usable for a token");
		goto out;
	}
	r = sspr_graph_token(&g, &res);
	if (r < 0)
		sspr_graph_result_log(&res, SSPR_ACS_RESOURCE "/.default", err,
				      errlen);
out:
	sspr_graph_close(&g);
	sspr_sms_req_done(&req);
	sspr_free_secret(secret);
	return r;
}
