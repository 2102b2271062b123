/*
 * Bugs the fuzzers (tests/fuzz) found, one test each, so they stay fixed
 * on machines without clang too.
 */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "sspr/auth/policy.h"
#include "sspr/m365/graph_json.h"

/*
 * fuzz_policy: with msglen 0 no sentence fitted, and sspr_policy_check()
 * answered 0 ("passes") for any password. The answer must not depend on
 * the size of the message buffer.
 */
static void
test_policy_answer_ignores_msglen(void)
{
	char msg[256];
	char tiny[4];
	size_t n;

	CHECK(sspr_policy_check("short", "bob", msg, 0) == -EINVAL);
	CHECK(sspr_policy_check("xxaliceXX99!!", "alice@contoso.com", msg, 0) ==
	      -EINVAL);
	CHECK(sspr_policy_check("Correct-Horse9", "alice", msg, 0) == 0);
	for (n = 1; n <= sizeof(tiny); n++) {
		memset(tiny, 'x', sizeof(tiny));
		CHECK(sspr_policy_check("short", "bob", tiny, n) == -EINVAL);
		CHECK(memchr(tiny, '\0', n) != NULL);
	}
}

/*
 * fuzz_graph_json: {"error":"\r5"} parsed as a login-service error whose
 * code (the first line of "error") was empty. An error without a code
 * is not the documented shape.
 */
static void
test_graph_error_needs_a_code(void)
{
	static const char *const bodies[] = {
		"{\"error\":\"\\r5\"}",
		"{\"error\":\"\\nx\",\"error_description\":\"d\"}",
		"{\"error\":{\"code\":\"\\r\\nAuthorization_RequestDenied\"}}",
	};
	struct sspr_graph_error e;
	size_t i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		CHECK(sspr_gj_error(bodies[i], strlen(bodies[i]), &e) ==
		      -EBADMSG);
	CHECK(sspr_gj_error("{\"error\":\"invalid_client\"}", 26, &e) == 0);
	CHECK_STR(e.code, "invalid_client");
}

int
main(void)
{
	RUN(test_policy_answer_ignores_msglen);
	RUN(test_graph_error_needs_a_code);
	CHECK_EXIT();
}
