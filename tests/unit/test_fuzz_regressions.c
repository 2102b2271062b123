/*
 * Bugs the fuzzers (tests/fuzz) found, one test each, so they stay fixed
 * on machines without clang too.
 */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "sspr/policy.h"

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

int
main(void)
{
	RUN(test_policy_answer_ignores_msglen);
	CHECK_EXIT();
}
