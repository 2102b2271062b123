/*
 * Parsing every documented reply (graph.md) and hostile ones: wrong
 * types, missing fields, huge strings, deep nesting, trailing junk.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sspr/common/address.h"
#include "sspr/common/util.h"
#include "sspr/m365/graph_json.h"
#include "sspr/mail/mail.h"

static int
token(const char *body, char **ret, unsigned long *exp)
{
	*ret = NULL;
	return sspr_gj_token(body, strlen(body), ret, exp);
}

static void
token_bad(const char *body)
{
	char *t = NULL;
	unsigned long e = 0;
	int r = token(body, &t, &e);

	if (r != -EBADMSG)
		fprintf(stderr, "  accepted token body: %.120s\n", body);
	CHECK(r == -EBADMSG);
	CHECK(t == NULL);
}

static void
test_token_documented(void)
{
	char *t = NULL;
	unsigned long e = 0;

	/* the documented success body */
	CHECK(token("{\"token_type\":\"Bearer\",\"expires_in\":3599,"
		    "\"access_token\":\"eyJ0eXAiOiJKV1Qi.x-y_z.sig\"}",
		    &t, &e) == 0);
	CHECK_STR(t, "eyJ0eXAiOiJKV1Qi.x-y_z.sig");
	CHECK(e == 3599);
	sspr_free_secret(t);
	/* what the service really sends: extra fields, other order */
	CHECK(token("{\n \"access_token\": \"abc\", \"ext_expires_in\": 3599,"
		    " \"expires_in\": 60, \"token_type\": \"bearer\"}\r\n",
		    &t, &e) == 0);
	CHECK_STR(t, "abc");
	CHECK(e == 60);
	sspr_free_secret(t);
}

static void
test_token_hostile(void)
{
	char *big;
	char *t = NULL;
	unsigned long e = 0;
	size_t n;

	token_bad("");
	token_bad("null");
	token_bad("[]");
	token_bad("\"Bearer\"");
	token_bad("{}");
	token_bad("{\"token_type\":\"Bearer\",\"expires_in\":3599}");
	token_bad("{\"token_type\":\"Bearer\",\"access_token\":\"a\"}");
	token_bad("{\"expires_in\":3599,\"access_token\":\"a\"}");
	token_bad("{\"token_type\":\"mac\",\"expires_in\":3599,"
		  "\"access_token\":\"a\"}");
	token_bad("{\"token_type\":1,\"expires_in\":3599,"
		  "\"access_token\":\"a\"}");
	token_bad("{\"token_type\":\"Bearer\",\"expires_in\":3599,"
		  "\"access_token\":5}");
	token_bad("{\"token_type\":\"Bearer\",\"expires_in\":3599,"
		  "\"access_token\":\"\"}");
	token_bad("{\"token_type\":\"Bearer\",\"expires_in\":3599,"
		  "\"access_token\":null}");
	/* a token that would split or inject a header line */
	token_bad("{\"token_type\":\"Bearer\",\"expires_in\":3599,"
		  "\"access_token\":\"a b\"}");
	token_bad("{\"token_type\":\"Bearer\",\"expires_in\":3599,"
		  "\"access_token\":\"a\\r\\nX-Evil: 1\"}");
	token_bad("{\"token_type\":\"Bearer\",\"expires_in\":3599,"
		  "\"access_token\":\"\\u00e9\"}");
	/* expires_in must be a whole positive number of sane size */
	token_bad("{\"token_type\":\"Bearer\",\"expires_in\":\"3599\","
		  "\"access_token\":\"a\"}");
	token_bad("{\"token_type\":\"Bearer\",\"expires_in\":0,"
		  "\"access_token\":\"a\"}");
	token_bad("{\"token_type\":\"Bearer\",\"expires_in\":-5,"
		  "\"access_token\":\"a\"}");
	token_bad("{\"token_type\":\"Bearer\",\"expires_in\":35.5,"
		  "\"access_token\":\"a\"}");
	token_bad("{\"token_type\":\"Bearer\",\"expires_in\":1e300,"
		  "\"access_token\":\"a\"}");
	token_bad("{\"token_type\":\"Bearer\",\"expires_in\":true,"
		  "\"access_token\":\"a\"}");
	/* one value, nothing after it */
	token_bad("{\"token_type\":\"Bearer\",\"expires_in\":1,"
		  "\"access_token\":\"a\"} {}");
	token_bad("{\"token_type\":\"Bearer\",\"expires_in\":1,"
		  "\"access_token\":\"a\"");
	/* an embedded NUL ends nothing early */
	{
		const char nul[] = "{\"token_type\":\"Bearer\",\"expires_in\":1,"
				   "\"access_token\":\"a\"}\0junk";

		CHECK(sspr_gj_token(nul, sizeof(nul) - 1, &t, &e) == -EBADMSG);
	}
	/* a token longer than any real one */
	n = SSPR_TOKEN_MAX + 1;
	big = malloc(n + 100);
	n = (size_t)sprintf(big, "{\"token_type\":\"Bearer\",\"expires_in\":1,"
				 "\"access_token\":\"");
	memset(big + n, 'A', SSPR_TOKEN_MAX + 1);
	strcpy(big + n + SSPR_TOKEN_MAX + 1, "\"}");
	token_bad(big);
	/* exactly the limit is fine */
	strcpy(big + n + SSPR_TOKEN_MAX, "\"}");
	CHECK(token(big, &t, &e) == 0);
	CHECK(t != NULL && strlen(t) == SSPR_TOKEN_MAX);
	sspr_free_secret(t);
	free(big);
}

static void
test_nesting(void)
{
	size_t depth = 5000;
	char *deep = malloc(2 * depth + 200);
	char *t = NULL;
	unsigned long e = 0;
	struct sspr_graph_error ge;
	struct sspr_graph_user u;
	size_t n = 0;
	size_t i;

	/* far past cJSON's nesting limit: refused, not a stack overflow */
	n += (size_t)sprintf(deep, "{\"x\":");
	for (i = 0; i < depth; i++)
		deep[n++] = '[';
	for (i = 0; i < depth; i++)
		deep[n++] = ']';
	deep[n++] = '}';
	deep[n] = '\0';
	CHECK(sspr_gj_token(deep, n, &t, &e) == -EBADMSG);
	CHECK(sspr_gj_error(deep, n, &ge) == -EBADMSG);
	CHECK(sspr_gj_user(deep, n, &u) == -EBADMSG);
	free(deep);
	/* moderate nesting in an ignored field is just ignored */
	CHECK(token("{\"token_type\":\"Bearer\",\"expires_in\":9,"
		    "\"access_token\":\"q\",\"x\":[[[[{\"a\":[1]}]]]]}",
		    &t, &e) == 0);
	sspr_free_secret(t);
}

static void
test_login_errors(void)
{
	struct sspr_graph_error e;
	const char *scope =
		"{\"error\":\"invalid_scope\",\"error_description\":\"AADSTS70011: "
		"The provided value for the input parameter 'scope' is not valid. "
		"The scope https://foo.microsoft.com/.default is not valid.\\r\\n"
		"Trace ID: 255d1aef-8c98-452f-ac51-23d051240864\\r\\nCorrelation "
		"ID: fb3d2015-bc17-4bb9-bb85-30c5cf1aaaa7\\r\\nTimestamp: "
		"2016-01-09 02:02:12Z\",\"error_codes\":[70011],\"timestamp\":"
		"\"2016-01-09 02:02:12Z\",\"trace_id\":"
		"\"255d1aef-8c98-452f-ac51-23d051240864\",\"correlation_id\":"
		"\"fb3d2015-bc17-4bb9-bb85-30c5cf1aaaa7\",\"error_uri\":"
		"\"https://login.microsoftonline.com/error?code=70011\"}";
	const char *secret =
		"{\"error\":\"invalid_client\",\"error_description\":"
		"\"AADSTS7000215: Invalid client secret provided. Ensure the "
		"secret being sent in the request is the client secret value, "
		"not the client secret ID, for a secret added to app "
		"'535fb089-9ff3-47b6-9bfb-4f1264799865'.\\r\\nTrace ID: x\","
		"\"error_codes\":[7000215],\"trace_id\":\"t-1\","
		"\"correlation_id\":\"c-1\"}";

	CHECK(sspr_gj_error(scope, strlen(scope), &e) == 0);
	CHECK_STR(e.code, "invalid_scope");
	CHECK(e.aadsts == 70011);
	CHECK_STR(e.request_id, "255d1aef-8c98-452f-ac51-23d051240864");
	CHECK_STR(e.client_request_id, "fb3d2015-bc17-4bb9-bb85-30c5cf1aaaa7");
	/* first line only, and cut to the buffer */
	CHECK(strncmp(e.message, "AADSTS70011: The provided value", 31) == 0);
	CHECK(strchr(e.message, '\r') == NULL);
	CHECK(strstr(e.message, "Trace ID") == NULL);
	CHECK(strlen(e.message) < sizeof(e.message));

	CHECK(sspr_gj_error(secret, strlen(secret), &e) == 0);
	CHECK_STR(e.code, "invalid_client");
	CHECK(e.aadsts == 7000215);
	CHECK_STR(e.request_id, "t-1");
	CHECK(strstr(e.message, "Invalid client secret provided") != NULL);

	/* minimal: just the error */
	CHECK(sspr_gj_error("{\"error\":\"unauthorized_client\"}",
			    strlen("{\"error\":\"unauthorized_client\"}"), &e) == 0);
	CHECK_STR(e.code, "unauthorized_client");
	CHECK(e.aadsts == 0);
	CHECK_STR(e.message, "");
}

static void
test_graph_errors(void)
{
	struct sspr_graph_error e;
	const char *denied =
		"{\"error\":{\"code\":\"Authorization_RequestDenied\","
		"\"message\":\"Insufficient privileges to complete the "
		"operation.\",\"innerError\":{\"date\":\"2021-04-16T08:26:49\","
		"\"request-id\":\"40cceaa0-fba4-495a-82d8-23d2eec3177e\","
		"\"client-request-id\":\"40cceaa0-fba4-495a-82d8-23d2eec3177f\"}"
		"}}";
	const char *notfound =
		"{\"error\":{\"code\":\"Request_ResourceNotFound\",\"message\":"
		"\"Resource '68be84bf-a585-4776-80b3-30aa5207aa22' does not "
		"exist or one of its queried reference-property objects are not "
		"present.\",\"innerError\":{\"date\":\"2023-02-17T22:44:21\","
		"\"request-id\":\"25519ac1-0000-0000-0000-000000000000\"}}}";
	const char *mailbox =
		"{\"error\":{\"code\":\"MailboxNotEnabledForRESTAPI\",\"message\":"
		"\"The mailbox is either inactive, soft-deleted, or is hosted "
		"on-premise.\"}}";
	const char *complexity =
		"{\"error\":{\"code\":\"Request_BadRequest\",\"message\":\"The "
		"specified password does not comply with password complexity "
		"requirements. Please provide a different password.\","
		"\"innerError\":{\"date\":\"2024-01-01T00:00:00\",\"request-id\":"
		"\"r\",\"client-request-id\":\"c\"},\"details\":[],"
		"\"target\":null}}";

	CHECK(sspr_gj_error(denied, strlen(denied), &e) == 0);
	CHECK_STR(e.code, "Authorization_RequestDenied");
	CHECK_STR(e.message,
		  "Insufficient privileges to complete the operation.");
	CHECK_STR(e.request_id, "40cceaa0-fba4-495a-82d8-23d2eec3177e");
	CHECK_STR(e.client_request_id, "40cceaa0-fba4-495a-82d8-23d2eec3177f");
	CHECK(e.aadsts == 0);

	CHECK(sspr_gj_error(notfound, strlen(notfound), &e) == 0);
	CHECK_STR(e.code, "Request_ResourceNotFound");
	CHECK_STR(e.request_id, "25519ac1-0000-0000-0000-000000000000");
	CHECK_STR(e.client_request_id, "");

	CHECK(sspr_gj_error(mailbox, strlen(mailbox), &e) == 0);
	CHECK_STR(e.code, "MailboxNotEnabledForRESTAPI");
	CHECK_STR(e.request_id, "");

	CHECK(sspr_gj_error(complexity, strlen(complexity), &e) == 0);
	CHECK_STR(e.code, "Request_BadRequest");
	CHECK(strstr(e.message, "complexity") != NULL);
}

static void
error_bad(const char *body)
{
	struct sspr_graph_error e;

	if (sspr_gj_error(body, strlen(body), &e) != -EBADMSG)
		fprintf(stderr, "  accepted error body: %s\n", body);
	CHECK(sspr_gj_error(body, strlen(body), &e) == -EBADMSG);
}

static void
test_error_hostile(void)
{
	struct sspr_graph_error e;
	const char *ctl;
	const char *ids;
	char *big;
	size_t n;

	error_bad("");
	error_bad("<html>502 Bad Gateway</html>");
	error_bad("{}");
	error_bad("{\"error\":5}");
	error_bad("{\"error\":null}");
	error_bad("{\"error\":\"\"}");
	error_bad("{\"error\":{}}");
	error_bad("{\"error\":{\"code\":7}}");
	error_bad("{\"error\":{\"code\":\"\"}}");
	error_bad("{\"error\":{\"code\":\"x\",\"message\":[]}}");
	error_bad("{\"error\":{\"code\":\"x\",\"innerError\":\"y\"}}");
	error_bad("{\"error\":\"x\",\"error_codes\":\"70011\"}");
	error_bad("{\"error\":\"x\",\"error_codes\":[\"70011\"]}");
	error_bad("{\"error\":\"x\",\"error_codes\":[-1]}");
	error_bad("{\"error\":\"x\",\"error_description\":5}");
	/* control characters and non-ASCII never reach the log as such */
	ctl = "{\"error\":{\"code\":\"a\\u001b[31mb\",\"message\":"
	      "\"x\\u0007y\\u00e9z\\nsecond line\"}}";
	CHECK(sspr_gj_error(ctl, strlen(ctl), &e) == 0);
	CHECK_STR(e.code, "a?[31mb");
	CHECK_STR(e.message, "x?y??z");
	/* ids that are not short tokens are dropped, not cut */
	ids = "{\"error\":{\"code\":\"a\",\"innerError\":{"
	      "\"request-id\":\"a b\",\"client-request-id\":7}}}";
	CHECK(sspr_gj_error(ids, strlen(ids), &e) == 0);
	CHECK_STR(e.request_id, "");
	CHECK_STR(e.client_request_id, "");
	/* a huge message is cut to the buffer */
	n = 512 * 1024;
	big = malloc(n + 100);
	strcpy(big, "{\"error\":{\"code\":\"c\",\"message\":\"");
	n += strlen(big);
	memset(big + strlen(big), 'm', n - strlen(big));
	strcpy(big + n, "\"}}");
	CHECK(sspr_gj_error(big, strlen(big), &e) == 0);
	CHECK(strlen(e.message) == sizeof(e.message) - 1);
	free(big);
}

static void
user_bad(const char *body)
{
	struct sspr_graph_user u;

	if (sspr_gj_user(body, strlen(body), &u) != -EBADMSG)
		fprintf(stderr, "  accepted user body: %s\n", body);
	CHECK(sspr_gj_user(body, strlen(body), &u) == -EBADMSG);
}

static void
test_user(void)
{
	struct sspr_graph_user u;
	const char *cloud =
		"{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata"
		"#users(id,userPrincipalName,accountEnabled,onPremisesSyncEnabled)"
		"/$entity\",\"id\":\"68be84bf-a585-4776-80b3-30aa5207aa22\","
		"\"userPrincipalName\":\"alice@contoso.com\",\"accountEnabled\":"
		"true,\"onPremisesSyncEnabled\":null}";
	const char *synced =
		"{\"id\":\"i\",\"userPrincipalName\":\"bob@contoso.com\","
		"\"accountEnabled\":true,\"onPremisesSyncEnabled\":true}";
	const char *disabled =
		"{\"id\":\"i\",\"userPrincipalName\":\"c@contoso.com\","
		"\"accountEnabled\":false,\"onPremisesSyncEnabled\":false}";
	const char *absent =
		"{\"id\":\"i\",\"userPrincipalName\":\"d@contoso.com\","
		"\"accountEnabled\":true}";

	CHECK(sspr_gj_user(cloud, strlen(cloud), &u) == 0);
	CHECK_STR(u.id, "68be84bf-a585-4776-80b3-30aa5207aa22");
	CHECK_STR(u.upn, "alice@contoso.com");
	CHECK(u.account_enabled);
	CHECK(!u.on_premises_sync);
	CHECK(sspr_gj_user(synced, strlen(synced), &u) == 0);
	CHECK(u.on_premises_sync);
	CHECK(u.account_enabled);
	CHECK(sspr_gj_user(disabled, strlen(disabled), &u) == 0);
	CHECK(!u.account_enabled);
	CHECK(!u.on_premises_sync);
	CHECK(sspr_gj_user(absent, strlen(absent), &u) == 0);
	CHECK(!u.on_premises_sync);

	user_bad("{}");
	user_bad("[]");
	user_bad("{\"userPrincipalName\":\"a@b.com\",\"accountEnabled\":true}");
	user_bad("{\"id\":\"i\",\"accountEnabled\":true}");
	user_bad("{\"id\":\"i\",\"userPrincipalName\":\"a@b.com\"}");
	user_bad("{\"id\":1,\"userPrincipalName\":\"a@b.com\","
		 "\"accountEnabled\":true}");
	user_bad("{\"id\":\"\",\"userPrincipalName\":\"a@b.com\","
		 "\"accountEnabled\":true}");
	user_bad("{\"id\":\"i\",\"userPrincipalName\":\"not a upn\","
		 "\"accountEnabled\":true}");
	user_bad("{\"id\":\"i\",\"userPrincipalName\":[],"
		 "\"accountEnabled\":true}");
	user_bad("{\"id\":\"i\",\"userPrincipalName\":\"a@b.com\","
		 "\"accountEnabled\":\"true\"}");
	user_bad("{\"id\":\"i\",\"userPrincipalName\":\"a@b.com\","
		 "\"accountEnabled\":null}");
	user_bad("{\"id\":\"i\",\"userPrincipalName\":\"a@b.com\","
		 "\"accountEnabled\":1}");
	user_bad("{\"id\":\"i\",\"userPrincipalName\":\"a@b.com\","
		 "\"accountEnabled\":true,\"onPremisesSyncEnabled\":\"yes\"}");
	user_bad("{\"id\":\"i\",\"userPrincipalName\":\"a@b.com\","
		 "\"accountEnabled\":true,\"onPremisesSyncEnabled\":0}");
	user_bad("{\"id\":\"0123456789012345678901234567890123456789"
		 "012345678901234567890123\",\"userPrincipalName\":\"a@b.com\","
		 "\"accountEnabled\":true}");
}

static void
methods_bad(const char *body)
{
	char *a = NULL;

	if (sspr_gj_email_methods(body, strlen(body), &a) != -EBADMSG)
		fprintf(stderr, "  accepted emailMethods body: %s\n", body);
	CHECK(sspr_gj_email_methods(body, strlen(body), &a) == -EBADMSG);
	CHECK(a == NULL);
}

static void
test_email_methods(void)
{
	const char *one =
		"{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata"
		"#users('alice%40contoso.com')/authentication/emailMethods\","
		"\"value\":[{\"id\":\"3ddfcfc8-9383-446f-83cc-3ab9be4be18f\","
		"\"emailAddress\":\"Kim@contoso.com\"}]}";
	const char *two =
		"{\"value\":[{\"id\":\"1\",\"emailAddress\":\"a@x.org\"},"
		"{\"id\":\"2\",\"emailAddress\":\"b@x.org\"}]}";
	char *a = (char *)"unset";

	CHECK(sspr_gj_email_methods(one, strlen(one), &a) == 0);
	CHECK_STR(a, "Kim@contoso.com");
	free(a);
	a = (char *)"unset";
	CHECK(sspr_gj_email_methods("{\"value\":[]}", 12, &a) == 0);
	CHECK(a == NULL);
	CHECK(sspr_gj_email_methods(two, strlen(two), &a) == 0);
	CHECK_STR(a, "a@x.org");
	free(a);

	methods_bad("{}");
	methods_bad("{\"value\":null}");
	methods_bad("{\"value\":{}}");
	methods_bad("{\"value\":[\"a@x.org\"]}");
	methods_bad("{\"value\":[{\"id\":\"1\"}]}");
	methods_bad("{\"value\":[{\"emailAddress\":5}]}");
	methods_bad("{\"value\":[{\"emailAddress\":null}]}");
	methods_bad("{\"value\":[{\"emailAddress\":\"not an address\"}]}");
	methods_bad("{\"value\":[{\"emailAddress\":\"a@x.org\\r\\nBcc: "
		    "evil@y.org\"}]}");
	methods_bad("{\"value\":[{\"emailAddress\":\"<a@x.org>\"}]}");
	methods_bad("{\"value\":[{\"emailAddress\":\"a@localhost\"}]}");
}

static void
test_phone_methods(void)
{
	/* The documented shape: "+{country} {number}", a fixed id per type. */
	const char *both =
		"{\"value\":[{\"id\":\"e37fc753-ff3b-4958-9484-eaa9425c82bc\","
		"\"phoneNumber\":\"+1 5555550100\",\"phoneType\":\"office\","
		"\"smsSignInState\":\"notSupported\"},"
		"{\"id\":\"3179e48a-750b-4051-897c-87b9720928f7\","
		"\"phoneNumber\":\"+81 9012345678\",\"phoneType\":\"mobile\","
		"\"smsSignInState\":\"notAllowedByPolicy\"}]}";
	const char *office = "{\"value\":[{\"phoneNumber\":\"+1 5555550100\","
			     "\"phoneType\":\"office\"}]}";
	const char *bad = "{\"value\":[{\"phoneNumber\":\"090-1234-5678\","
			  "\"phoneType\":\"mobile\"}]}";
	char *n = (char *)"unset";

	CHECK(sspr_gj_phone_methods(both, strlen(both), &n) == 0);
	CHECK_STR(n, "+819012345678");
	free(n);
	CHECK(sspr_gj_phone_methods(office, strlen(office), &n) == 0);
	CHECK(n == NULL);
	CHECK(sspr_gj_phone_methods("{\"value\":[]}", 12, &n) == 0);
	CHECK(n == NULL);
	CHECK(sspr_gj_phone_methods(bad, strlen(bad), &n) == -EBADMSG);
	CHECK(n == NULL);
	CHECK(sspr_gj_phone_methods("{}", 2, &n) == -EBADMSG);
	CHECK(sspr_gj_phone_methods("[]", 2, &n) == -EBADMSG);
}

static void
test_email_ok(void)
{
	static const char *good[] = { "a@x.org", "first.last+tag@sub.x.co.uk",
				      "o'neil@x.org", "K_i-m@x-y.org" };
	static const char *bad[] = { "",	     "a",	   "@x.org",
				     "a@",	     "a@x",	   "a@@x.org",
				     "a b@x.org",    "a@x .org",   "a,b@x.org",
				     "a;b@x.org",    "\"a\"@x.org", "a@x..org",
				     "a@.x.org",     "a@x.org.",   "a@-x.org",
				     "a@x_y.org",    "a\x7f@x.org", "\xc3\xa9@x.org",
				     "a\n@x.org",    "a:b@x.org" };
	char local[80];
	char addr[300];
	size_t i;

	for (i = 0; i < SSPR_ARRAY_SIZE(good); i++)
		CHECK(sspr_address_ok(good[i]) == 0);
	for (i = 0; i < SSPR_ARRAY_SIZE(bad); i++) {
		if (sspr_address_ok(bad[i]) == 0)
			fprintf(stderr, "  accepted '%s'\n", bad[i]);
		CHECK(sspr_address_ok(bad[i]) == -EINVAL);
	}
	CHECK(sspr_address_ok(NULL) == -EINVAL);
	memset(local, 'a', 65);
	local[65] = '\0';
	snprintf(addr, sizeof(addr), "%s@x.org", local);
	CHECK(sspr_address_ok(addr) == -EINVAL);
	local[64] = '\0';
	snprintf(addr, sizeof(addr), "%s@x.org", local);
	CHECK(sspr_address_ok(addr) == 0);
}

static void
test_print_secret(void)
{
	cJSON *root = cJSON_CreateObject();
	char *text = NULL;

	cJSON_AddStringToObject(root, "password", "p\"w\\d\x01");
	CHECK(sspr_gj_print_secret(root, 200, &text) == 0);
	CHECK_STR(text, "{\"password\":\"p\\\"w\\\\d\\u0001\"}");
	sspr_free_secret(text);
	/* too small a buffer fails cleanly (the tree is still freed) */
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "password", "0123456789");
	text = NULL;
	CHECK(sspr_gj_print_secret(root, 10, &text) == -E2BIG);
	CHECK(text == NULL);
	sspr_gj_delete_wiped(NULL);
}

/* lastPasswordChangeDateTime: how a lost PATCH answer is settled. */
static void
test_password_changed(void)
{
	time_t when = 1;

#define PC(json, want_r, want_when)                                           \
	do {                                                                   \
		when = 1;                                                      \
		CHECK(sspr_gj_password_changed(json, strlen(json), &when) ==  \
		      (want_r));                                               \
		if ((want_r) == 0)                                             \
			CHECK(when == (time_t)(want_when));                    \
	} while (0)
	PC("{\"lastPasswordChangeDateTime\":\"2026-11-25T14:41:05Z\"}", 0,
	   1795617665);
	PC("{\"lastPasswordChangeDateTime\":\"2026-11-25T14:41:05.1234567Z\"}",
	   0, 1795617665);
	PC("{\"lastPasswordChangeDateTime\":null}", 0, 0);
	PC("{\"lastPasswordChangeDateTime\":\"2026-11-25T14:41:05\"}",
	   -EBADMSG, 0);
	PC("{\"lastPasswordChangeDateTime\":\"2026-11-25T14:41:05+02:00\"}",
	   -EBADMSG, 0);
	PC("{\"lastPasswordChangeDateTime\":\"yesterday\"}", -EBADMSG, 0);
	PC("{\"lastPasswordChangeDateTime\":12345}", -EBADMSG, 0);
	PC("{}", -EBADMSG, 0);
	PC("[1]", -EBADMSG, 0);
#undef PC
}

static void
test_member_groups(void)
{
	static const char *const ids[] = {
		"11111111-1111-4111-8111-111111111111",
		"22222222-2222-4222-8222-222222222222",
	};
	static const char *const bad[] = {
		"{}",
		"{\"value\":null}",
		"{\"value\":{}}",
		"{\"value\":[5]}",
		"{\"value\":[null]}",
		"{\"value\":[[\"11111111-1111-4111-8111-111111111111\"]]}",
		/* an id that was not asked about */
		"{\"value\":[\"33333333-3333-4333-8333-333333333333\"]}",
		"{\"value\":[]} junk",
		"[\"11111111-1111-4111-8111-111111111111\"]",
	};
	const char *doc = "{\"@odata.context\":\"https://graph.microsoft.com/"
		"v1.0/$metadata#Collection(Edm.String)\","
		"\"value\":[\"22222222-2222-4222-8222-222222222222\"]}";
	const char *upper = "{\"value\":[\"11111111-1111-4111-8111-"
		"111111111111\",\"22222222-2222-4222-8222-222222222222\"]}";
	bool member = false;
	size_t i;

	CHECK(sspr_gj_member_groups(doc, strlen(doc), ids, 2, &member) == 0);
	CHECK(member);
	CHECK(sspr_gj_member_groups(upper, strlen(upper), ids, 2, &member) == 0);
	CHECK(member);
	member = true;
	CHECK(sspr_gj_member_groups("{\"value\":[]}", 12, ids, 2, &member) == 0);
	CHECK(!member);
	for (i = 0; i < SSPR_ARRAY_SIZE(bad); i++) {
		member = false;
		CHECK(sspr_gj_member_groups(bad[i], strlen(bad[i]), ids, 2,
		    &member) == -EBADMSG);
		CHECK(!member);
	}
}

int
main(void)
{
	RUN(test_token_documented);
	RUN(test_token_hostile);
	RUN(test_nesting);
	RUN(test_login_errors);
	RUN(test_graph_errors);
	RUN(test_error_hostile);
	RUN(test_user);
	RUN(test_email_methods);
	RUN(test_phone_methods);
	RUN(test_email_ok);
	RUN(test_print_secret);
	RUN(test_password_changed);
	RUN(test_member_groups);
	CHECK_EXIT();
}
