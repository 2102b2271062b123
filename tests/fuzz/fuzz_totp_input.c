/*
 * Codes as a person types them, checked against a fixed TOTP key
 * (sspr_totp_verify) and against a pending email code (sspr_code_verify).
 * Input: algorithm, digits, window, 8 bytes of clock (little endian),
 * then the typed text.
 * Properties: a code is refused as malformed exactly when it is not
 * "digits digits with blanks around and at most one space inside"; an
 * accepted TOTP code is the HOTP value of a step inside the window, and
 * the same code is never accepted twice; an email code is accepted only
 * when it is the one issued, and a refusal costs one attempt.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "sspr/auth/otp_code.h"
#include "sspr/auth/totp.h"
#include "sspr/common/config.h"
#include "sspr/common/encode.h"
#include "sspr/common/store.h"
#include "sspr/common/util.h"

/* RFC 6238's test key "12345678901234567890". */
#define TOTP_KEY "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
#define HEADER 11
#define YEAR_2100 4102444800ull

static char state_dir[256];
static struct sspr_cfg cfg;
static struct sspr_record issued;
static char *issued_code;

static void
cleanup(void)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/code.key", state_dir);
	unlink(path);
	rmdir(state_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	time_t now = 1700000000;

	(void)argc;
	(void)argv;
	snprintf(state_dir, sizeof(state_dir), "%s/sspr-fuzz-XXXXXX",
		 tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(state_dir) == NULL)
		abort();
	atexit(cleanup);
	if (sspr_cfg_defaults(&cfg) < 0)
		abort();
	free(cfg.state_dir);
	cfg.state_dir = strdup(state_dir);
	cfg.code_attempts = 10;
	if (sspr_code_issue(&cfg, &issued, "alice", "reset",
			    "alice@example.org", now, &issued_code) < 0)
		abort();
	return 0;
}

/* The rule, written out again: blanks around, one space inside. */
static bool
well_formed(const char *s, unsigned digits, char *ret_digits)
{
	const char *end;
	unsigned n = 0;
	bool space = false;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && strchr(" \t\r\n", end[-1]) != NULL)
		end--;
	for (; s < end; s++) {
		if (*s >= '0' && *s <= '9') {
			if (n == digits)
				return false;
			ret_digits[n++] = *s;
		} else if (*s == ' ' && n > 0 && !space) {
			space = true;
		} else {
			return false;
		}
	}
	ret_digits[n] = '\0';
	return n == digits;
}

static void
check_totp(unsigned alg, unsigned digits, unsigned window, time_t now,
	   const char *typed)
{
	struct sspr_record rec = {
		.totp_secret = (char *)TOTP_KEY,
		.totp_algorithm = alg,
		.totp_digits = digits,
		.totp_period = SSPR_TOTP_PERIOD,
	};
	char plain[16];
	char want[16];
	uint64_t counter = (uint64_t)now / SSPR_TOTP_PERIOD;
	uint8_t *key = NULL;
	size_t key_len = 0;
	uint32_t value;
	bool ok_form = well_formed(typed, digits, plain);
	int r;

	r = sspr_totp_verify(&rec, typed, now, window);
	FUZZ_ASSERT(r == 0 || r == -EACCES || r == -EINVAL);
	FUZZ_ASSERT((r == -EINVAL) == !ok_form);
	if (r != 0) {
		FUZZ_ASSERT(rec.totp_last_step == 0);
		return;
	}
	FUZZ_ASSERT(rec.totp_last_step + window >= counter &&
		    rec.totp_last_step <= counter + window);
	FUZZ_ASSERT(sspr_base32_decode(TOTP_KEY, &key, &key_len) == 0);
	FUZZ_ASSERT(sspr_hotp(key, key_len, alg, rec.totp_last_step, digits,
			      &value) == 0);
	snprintf(want, sizeof(want), "%0*u", (int)digits, (unsigned)value);
	FUZZ_ASSERT(strcmp(want, plain) == 0);
	/* never twice */
	FUZZ_ASSERT(sspr_totp_verify(&rec, typed, now, window) == -EACCES);
	free(key);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? sspr_strdup(s) : NULL;
}

static void
check_email_code(const char *typed)
{
	struct sspr_record rec = issued;
	char plain[16];
	bool ok_form = well_formed(typed, cfg.code_length, plain);
	int r;

	rec.reset_code.hash = dup_or_null(issued.reset_code.hash);
	rec.reset_code.address = dup_or_null(issued.reset_code.address);
	r = sspr_code_verify(&cfg, &rec, "alice", "reset", typed,
			     issued.reset_code.sent + 1);
	FUZZ_ASSERT(r == 0 || r == -EACCES);
	if (r == 0) {
		FUZZ_ASSERT(ok_form && strcmp(plain, issued_code) == 0);
		FUZZ_ASSERT(rec.reset_code.hash == NULL);
	} else {
		FUZZ_ASSERT(!ok_form || strcmp(plain, issued_code) != 0);
		FUZZ_ASSERT(rec.reset_code.attempts_left ==
			    issued.reset_code.attempts_left - 1);
	}
	sspr_record_done(&rec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t now = 0;
	char *typed;
	int i;

	if (size < HEADER || size > 256)
		return 0;
	for (i = 7; i >= 0; i--)
		now = (now << 8) | data[3 + i];
	now %= YEAR_2100;
	typed = fuzz_cstring(data + HEADER, size - HEADER);
	check_totp(data[0] % 3, 6 + data[1] % 3, data[2] % 11, (time_t)now,
		   typed);
	check_email_code(typed);
	free(typed);
	return 0;
}
