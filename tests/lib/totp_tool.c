/*
 * Test helper: print our TOTP code for each stdin line
 * "BASE32KEY ALG DIGITS EPOCH" (ALG sha1|sha256|sha512, 30 s period).
 * Keys come on stdin, never in argv. Exit 1 on a malformed line.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sspr/auth/totp.h"
#include "sspr/common/config.h"
#include "sspr/common/encode.h"
#include "sspr/common/util.h"

static int
alg_from_name(const char *name, unsigned *ret_alg)
{
	static const char *const names[] = { "sha1", "sha256", "sha512" };
	unsigned i;

	for (i = 0; i < SSPR_ARRAY_SIZE(names); i++)
		if (strcmp(names[i], name) == 0) {
			*ret_alg = i;
			return 0;
		}
	return -1;
}

int
main(void)
{
	char line[1024];
	char key[512];
	char alg_name[16];
	unsigned digits;
	unsigned alg;
	int64_t epoch;
	int rc = 0;

	while (fgets(line, sizeof(line), stdin) != NULL) {
		uint8_t *raw = NULL;
		size_t len = 0;
		uint32_t code;

		if (sscanf(line, "%511s %15s %u %" SCNd64, key, alg_name,
			   &digits, &epoch) != 4 ||
		    alg_from_name(alg_name, &alg) != 0 || epoch < 0 ||
		    sspr_base32_decode(key, &raw, &len) != 0) {
			fprintf(stderr, "totp_tool: bad input line\n");
			rc = 1;
			break;
		}
		if (sspr_hotp(raw, len, alg, (uint64_t)epoch / SSPR_TOTP_PERIOD,
			      digits, &code) != 0) {
			fprintf(stderr, "totp_tool: sspr_hotp failed\n");
			rc = 1;
		} else {
			printf("%0*" PRIu32 "\n", (int)digits, code);
		}
		sspr_freezero(raw, len);
		if (rc != 0)
			break;
	}
	sspr_wipe(line, sizeof(line));
	sspr_wipe(key, sizeof(key));
	return rc;
}
