/*
 * The requests sms/send.c puts on the wire, built without sending: the
 * ACS call signed with the access key (Host as libcurl sends it, the
 * signature of exactly the body sent), the ACS call for an Entra token,
 * the webhook's documented body and bearer secret, and the refusals.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sspr/common/config.h"
#include "sspr/common/util.h"
#include "sspr/sms/send.h"

#define KEY "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define WHEN 1796169581 /* Tue, 01 Dec 2026 23:59:41 GMT */
#define TO "+819012345678"

static void
cfg_acs(struct sspr_cfg *cfg, const char *endpoint)
{
	*cfg = (struct sspr_cfg){ .sms_transport = SSPR_SMS_ACS };
	cfg->sms_endpoint = (char *)endpoint;
	cfg->sms_from = (char *)"+15550100100";
}

static const char *
json_str(const char *body, const char *name)
{
	static char buf[256];
	cJSON *root = cJSON_Parse(body);
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(root, name));

	sspr_strlcpy(buf, v != NULL ? v : "(none)", sizeof(buf));
	cJSON_Delete(root);
	return buf;
}

static void
test_acs_key(void)
{
	struct sspr_cfg cfg;
	struct sspr_sms_req req;
	struct sspr_acs_auth want;

	cfg_acs(&cfg, "https://acs.example.communication.azure.com:443/");
	CHECK(sspr_sms_build(&cfg, TO, "123456 is your code", "ws1", KEY, WHEN,
			     &req) == 0);
	CHECK_STR(req.http.url, "https://acs.example.communication.azure.com:"
				"443/sms?api-version=2021-03-07");
	CHECK_STR(req.http.method, "POST");
	CHECK_STR(req.http.content_type, "application/json");
	CHECK(!req.bearer && req.http.bearer == NULL);
	CHECK(req.http.headers != NULL);
	CHECK_STR(json_str(req.body, "message"), "123456 is your code");
	CHECK_STR(json_str(req.body, "from"), "+15550100100");
	/* The signature covers the Host libcurl sends: no ":443". */
	CHECK(sspr_acs_sign(KEY, "POST", "acs.example.communication.azure.com",
			    SSPR_ACS_SMS_PATH, WHEN, req.body,
			    req.http.body_len, &want) == 0);
	CHECK_STR(req.http.headers[0], "x-ms-date: Tue, 01 Dec 2026 "
				       "23:59:41 GMT");
	CHECK(strncmp(req.http.headers[1], "x-ms-content-sha256: ", 21) == 0);
	CHECK_STR(req.http.headers[1] + 21, want.content_sha256);
	CHECK(strncmp(req.http.headers[2], "Authorization: HMAC-SHA256 ", 27) ==
	      0);
	CHECK_STR(req.http.headers[2] + 15, want.authorization);
	CHECK(req.http.headers[3] == NULL);
	sspr_sms_req_done(&req);

	/* Another port is part of the Host header and so of the signature. */
	cfg_acs(&cfg, "https://localhost:8443");
	CHECK(sspr_sms_build(&cfg, TO, "x", "ws1", KEY, WHEN, &req) == 0);
	CHECK(sspr_acs_sign(KEY, "POST", "localhost:8443", SSPR_ACS_SMS_PATH,
			    WHEN, req.body, req.http.body_len, &want) == 0);
	CHECK_STR(req.http.headers[2] + 15, want.authorization);
	sspr_sms_req_done(&req);
}

static void
test_acs_token(void)
{
	struct sspr_cfg cfg;
	struct sspr_sms_req req;

	cfg_acs(&cfg, "https://acs.example.communication.azure.com");
	CHECK(sspr_sms_build(&cfg, TO, "x", "ws1", NULL, WHEN, &req) == 0);
	CHECK(req.bearer);
	CHECK(req.http.headers == NULL);
	CHECK_STR(req.http.url, "https://acs.example.communication.azure.com"
				"/sms?api-version=2021-03-07");
	sspr_sms_req_done(&req);
}

static void
test_webhook(void)
{
	struct sspr_cfg cfg = { .sms_transport = SSPR_SMS_WEBHOOK };
	struct sspr_sms_req req;

	cfg.sms_webhook_url = (char *)"https://gw.example.org/send";
	CHECK(sspr_sms_build(&cfg, TO, "123456 \"x\"", "ws1", "s3cret", WHEN,
			     &req) == 0);
	CHECK_STR(req.http.url, "https://gw.example.org/send");
	CHECK_STR(req.http.bearer, "s3cret");
	CHECK(!req.bearer && req.http.headers == NULL);
	CHECK_STR(json_str(req.body, "to"), TO);
	CHECK_STR(json_str(req.body, "message"), "123456 \"x\"");
	CHECK_STR(json_str(req.body, "host"), "ws1");
	sspr_sms_req_done(&req);
	CHECK(sspr_sms_build(&cfg, TO, "x", "ws1", NULL, WHEN, &req) ==
	      -EINVAL);
	sspr_sms_req_done(&req);
}

static void
test_refused(void)
{
	struct sspr_cfg cfg;
	struct sspr_sms_req req;

	cfg_acs(&cfg, "https://acs.example/path");
	CHECK(sspr_sms_build(&cfg, TO, "x", "ws1", KEY, WHEN, &req) == -EINVAL);
	sspr_sms_req_done(&req);
	cfg_acs(&cfg, "https://acs.example");
	CHECK(sspr_sms_build(&cfg, "09012345678", "x", "ws1", KEY, WHEN,
			     &req) == -EINVAL);
	sspr_sms_req_done(&req);
	CHECK(sspr_sms_build(&cfg, TO, "", "ws1", KEY, WHEN, &req) == -EINVAL);
	sspr_sms_req_done(&req);
	CHECK(sspr_sms_build(&cfg, TO, "x", "ws1", "not base64!", WHEN, &req) ==
	      -EINVAL);
	sspr_sms_req_done(&req);
}

static void
test_text(void)
{
	char *t = sspr_sms_code_text("reset", "12345678", 600, "ws1");

	CHECK(t != NULL);
	CHECK_STR(t, "12345678 is your password reset code for ws1. It "
		     "expires in 10 minutes.");
	sspr_free_secret(t);
	t = sspr_sms_code_text("enroll", "123456", 60, "ws1");
	CHECK_STR(t, "123456 is your code to confirm this phone on ws1. It "
		     "expires in 1 minute.");
	sspr_free_secret(t);
	/* Never more time than there is. */
	t = sspr_sms_code_text("reset", "123456", 90, "ws1");
	CHECK_STR(t, "123456 is your password reset code for ws1. It expires "
		     "in 90 seconds.");
	sspr_free_secret(t);
	t = sspr_sms_code_text("reset", "123456", 150, "ws1");
	CHECK_STR(t, "123456 is your password reset code for ws1. It expires "
		     "in 2 minutes.");
	sspr_free_secret(t);
}

int
main(void)
{
	RUN(test_acs_key);
	RUN(test_acs_token);
	RUN(test_webhook);
	RUN(test_refused);
	RUN(test_text);
	CHECK_EXIT();
}
