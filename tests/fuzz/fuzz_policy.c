/*
 * The new-password rules on arbitrary strings. Input: password, a NUL,
 * the user name; the last byte picks the message buffer size. Properties:
 * the answer does not depend on the buffer size, the message is
 * terminated within it, and a pass leaves it empty.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "sspr/auth/policy.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char full[2048];
	char small[256];
	const char *user;
	char *input;
	size_t smallen;
	int r_full;
	int r_small;

	if (size < 1 || size > 4096)
		return 0;
	smallen = data[size - 1];
	input = fuzz_cstring(data, size - 1);
	user = memchr(data, '\0', size - 1) != NULL ? input + strlen(input) + 1
						    : "";

	r_full = sspr_policy_check(input, user, full, sizeof(full));
	FUZZ_ASSERT(r_full == 0 || r_full == -EINVAL);
	FUZZ_ASSERT(fuzz_terminated(full, sizeof(full)));
	FUZZ_ASSERT((r_full == 0) == (full[0] == '\0'));

	memset(small, 'x', sizeof(small));
	r_small = sspr_policy_check(input, user, small, smallen);
	FUZZ_ASSERT(r_small == r_full);
	if (smallen > 0) {
		FUZZ_ASSERT(fuzz_terminated(small, smallen));
		/* a cut message is a prefix of the whole one */
		FUZZ_ASSERT(strncmp(small, full, strlen(small)) == 0);
	}
	/* nothing written past the size given */
	if (smallen < sizeof(small))
		FUZZ_ASSERT(small[smallen] == 'x');
	free(input);
	return 0;
}
