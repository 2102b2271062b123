/*
 * sspr.conf parser on arbitrary bytes: sspr_cfg_parse_buffer() over the
 * defaults, then the cross-key checks of sspr_cfg_finish(), then
 * sspr_cfg_done(). ASan/UBSan catch memory errors and leaks; the
 * properties below catch wrong answers.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "sspr/common/config.h"

#define NAME "fuzz.conf"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const choice_keys[] = {
		"enable", "after_reset", "enroll_at_login", "totp_algorithm",
		"sync", "email_source", "mail_transport",
	};
	struct sspr_cfg cfg;
	char err[SSPR_ERR_MAX];
	size_t i;
	int r;

	if (size > SSPR_CONF_MAX_SIZE)
		return 0;
	if (sspr_cfg_defaults(&cfg) < 0)
		abort();
	memset(err, 'x', sizeof(err));
	r = sspr_cfg_parse_buffer(&cfg, NAME, (const char *)data, size, err,
				  sizeof(err));
	FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -E2BIG || r == -ERANGE ||
		    r == -ENOMEM);
	if (r < 0) {
		/* "fuzz.conf:LINE: what" */
		FUZZ_ASSERT(fuzz_terminated(err, sizeof(err)));
		FUZZ_ASSERT(strncmp(err, NAME ":", strlen(NAME ":")) == 0);
	} else {
		r = sspr_cfg_finish(&cfg, err, sizeof(err));
		FUZZ_ASSERT(r == 0 || r == -EINVAL);
		if (r < 0)
			FUZZ_ASSERT(fuzz_terminated(err, sizeof(err)));
		else
			FUZZ_ASSERT(cfg.sync != SSPR_SYNC_AUTO);
	}
	/* Whatever was accepted stays within its documented range. */
	FUZZ_ASSERT(cfg.methods != 0 &&
		    (cfg.methods & ~(SSPR_METHOD_EMAIL | SSPR_METHOD_TOTP)) == 0);
	FUZZ_ASSERT(cfg.methods_required >= 1 && cfg.methods_required <= 2);
	FUZZ_ASSERT(cfg.code_length >= 6 && cfg.code_length <= 8);
	FUZZ_ASSERT(cfg.totp_digits >= 6 && cfg.totp_digits <= 8);
	FUZZ_ASSERT(cfg.totp_window <= 10);
	FUZZ_ASSERT(cfg.fail_delay <= 10);
	FUZZ_ASSERT(cfg.state_dir == NULL || cfg.state_dir[0] == '/');
	FUZZ_ASSERT(sspr_cfg_choice_name("enable", cfg.enable) != NULL);
	FUZZ_ASSERT(sspr_cfg_choice_name("totp_algorithm",
					 cfg.totp_algorithm) != NULL);
	for (i = 0; i < sizeof(choice_keys) / sizeof(choice_keys[0]); i++)
		(void)sspr_cfg_choice_name(choice_keys[i], 0);
	(void)sspr_cfg_service_listed(&cfg, "login");
	(void)sspr_cfg_service_listed(&cfg, "x");
	sspr_cfg_done(&cfg);
	return 0;
}
