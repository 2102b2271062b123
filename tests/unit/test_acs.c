/*
 * Azure Communication Services SMS: the access-key signature and the
 * body. The expected signature was computed with Python's hmac, hashlib
 * and base64 modules from the scheme as Microsoft documents it (an
 * implementation that shares no code with ours); the emulator checks
 * live requests the same way.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sspr/common/util.h"
#include "sspr/sms/acs.h"

#define KEY "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define BODY                                                                   \
	"{\"from\":\"+15550100100\",\"smsRecipients\":[{\"to\":"               \
	"\"+819012345678\"}],\"message\":\"123456\"}"
#define HOST "acs.example.communication.azure.com"
#define WHEN 1796169581 /* Tue, 01 Dec 2026 23:59:41 GMT */

static void
test_sign(void)
{
	struct sspr_acs_auth a;

	CHECK(sspr_acs_sign(KEY, "POST", HOST, SSPR_ACS_SMS_PATH, WHEN, BODY,
			    strlen(BODY), &a) == 0);
	CHECK_STR(a.date, "Tue, 01 Dec 2026 23:59:41 GMT");
	CHECK_STR(a.content_sha256,
		  "eAeg+jCNy1/JH1EizGMdbQcMB7FsBDwsHeo98fcFTw4=");
	CHECK_STR(a.authorization,
		  "HMAC-SHA256 SignedHeaders=x-ms-date;host;"
		  "x-ms-content-sha256&Signature="
		  "SOhlczeJ10oY71UD4m8e63gZRFHSRIz877svZmBg478=");
}

static void
test_date_ignores_locale(void)
{
	struct sspr_acs_auth a;

	/* x-ms-date is English in every locale the host may run in. */
	if (setlocale(LC_ALL, "ja_JP.UTF-8") == NULL)
		setlocale(LC_ALL, "C.UTF-8");
	CHECK(sspr_acs_sign(KEY, "POST", HOST, SSPR_ACS_SMS_PATH, WHEN, BODY,
			    strlen(BODY), &a) == 0);
	CHECK_STR(a.date, "Tue, 01 Dec 2026 23:59:41 GMT");
	setlocale(LC_ALL, "C");
}

static void
test_bad_keys(void)
{
	struct sspr_acs_auth a;

	CHECK(sspr_acs_sign("", "POST", HOST, "/", WHEN, "", 0, &a) == -EINVAL);
	CHECK(sspr_acs_sign("not base64!", "POST", HOST, "/", WHEN, "", 0,
			    &a) == -EINVAL);
	CHECK(sspr_acs_sign("QUJD=", "POST", HOST, "/", WHEN, "", 0, &a) ==
	      -EINVAL);
	CHECK(a.authorization[0] == '\0');
}

static void
test_body(void)
{
	char *body = NULL;
	cJSON *root;

	CHECK(sspr_acs_sms_body("+15550100100", "+819012345678",
				"Code \"123456\"\n", &body) == 0);
	root = body != NULL ? cJSON_Parse(body) : NULL;
	CHECK(root != NULL);
	if (root != NULL) {
		cJSON *to = cJSON_GetArrayItem(
		    cJSON_GetObjectItem(root, "smsRecipients"), 0);

		CHECK_STR(
		    cJSON_GetStringValue(cJSON_GetObjectItem(root, "from")),
		    "+15550100100");
		CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(to, "to")),
			  "+819012345678");
		CHECK_STR(
		    cJSON_GetStringValue(cJSON_GetObjectItem(root, "message")),
		    "Code \"123456\"\n");
		cJSON_Delete(root);
	}
	sspr_free_secret(body);
	body = NULL;
	CHECK(sspr_acs_sms_body("+15550100100", "0901234", "x", &body) ==
	      -EINVAL);
	CHECK(body == NULL);
	CHECK(sspr_acs_sms_body("", "+819012345678", "x", &body) == -EINVAL);
}

int
main(void)
{
	RUN(test_sign);
	RUN(test_date_ignores_locale);
	RUN(test_bad_keys);
	RUN(test_body);
	CHECK_EXIT();
}
