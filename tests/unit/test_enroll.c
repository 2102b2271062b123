/*
 * Registering methods (enroll/email.c and enroll/totp.c, over the
 * dialogues of challenge/) over a scripted person, without root: the
 * state directory is the test's own, the code is mailed to a loopback
 * SMTP listener started here, and the app's code is computed from the
 * key the dialogue shows, with the real TOTP code.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "fake_ui.h"
#include "owner.h"
#include "smtp_sink.h"
#include "sspr/auth/totp.h"
#include "sspr/common/config.h"
#include "sspr/common/encode.h"
#include "sspr/common/store.h"
#include "sspr/common/util.h"
#include "sspr/enroll/enroll.h"

#define USER "carol"
#define ADDRESS "carol.home@example.org"
#define OTHER_ADDRESS "carol.other@example.net"

static char dir[] = "/tmp/sspr-enroll-test.XXXXXX";
static char state_dir[256];
static struct sspr_cfg cfg;
static struct smtp_sink sink;
static char last_code[16];

static void
read_mails(void)
{
	char *mail;

	while ((mail = smtp_sink_next(&sink)) != NULL) {
		char *code = mail_code(mail);

		if (code != NULL)
			snprintf(last_code, sizeof(last_code), "%s", code);
		free(code);
		free(mail);
	}
}

/*
 * A change of methods is told to the address (issue: methods never change
 * silently): one notice, to it, without the code that proved it.
 */
static void
expect_notice(void)
{
	char *mail;

	CHECK(smtp_sink_pending(&sink) == 1);
	mail = smtp_sink_next(&sink);
	CHECK(mail != NULL && strstr(mail, "To: " ADDRESS) != NULL);
	CHECK(mail != NULL && strstr(mail, "registered as the backup") != NULL);
	CHECK(mail != NULL && last_code[0] != '\0' &&
	      strstr(mail, last_code) == NULL);
	free(mail);
}

static char *
mailed_code(struct fake_ui *fake)
{
	(void)fake;
	read_mails();
	return last_code[0] != '\0' ? strdup(last_code) : NULL;
}

static char *
wrong_code(struct fake_ui *fake)
{
	char *code = mailed_code(fake);

	if (code != NULL)
		code[0] = (char)('0' + (code[0] - '0' + 1) % 10);
	return code;
}

/* The key of the otpauth:// URI the dialogue showed, malloc'd. */
static char *
shown_secret(const struct fake_ui *fake)
{
	const char *p = strstr(fake->said, "otpauth://totp/");
	size_t n;

	if (p == NULL || (p = strstr(p, "secret=")) == NULL)
		return NULL;
	p += strlen("secret=");
	n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
	return n > 0 ? strndup(p, n) : NULL;
}

static char *
code_for(const char *secret, time_t when)
{
	uint8_t *key = NULL;
	size_t len = 0;
	uint32_t code = 0;
	char buf[16];

	if (secret == NULL || sspr_base32_decode(secret, &key, &len) < 0)
		return NULL;
	CHECK(sspr_hotp(key, len, cfg.totp_algorithm,
			(uint64_t)when / SSPR_TOTP_PERIOD, cfg.totp_digits,
			&code) == 0);
	sspr_freezero(key, len);
	snprintf(buf, sizeof(buf), "%0*u", (int)cfg.totp_digits, code);
	return strdup(buf);
}

/* What the app shows now, for the key on the screen. */
static char *
app_code(struct fake_ui *fake)
{
	char *secret = shown_secret(fake);
	char *code = code_for(secret, time(NULL));

	free(secret);
	return code;
}

/* What an app with a clock two hours off would show. */
static char *
app_code_wrong_clock(struct fake_ui *fake)
{
	char *secret = shown_secret(fake);
	char *code = code_for(secret, time(NULL) - 7200);

	free(secret);
	return code;
}

static void
fresh_record(void)
{
	CHECK(sspr_store_remove(state_dir, USER) == 0);
	read_mails();
	last_code[0] = '\0';
}

static void
load_record(struct sspr_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	CHECK(sspr_store_load(state_dir, USER, rec) == 0);
}

static int
enroll_email(const char *address, struct fake_ui *fake,
	     const struct fake_step *script, size_t steps, char *log,
	     size_t loglen)
{
	struct sspr_session s = { .cfg = &cfg, .user = USER };

	fake_ui_init(fake, &s.ui, script, steps);
	return sspr_enroll_email(&s, address, log, loglen);
}

static int
enroll_totp(struct fake_ui *fake, const struct fake_step *script, size_t steps,
	    char *log, size_t loglen)
{
	struct sspr_session s = { .cfg = &cfg, .user = USER };

	fake_ui_init(fake, &s.ui, script, steps);
	return sspr_enroll_totp(&s, log, loglen);
}

#define ENROLL_EMAIL(address, fake, script, log)                               \
	enroll_email(address, fake, script,                                    \
		     sizeof(script) / sizeof((script)[0]), log, sizeof(log))
#define ENROLL_TOTP(fake, script, log)                                         \
	enroll_totp(fake, script, sizeof(script) / sizeof((script)[0]), log,   \
		    sizeof(log))

/* --- email ------------------------------------------------------------------
 */

static void
test_email_registered(void)
{
	static const struct fake_step script[] = {
		{ "Code from the mail: ", NULL, wrong_code },
		{ "Code from the mail: ", NULL, mailed_code },
	};
	struct sspr_record rec;
	struct fake_ui fake;
	char log[256] = "";

	fresh_record();
	CHECK(ENROLL_EMAIL(ADDRESS, &fake, script, log) == 0);
	CHECK(fake_ui_done(&fake));
	CHECK(fake_said(&fake, "A code was sent to c"));
	CHECK(fake_said(&fake, "error: That code is not correct. 2 attempts "
			       "left."));
	CHECK(fake_said(&fake, "Your backup email address c"));
	CHECK_STR(log, "backup email address registered (notice mailed to the "
		       "new address)");
	load_record(&rec);
	CHECK_STR(rec.email, ADDRESS);
	CHECK(rec.enroll_code.hash == NULL);
	sspr_record_done(&rec);
	/* the code never reaches the log line */
	CHECK(last_code[0] != '\0' && strstr(log, last_code) == NULL);
	expect_notice();

	/* the same address again: nothing to do, no mail */
	CHECK(enroll_email(ADDRESS, &fake, script, 0, log, sizeof(log)) == 0);
	CHECK(fake_said(&fake, "This address is registered already."));
	CHECK(smtp_sink_pending(&sink) == 0);
}

/* Until the code is typed back the address is not registered. */
static void
test_email_not_until_typed_back(void)
{
	static const struct fake_step give_up[] = {
		{ "Code from the mail: ", "", NULL },
	};
	static const struct fake_step again[] = {
		{ "Code from the mail: ", NULL, mailed_code },
	};
	struct sspr_record rec;
	struct fake_ui fake;
	char log[256] = "";

	fresh_record();
	CHECK(ENROLL_EMAIL(ADDRESS, &fake, give_up, log) == -ECANCELED);
	CHECK(fake_ui_done(&fake));
	CHECK_STR(log, "cancelled at the code prompt");
	load_record(&rec);
	CHECK(rec.email == NULL && rec.enroll_code.hash != NULL);
	sspr_record_done(&rec);
	/* running it again: the pending code, no second mail */
	CHECK(smtp_sink_pending(&sink) == 1);
	CHECK(ENROLL_EMAIL(ADDRESS, &fake, again, log) == 0);
	CHECK(fake_ui_done(&fake));
	CHECK(fake_said(&fake, "A code was already sent to c"));
	expect_notice();
	load_record(&rec);
	CHECK_STR(rec.email, ADDRESS);
	sspr_record_done(&rec);
}

static void
test_email_wrong_codes(void)
{
	static const struct fake_step script[] = {
		{ "Code from the mail: ", NULL, wrong_code },
		{ "Code from the mail: ", "not a code", NULL },
		{ "Code from the mail: ", NULL, wrong_code },
	};
	struct sspr_record rec;
	struct fake_ui fake;
	char log[256] = "";

	fresh_record();
	CHECK(ENROLL_EMAIL(ADDRESS, &fake, script, log) == -EACCES);
	CHECK(fake_ui_done(&fake));
	/* something that is not a code at all costs an attempt too */
	CHECK(fake_said(&fake, "1 attempt left."));
	CHECK(fake_said(&fake, "no attempts are left"));
	CHECK_STR(log, "wrong code, no attempts left");
	load_record(&rec);
	CHECK(rec.email == NULL);
	sspr_record_done(&rec);
}

static void
test_email_refusals(void)
{
	static const struct fake_step keep[] = {
		{ "Replace it with the new one? [y/N] ", "", NULL },
	};
	static const struct fake_step none[] = { { "never", NULL, NULL } };
	struct sspr_record rec = { 0 };
	struct fake_ui fake;
	char log[256] = "";

	fresh_record();
	CHECK(enroll_email("not an address", &fake, none, 0, log,
			   sizeof(log)) == -EINVAL);
	CHECK(fake_said(&fake, "That is not an email address"));
	CHECK_STR(log, "unusable address");

	/* the Microsoft 365 address itself is no backup */
	free(cfg.upn_format);
	cfg.upn_format = sspr_strdup("%u@example.org");
	CHECK(enroll_email(USER "@example.org", &fake, none, 0, log,
			   sizeof(log)) == -EINVAL);
	CHECK(fake_said(&fake, "This is the address of your Microsoft 365 "
			       "account."));
	free(cfg.upn_format);
	cfg.upn_format = sspr_strdup("%u");

	/* another address is registered: Enter keeps it */
	rec.email = sspr_strdup(OTHER_ADDRESS);
	CHECK(sspr_store_save(state_dir, USER, &rec) == 0);
	sspr_record_done(&rec);
	CHECK(ENROLL_EMAIL(ADDRESS, &fake, keep, log) == -ECANCELED);
	CHECK(fake_ui_done(&fake));
	CHECK(fake_said(&fake, "Nothing was changed."));
	load_record(&rec);
	CHECK_STR(rec.email, OTHER_ADDRESS);
	sspr_record_done(&rec);

	/* the method is off on this computer */
	cfg.methods = SSPR_METHOD_TOTP;
	CHECK(enroll_email(ADDRESS, &fake, none, 0, log, sizeof(log)) ==
	      -ENOTSUP);
	cfg.methods = SSPR_METHOD_EMAIL | SSPR_METHOD_TOTP;
	CHECK(smtp_sink_pending(&sink) == 0);
}

/* The mail cannot be sent: the person hears it, no code stays pending. */
static void
test_email_mail_fails(void)
{
	static const struct fake_step none[] = { { "never", NULL, NULL } };
	struct sspr_record rec;
	struct fake_ui fake;
	char log[256] = "";

	fresh_record();
	smtp_sink_refuse(&sink, true);
	CHECK(enroll_email(ADDRESS, &fake, none, 0, log, sizeof(log)) < 0);
	smtp_sink_refuse(&sink, false);
	CHECK(fake_ui_done(&fake));
	CHECK(fake_said(&fake, "error: The code could not be sent."));
	CHECK(strncmp(log, "cannot send the code: ", 22) == 0);
	load_record(&rec);
	CHECK(rec.enroll_code.hash == NULL && rec.email == NULL);
	sspr_record_done(&rec);
}

/* A state directory someone else owns: nothing is saved, and why. */
static void
test_email_untrusted_state(void)
{
	static const struct fake_step none[] = { { "never", NULL, NULL } };
	struct fake_ui fake;
	char log[256] = "";

	fresh_record();
	test_foreign_begin(state_dir);
	CHECK(enroll_email(ADDRESS, &fake, none, 0, log, sizeof(log)) ==
	      -EPERM);
	test_foreign_end(state_dir);
	CHECK(fake_said(&fake, "Nothing could be saved: the owner or "
			       "permissions of the state directory or the "
			       "record are not safe."));
	CHECK(smtp_sink_pending(&sink) == 0);
}

/* --- authenticator app ------------------------------------------------------
 */

static void
test_totp_registered(void)
{
	static const struct fake_step script[] = {
		{ "Code from your authenticator app: ", NULL,
		  app_code_wrong_clock },
		{ "Code from your authenticator app: ", NULL, app_code },
	};
	struct sspr_record rec;
	struct fake_ui fake;
	char log[256] = "";
	char *secret;

	fresh_record();
	CHECK(ENROLL_TOTP(&fake, script, log) == 0);
	CHECK(fake_ui_done(&fake));
	CHECK(fake_said(&fake, "Scan this QR code"));
	CHECK(fake_said(&fake, "error: That code is not correct."));
	CHECK(fake_said(&fake, "Your authenticator app is registered."));
	/* no backup address yet: nobody to tell */
	CHECK_STR(log, "authenticator app registered (no notice: no address "
		       "to mail)");
	secret = shown_secret(&fake);
	CHECK(secret != NULL && strlen(secret) == 32);
	/* the key to type by hand, in groups of four, is the same key */
	if (secret != NULL) {
		char grouped[16];

		snprintf(grouped, sizeof(grouped), "\n  %.4s %.4s ", secret,
			 secret + 4);
		CHECK(fake_said(&fake, grouped));
	}
	load_record(&rec);
	CHECK_STR(rec.totp_secret, secret);
	CHECK(rec.totp_digits == 6 && rec.totp_period == SSPR_TOTP_PERIOD);
	/* the code just typed is spent */
	CHECK(rec.totp_last_step >=
	      (uint64_t)time(NULL) / SSPR_TOTP_PERIOD - 1);
	sspr_record_done(&rec);
	free(secret);
}

static void
test_totp_wrong_codes(void)
{
	static const struct fake_step script[] = {
		{ "Code from your authenticator app: ", "000000x", NULL },
		{ "Code from your authenticator app: ", NULL,
		  app_code_wrong_clock },
		{ "Code from your authenticator app: ", NULL,
		  app_code_wrong_clock },
	};
	static const struct fake_step cancel[] = {
		{ "Code from your authenticator app: ", "", NULL },
	};
	struct sspr_record rec;
	struct fake_ui fake;
	char log[256] = "";

	fresh_record();
	CHECK(ENROLL_TOTP(&fake, script, log) == -EACCES);
	CHECK(fake_ui_done(&fake));
	CHECK(fake_said(&fake, "The code was not accepted, so nothing was "
			       "registered."));
	CHECK_STR(log, "wrong codes from the app");
	CHECK(sspr_store_load(state_dir, USER, &rec) == -ENOENT ||
	      rec.totp_secret == NULL);
	sspr_record_done(&rec);

	CHECK(ENROLL_TOTP(&fake, cancel, log) == -ECANCELED);
	CHECK(fake_ui_done(&fake));
	CHECK_STR(log, "cancelled at the code prompt");
}

/* An app is registered: replacing it is asked first; Enter keeps it. */
static void
test_totp_replace(void)
{
	static const struct fake_step keep[] = {
		{ "Replace it with a new one?", "n", NULL },
	};
	static const struct fake_step replace[] = {
		{ "Replace it with a new one?", "y", NULL },
		{ "Code from your authenticator app: ", NULL, app_code },
	};
	struct sspr_record rec = { 0 };
	struct fake_ui fake;
	char log[256] = "";
	char *secret;

	fresh_record();
	rec.totp_secret = sspr_strdup("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
	rec.totp_digits = 6;
	rec.totp_period = SSPR_TOTP_PERIOD;
	CHECK(sspr_store_save(state_dir, USER, &rec) == 0);
	sspr_record_done(&rec);

	CHECK(ENROLL_TOTP(&fake, keep, log) == -ECANCELED);
	CHECK(fake_ui_done(&fake));
	CHECK_STR(log, "kept the old authenticator app");
	load_record(&rec);
	CHECK_STR(rec.totp_secret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
	sspr_record_done(&rec);

	CHECK(ENROLL_TOTP(&fake, replace, log) == 0);
	CHECK(fake_ui_done(&fake));
	secret = shown_secret(&fake);
	load_record(&rec);
	CHECK(secret != NULL);
	CHECK_STR(rec.totp_secret, secret);
	CHECK(strcmp(rec.totp_secret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ") != 0);
	sspr_record_done(&rec);
	free(secret);
}

/* Both methods in one record: each dialogue keeps the other's method. */
static void
test_both_methods_kept(void)
{
	static const struct fake_step mail[] = {
		{ "Code from the mail: ", NULL, mailed_code },
	};
	static const struct fake_step app[] = {
		{ "Code from your authenticator app: ", NULL, app_code },
	};
	struct sspr_record rec;
	struct fake_ui fake;
	char log[256] = "";

	fresh_record();
	CHECK(ENROLL_TOTP(&fake, app, log) == 0);
	CHECK(ENROLL_EMAIL(ADDRESS, &fake, mail, log) == 0);
	load_record(&rec);
	CHECK_STR(rec.email, ADDRESS);
	CHECK(rec.totp_secret != NULL);
	CHECK(sspr_record_method_count(&rec, SSPR_METHOD_EMAIL |
						 SSPR_METHOD_TOTP) == 2);
	sspr_record_done(&rec);
}

static int
setup(void)
{
	char path[256];
	char conf[2048];
	char err[SSPR_ERR_MAX] = "";

	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(state_dir, sizeof(state_dir), "%s/state", dir);
	snprintf(path, sizeof(path), "%s/mail", dir);
	if (mkdir(state_dir, 0700) != 0 || mkdir(path, 0700) != 0)
		return -1;
	if (smtp_sink_start(&sink, path) < 0)
		return -1;
	if (!smtp_sink_reachable(&sink))
		return -ENETUNREACH;
	snprintf(conf, sizeof(conf),
		 "enable = all\nstate_dir = %s\nsync = off\n"
		 "smtp_url = smtp://127.0.0.1:%u\nsmtp_starttls = no\n"
		 "mail_from = sspr@example.org\nissuer = Example Host\n",
		 state_dir, sink.port);
	if (sspr_cfg_defaults(&cfg) < 0 ||
	    sspr_cfg_parse_buffer(&cfg, "test.conf", conf, strlen(conf), err,
				  sizeof(err)) < 0 ||
	    sspr_cfg_finish(&cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "config: %s\n", err);
		return -1;
	}
	return 0;
}

int
main(void)
{
	char cmd[300];
	int rc;
	int r;

	r = setup();
	if (r == -ENETUNREACH) {
		printf("SKIP: the loopback network is down here\n");
		smtp_sink_stop(&sink);
		return 77;
	}
	if (r < 0) {
		printf("FAIL: set-up\n");
		smtp_sink_stop(&sink);
		return 1;
	}
	RUN(test_email_registered);
	RUN(test_email_not_until_typed_back);
	RUN(test_email_wrong_codes);
	RUN(test_email_refusals);
	RUN(test_email_mail_fails);
	RUN(test_email_untrusted_state);
	RUN(test_totp_registered);
	RUN(test_totp_wrong_codes);
	RUN(test_totp_replace);
	RUN(test_both_methods_kept);
	smtp_sink_stop(&sink);
	sspr_cfg_done(&cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	rc = system(cmd);
	(void)rc;
	CHECK_EXIT();
}
