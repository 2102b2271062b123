/*
 * The reset branch (reset/, challenge/, change/apply.c) over a scripted
 * person, without root: the state directory is the test's own, mail goes
 * to a loopback SMTP listener started here, TOTP codes come from the real TOTP
 * code, and the local password is set by a fake in place of the nested
 * pam_chauthtok. Runs as any user; the account reset is "nobody", which
 * every Debian system has and which is never root.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "check.h"
#include "fake_ui.h"
#include "owner.h"
#include "smtp_sink.h"
#include "sspr/auth/totp.h"
#include "sspr/change/apply.h"
#include "sspr/change/local_password.h"
#include "sspr/common/config.h"
#include "sspr/common/encode.h"
#include "sspr/common/journal.h"
#include "sspr/common/store.h"
#include "sspr/common/util.h"
#include "sspr/reset/reset.h"

#define USER "nobody"
#define ADDRESS "backup.nobody@example.org"
#define NEW_PASSWORD "Fresh#Pass42x"
/* 80-bit key, base32, as an enrolled app would have it */
#define TOTP_SECRET "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

static char dir[] = "/tmp/sspr-flow-test.XXXXXX";
static char state_dir[256];
static char faillock_args[256];
static struct sspr_cfg cfg;
static struct smtp_sink sink;
static pam_handle_t *pamh;
static char last_code[16];

/* --- the local password, faked ------------------------------------------ */

static struct {
	unsigned sets;
	unsigned refuse; /* refuse this many set() calls */
	char password[128];
	unsigned reads;
	unsigned swaps;
	struct sspr_shadow_fields shadow; /* the entry as it is now */
	struct spwd spwd;		  /* what the account check sees */
} local;

static const struct sspr_shadow_fields old_fields = { "$y$old", "19000" };
static const struct sspr_shadow_fields new_fields = { "$y$new", "20000" };

/* The test's user is real (nobody), its shadow entry is not. */
static const struct passwd *
fake_account(pam_handle_t *h, const char *user)
{
	(void)h;
	return getpwnam(user);
}

static const struct spwd *
fake_shadow(pam_handle_t *h, const char *user)
{
	(void)h;
	local.spwd = (struct spwd){ .sp_namp = (char *)user,
				    .sp_pwdp = local.shadow.hash,
				    .sp_lstchg = 19000,
				    .sp_min = 0,
				    .sp_max = 99999,
				    .sp_warn = 7,
				    .sp_inact = -1,
				    .sp_expire = -1 };
	return &local.spwd;
}

static int
fake_set(const struct sspr_cfg *c, const char *user, const char *password,
	 char *msg, size_t msglen)
{
	(void)c;
	CHECK_STR(user, USER);
	local.sets++;
	snprintf(local.password, sizeof(local.password), "%s", password);
	if (local.refuse > 0) {
		local.refuse--;
		snprintf(msg, msglen, "BAD PASSWORD: it is too simplistic");
		return -EPERM;
	}
	local.shadow = new_fields;
	return 0;
}

static int
fake_read(const char *user, struct sspr_shadow_fields *ret)
{
	CHECK_STR(user, USER);
	local.reads++;
	*ret = local.shadow;
	return 0;
}

/* As the host's: only from the state the caller saw. */
static int
fake_swap(const char *user, const struct sspr_shadow_fields *from,
	  const struct sspr_shadow_fields *to)
{
	CHECK_STR(user, USER);
	local.swaps++;
	if (!sspr_shadow_fields_eq(&local.shadow, from))
		return -ESTALE;
	local.shadow = *to;
	return 0;
}

static const struct sspr_local_password fake_local = {
	.account = fake_account,
	.shadow = fake_shadow,
	.set = fake_set,
	.read = fake_read,
	.swap = fake_swap,
};

/* --- answers computed when the prompt comes ------------------------------ */

/* Read every mail that came; the code of the last one is last_code. */
static unsigned
read_mails(void)
{
	unsigned n = 0;
	char *mail;

	while ((mail = smtp_sink_next(&sink)) != NULL) {
		char *code = mail_code(mail);

		if (code != NULL)
			snprintf(last_code, sizeof(last_code), "%s", code);
		free(code);
		free(mail);
		n++;
	}
	return n;
}

static char *
mailed_code(struct fake_ui *fake)
{
	(void)fake;
	read_mails();
	return last_code[0] != '\0' ? strdup(last_code) : NULL;
}

/* The mailed code with its first digit changed: certainly wrong. */
static char *
wrong_code(struct fake_ui *fake)
{
	char *code = mailed_code(fake);

	if (code != NULL)
		code[0] = (char)('0' + (code[0] - '0' + 1) % 10);
	return code;
}

/* Let the pending code expire, then type it. */
static char *
expired_code(struct fake_ui *fake)
{
	struct sspr_record rec = { 0 };

	CHECK(sspr_store_load(state_dir, USER, &rec) == 0);
	rec.reset_code.expires = time(NULL) - 1;
	CHECK(sspr_store_save(state_dir, USER, &rec) == 0);
	sspr_record_done(&rec);
	return mailed_code(fake);
}

static char *
totp_at(time_t when)
{
	uint8_t *key = NULL;
	size_t len = 0;
	uint32_t code = 0;
	char buf[16];

	CHECK(sspr_base32_decode(TOTP_SECRET, &key, &len) == 0);
	CHECK(sspr_hotp(key, len, SSPR_TOTP_SHA1,
			(uint64_t)when / SSPR_TOTP_PERIOD, 6, &code) == 0);
	sspr_freezero(key, len);
	snprintf(buf, sizeof(buf), "%06u", code);
	return strdup(buf);
}

static char *
totp_now(struct fake_ui *fake)
{
	(void)fake;
	return totp_at(time(NULL));
}

/* Two hours ago: outside any window. */
static char *
totp_old(struct fake_ui *fake)
{
	(void)fake;
	return totp_at(time(NULL) - 7200);
}

/* --- set-up -----------------------------------------------------------------
 */

static void
give_record(const char *email, const char *secret)
{
	struct sspr_record rec = { 0 };

	CHECK(sspr_store_remove(state_dir, USER) == 0);
	rec.email = email != NULL ? sspr_strdup(email) : NULL;
	rec.totp_secret = secret != NULL ? sspr_strdup(secret) : NULL;
	rec.totp_digits = 6;
	rec.totp_period = SSPR_TOTP_PERIOD;
	CHECK(sspr_store_save(state_dir, USER, &rec) == 0);
	sspr_record_done(&rec);
}

static void
load_record(struct sspr_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	CHECK(sspr_store_load(state_dir, USER, rec) == 0);
}

static void
forget(void)
{
	memset(&local, 0, sizeof(local));
	local.shadow = old_fields;
	read_mails();
	last_code[0] = '\0';
	unlink(faillock_args);
	pam_set_item(pamh, PAM_AUTHTOK, NULL);
}

static int
reset_with(const char *user, struct fake_ui *fake, const struct fake_step *s,
	   size_t steps)
{
	struct sspr_reset r = {
		.session = { .pamh = pamh, .cfg = &cfg, .user = user },
		.local = &fake_local,
		.faillock = NULL,
	};

	fake_ui_init(fake, &r.session.ui, s, steps);
	return sspr_reset_run(&r);
}

#define RESET(user, fake, script)                                              \
	reset_with(user, fake, script, sizeof(script) / sizeof((script)[0]))

/*
 * libpam keeps PAM_AUTHTOK from applications (this test is one), so the
 * item the flow sets for the modules after it is caught here instead.
 */
static char *authtok_set;

int
pam_set_item(pam_handle_t *h, int type, const void *item)
{
	int (*real)(pam_handle_t *, int, const void *);

	if (type == PAM_AUTHTOK) {
		sspr_free_secret(authtok_set);
		authtok_set = item != NULL ? sspr_strdup(item) : NULL;
		return PAM_SUCCESS;
	}
	*(void **)&real = dlsym(RTLD_NEXT, "pam_set_item");
	return real != NULL ? real(h, type, item) : PAM_SYSTEM_ERR;
}

static const char *
authtok(void)
{
	return authtok_set;
}

/* --- the branches -----------------------------------------------------------
 */

static const struct fake_step new_password[] = {
	{ "New password: ", NEW_PASSWORD, NULL },
	{ "Retype new password: ", NEW_PASSWORD, NULL },
};

/* One method: no menu; the mailed code, a new password, a notice. */
static void
test_email_code(void)
{
	static const struct fake_step script[] = {
		{ "Code from the mail: ", NULL, mailed_code },
		new_password[0],
		new_password[1],
	};
	struct sspr_record rec;
	struct fake_ui fake;
	char *notice;

	forget();
	give_record(ADDRESS, NULL);
	CHECK(RESET(USER, &fake, script) == PAM_SUCCESS);
	CHECK(fake_ui_done(&fake));
	CHECK(fake_said(&fake, "A code was sent to b"));
	CHECK(fake_said(&fake, "@example.org. It expires in 10 minutes."));
	CHECK(fake_said(&fake, "Your password was changed."));
	CHECK(strstr(fake.said, "Choice") == NULL);
	CHECK(local.sets == 1);
	CHECK_STR(local.password, NEW_PASSWORD);
	/* sync = off: nothing to keep, nothing to put back */
	CHECK(local.reads == 0 && local.swaps == 0);
	/* after_reset = login: the new password signs the person in */
	CHECK_STR(authtok(), NEW_PASSWORD);
	/* the notice of the change went to the same address */
	notice = smtp_sink_next(&sink);
	CHECK(notice != NULL && strstr(notice, "To: " ADDRESS) != NULL);
	CHECK(notice != NULL && strstr(notice, "was changed") != NULL);
	free(notice);
	/* the code is spent */
	load_record(&rec);
	CHECK(rec.reset_code.hash == NULL && rec.failures == 0);
	sspr_record_done(&rec);
	CHECK(fake_logged("password reset started for '" USER "'"));
	CHECK(fake_logged("email code accepted for '" USER "'"));
	CHECK(fake_logged("password of '" USER "' reset on this host"));
	/* the code never reaches the log */
	CHECK(last_code[0] != '\0' && strstr(fake_log, last_code) == NULL);
}

/* Two methods: a menu; a bad choice is asked again; TOTP sends no mail. */
static void
test_choice_of_method(void)
{
	static const struct fake_step script[] = {
		{ "Choice [1]: ", "3", NULL },
		{ "Choice [1]: ", "2", NULL },
		{ "Code from your authenticator app: ", NULL, totp_now },
		new_password[0],
		new_password[1],
	};
	struct sspr_record rec;
	struct fake_ui fake;

	forget();
	give_record(ADDRESS, TOTP_SECRET);
	CHECK(RESET(USER, &fake, script) == PAM_SUCCESS);
	CHECK(fake_ui_done(&fake));
	CHECK(fake_said(&fake, "1) Email code to b"));
	CHECK(fake_said(&fake, "2) Authenticator app code"));
	CHECK(fake_said(&fake, "error: Please type a number from 1 to 2."));
	CHECK(local.sets == 1);
	CHECK(smtp_sink_pending(&sink) == 1); /* only the change notice */
	/* the accepted step is spent: the same code never works again */
	load_record(&rec);
	CHECK(rec.totp_last_step != 0);
	sspr_record_done(&rec);
	CHECK(fake_logged("authenticator code accepted"));
}

/* The empty answer is the default: the email code. */
static void
test_choice_default(void)
{
	static const struct fake_step script[] = {
		{ "Choice [1]: ", "", NULL },
		{ "Code from the mail: ", NULL, mailed_code },
		new_password[0],
		new_password[1],
	};
	struct fake_ui fake;

	forget();
	give_record(ADDRESS, TOTP_SECRET);
	CHECK(RESET(USER, &fake, script) == PAM_SUCCESS);
	CHECK(fake_ui_done(&fake));
	CHECK(fake_said(&fake, "A code was sent to"));
	CHECK(local.sets == 1);
}

/* A wrong code costs an attempt and a failure; the right one still works. */
static void
test_wrong_code_then_right(void)
{
	static const struct fake_step script[] = {
		{ "Code from the mail: ", NULL, wrong_code },
		{ "Code from the mail: ", NULL, mailed_code },
		new_password[0],
		new_password[1],
	};
	struct sspr_record rec;
	struct fake_ui fake;

	forget();
	give_record(ADDRESS, NULL);
	CHECK(RESET(USER, &fake, script) == PAM_SUCCESS);
	CHECK(fake_ui_done(&fake));
	CHECK(fake_said(&fake, "error: That code is not correct. 2 attempts "
			       "left."));
	CHECK(fake_logged("wrong email code for '" USER "'"));
	CHECK(local.sets == 1);
	/* proven in the end: the failure no longer counts */
	load_record(&rec);
	CHECK(rec.failures == 0);
	sspr_record_done(&rec);
}

/* Every attempt wrong: the code is dead and nothing changes. */
static void
test_wrong_code_exhausted(void)
{
	static const struct fake_step script[] = {
		{ "Code from the mail: ", NULL, wrong_code },
		{ "Code from the mail: ", NULL, wrong_code },
		{ "Code from the mail: ", NULL, wrong_code },
	};
	struct sspr_record rec;
	struct fake_ui fake;

	forget();
	give_record(ADDRESS, NULL);
	CHECK(RESET(USER, &fake, script) == PAM_AUTH_ERR);
	CHECK(fake_ui_done(&fake));
	CHECK(fake_said(&fake, "no attempts are left"));
	CHECK(local.sets == 0);
	CHECK(authtok() == NULL);
	load_record(&rec);
	CHECK(rec.failures == 3);
	sspr_record_done(&rec);
}

static void
test_expired_code(void)
{
	static const struct fake_step script[] = {
		{ "Code from the mail: ", NULL, expired_code },
	};
	struct fake_ui fake;

	forget();
	give_record(ADDRESS, NULL);
	CHECK(RESET(USER, &fake, script) == PAM_AUTH_ERR);
	CHECK(fake_ui_done(&fake));
	CHECK(fake_said(&fake, "error: That code has expired."));
	CHECK(local.sets == 0);
}

/* Giving up (end of input) at the code, then at the new password. */
static void
test_give_up(void)
{
	static const struct fake_step at_code[] = {
		{ "Code from the mail: ", NULL, NULL },
	};
	static const struct fake_step at_password[] = {
		{ "Code from the mail: ", NULL, mailed_code },
		{ "New password: ", NULL, NULL },
	};
	struct fake_ui fake;

	forget();
	give_record(ADDRESS, NULL);
	CHECK(RESET(USER, &fake, at_code) == PAM_CONV_ERR);
	CHECK(fake_ui_done(&fake));
	CHECK(local.sets == 0);

	forget();
	give_record(ADDRESS, NULL);
	CHECK(RESET(USER, &fake, at_password) == PAM_AUTHTOK_ERR);
	CHECK(fake_ui_done(&fake));
	CHECK(local.sets == 0);
	CHECK(fake_logged("ended without a new password"));
}

/* A code mailed in a login that gave up still works in the next one. */
static void
test_pending_code_survives(void)
{
	static const struct fake_step first[] = {
		{ "Code from the mail: ", NULL, NULL },
	};
	static const struct fake_step second[] = {
		{ "Code from the mail: ", NULL, mailed_code },
		new_password[0],
		new_password[1],
	};
	struct fake_ui fake;

	forget();
	give_record(ADDRESS, NULL);
	CHECK(RESET(USER, &fake, first) == PAM_CONV_ERR);
	CHECK(smtp_sink_pending(&sink) == 1);
	CHECK(RESET(USER, &fake, second) == PAM_SUCCESS);
	CHECK(fake_ui_done(&fake));
	CHECK(fake_said(&fake, "A code was already sent to b"));
	CHECK(fake_said(&fake, "@example.org and is still valid."));
	/* no second code mail: the one read is the first, then the notice */
	CHECK(local.sets == 1);
	CHECK(smtp_sink_pending(&sink) == 1);
}

/* The mail server refuses: the person is told, no code is left pending. */
static void
test_mail_fails(void)
{
	static const struct fake_step script[] = { { "never", NULL, NULL } };
	struct sspr_record rec;
	struct fake_ui fake;

	forget();
	give_record(ADDRESS, NULL);
	smtp_sink_refuse(&sink, true);
	CHECK(reset_with(USER, &fake, script, 0) == PAM_AUTH_ERR);
	smtp_sink_refuse(&sink, false);
	CHECK(fake_ui_done(&fake));
	CHECK(fake_said(&fake, "error: The code could not be sent."));
	CHECK(fake_logged("cannot mail a reset code for '" USER "'"));
	load_record(&rec);
	CHECK(rec.reset_code.hash == NULL);
	sspr_record_done(&rec);
}

/* Wrong TOTP codes count as failures; enough of them lock the branch. */
static void
test_totp_wrong_and_lockout(void)
{
	static const struct fake_step script[] = {
		{ "Code from your authenticator app: ", NULL, totp_old },
		{ "Code from your authenticator app: ", "12", NULL },
		{ "Code from your authenticator app: ", NULL, totp_old },
	};
	static const struct fake_step locked[] = { { "never", NULL, NULL } };
	struct sspr_record rec;
	struct fake_ui fake;

	forget();
	give_record(NULL, TOTP_SECRET);
	cfg.max_failures = 3;
	CHECK(RESET(USER, &fake, script) == PAM_AUTH_ERR);
	CHECK(fake_ui_done(&fake));
	CHECK(fake_said(&fake, "error: That code is not correct. Check that "
			       "the clock"));
	CHECK(fake_said(&fake, "error: Too many failed attempts. Password "
			       "reset is locked for this account for 15 "
			       "minutes."));
	CHECK(fake_logged("password reset locked for '" USER "'"));
	CHECK(local.sets == 0);
	load_record(&rec);
	CHECK(rec.locked_until > time(NULL));
	sspr_record_done(&rec);

	/* locked: the next try hears the one sentence, even a right code
	 * is not asked for */
	CHECK(reset_with(USER, &fake, locked, 0) == PAM_AUTH_ERR);
	CHECK(fake_ui_done(&fake));
	CHECK(fake_said(&fake, "Password reset is not available for this "
			       "account right now."));
	CHECK(fake_logged("locked after failed attempts"));
	cfg.max_failures = 5;
}

/* Unknown, without a method, not enabled: no prompt, nothing changes. */
static void
test_not_available(void)
{
	static const struct fake_step none[] = { { "never", NULL, NULL } };
	struct fake_ui unknown;
	struct fake_ui no_method;

	forget();
	CHECK(reset_with("sspr-no-such-user", &unknown, none, 0) ==
	      PAM_AUTH_ERR);
	CHECK(fake_ui_done(&unknown));
	CHECK(fake_logged("reset not available: unknown user"));
	/* an unknown name is never written into the log */
	CHECK(strstr(fake_log, "sspr-no-such-user") == NULL);

	give_record(NULL, NULL);
	CHECK(reset_with(USER, &no_method, none, 0) == PAM_AUTH_ERR);
	CHECK(fake_ui_done(&no_method));
	CHECK(fake_logged("not enough registered methods"));
	/* the same words for both: the prompt does not tell which is which */
	CHECK_STR(unknown.said, no_method.said);
	CHECK(local.sets == 0);

	/* not enabled for the account: the same words again */
	cfg.enable = SSPR_ENABLE_NONE;
	CHECK(reset_with(USER, &no_method, none, 0) == PAM_AUTH_ERR);
	CHECK_STR(unknown.said, no_method.said);
	CHECK(fake_logged("not enabled for this user"));
	cfg.enable = SSPR_ENABLE_ALL;
}

/*
 * The host's stack refuses the first password (pam_pwquality): the
 * person hears why and chooses another; a mismatch is asked again too.
 */
static void
test_new_password_refused(void)
{
	static const struct fake_step script[] = {
		{ "Code from the mail: ", NULL, mailed_code },
		{ "New password: ", NEW_PASSWORD, NULL },
		{ "Retype new password: ", "Other#Pass42x", NULL },
		{ "New password: ", "short", NULL },
		{ "New password: ", NEW_PASSWORD "2", NULL },
		{ "Retype new password: ", NEW_PASSWORD "2", NULL },
	};
	struct fake_ui fake;

	forget();
	give_record(ADDRESS, NULL);
	local.refuse = 1;
	/* three tries: a mismatch, the policy, the host's stack */
	CHECK(RESET(USER, &fake, script) == PAM_AUTHTOK_ERR);
	CHECK(fake_ui_done(&fake));
	CHECK(fake_said(&fake, "error: The passwords do not match."));
	CHECK(fake_said(&fake, "error: This password cannot be used:"));
	CHECK(fake_said(&fake, "error: This password was not accepted: BAD "
			       "PASSWORD: it is too simplistic"));
	CHECK(fake_logged("local password stack refused the new password"));
	CHECK(local.sets == 1);
	CHECK(authtok() == NULL);
}

/* A refused password, then an accepted one within the retries. */
static void
test_second_password_taken(void)
{
	static const struct fake_step script[] = {
		{ "Code from the mail: ", NULL, mailed_code },
		new_password[0],
		new_password[1],
		{ "New password: ", NEW_PASSWORD "2", NULL },
		{ "Retype new password: ", NEW_PASSWORD "2", NULL },
	};
	struct fake_ui fake;

	forget();
	give_record(ADDRESS, NULL);
	local.refuse = 1;
	CHECK(RESET(USER, &fake, script) == PAM_SUCCESS);
	CHECK(fake_ui_done(&fake));
	CHECK(local.sets == 2);
	CHECK_STR(local.password, NEW_PASSWORD "2");
	CHECK_STR(authtok(), NEW_PASSWORD "2");
}

/* after_reset = relogin: changed, but this login does not go on. */
static void
test_relogin(void)
{
	static const struct fake_step script[] = {
		{ "Code from the mail: ", NULL, mailed_code },
		new_password[0],
		new_password[1],
	};
	struct fake_ui fake;

	forget();
	give_record(ADDRESS, NULL);
	cfg.after_reset = SSPR_AFTER_RELOGIN;
	CHECK(RESET(USER, &fake, script) == PAM_AUTH_ERR);
	cfg.after_reset = SSPR_AFTER_LOGIN;
	CHECK(fake_ui_done(&fake));
	CHECK(local.sets == 1);
	CHECK(fake_said(&fake, "Please sign in again with your new password."));
	CHECK(authtok() == NULL);
}

/* Two methods required: both, each once, in the order chosen. */
static void
test_two_methods(void)
{
	static const struct fake_step script[] = {
		{ "Choice [1]: ", "2", NULL },
		{ "Code from your authenticator app: ", NULL, totp_now },
		{ "Code from the mail: ", NULL, mailed_code },
		new_password[0],
		new_password[1],
	};
	struct fake_ui fake;

	forget();
	give_record(ADDRESS, TOTP_SECRET);
	cfg.methods_required = 2;
	CHECK(RESET(USER, &fake, script) == PAM_SUCCESS);
	cfg.methods_required = 1;
	CHECK(fake_ui_done(&fake));
	CHECK(local.sets == 1);
}

/* After a reset, pam_faillock's tally of the user is cleared. */
static void
test_faillock_cleared(void)
{
	static const struct fake_step script[] = {
		{ "Code from the mail: ", NULL, mailed_code },
		new_password[0],
		new_password[1],
	};
	char tool[256];
	char args[256] = "";
	struct sspr_reset r = {
		.session = { .pamh = pamh, .cfg = &cfg, .user = USER },
		.local = &fake_local,
		.faillock = tool,
	};
	struct fake_ui fake;
	FILE *f;

	forget();
	give_record(ADDRESS, NULL);
	snprintf(tool, sizeof(tool), "%s/faillock", dir);
	f = fopen(tool, "w");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	fprintf(f, "#!/bin/sh\necho \"$@\" >%s\n", faillock_args);
	fclose(f);
	CHECK(chmod(tool, 0700) == 0);
	FAKE_RUN_SCRIPT(&fake, &r.session.ui, script);
	CHECK(sspr_reset_run(&r) == PAM_SUCCESS);
	CHECK(fake_ui_done(&fake));
	f = fopen(faillock_args, "r");
	CHECK(f != NULL);
	if (f != NULL) {
		CHECK(fgets(args, sizeof(args), f) != NULL);
		fclose(f);
	}
	CHECK(strncmp(args, "--user " USER " --reset", 20) == 0);
}

/* A state directory someone else owns: a problem here, said as such. */
static void
test_untrusted_state(void)
{
	static const struct fake_step none[] = { { "never", NULL, NULL } };
	struct fake_ui fake;

	forget();
	give_record(ADDRESS, NULL);
	test_foreign_begin(state_dir);
	CHECK(reset_with(USER, &fake, none, 0) == PAM_AUTHINFO_UNAVAIL);
	test_foreign_end(state_dir);
	CHECK(fake_ui_done(&fake));
	CHECK(fake_said(&fake, "because of a problem on this computer"));
	CHECK(fake_logged("cannot read the reset record of '" USER "'"));
	CHECK(smtp_sink_pending(&sink) == 0);
}

/* --- the apply step alone --------------------------------------------------
 */

/*
 * With sync the previous entry is kept first; when Microsoft 365 cannot
 * be reached (nothing listens on the port), the local change is undone
 * with exactly that entry, and the record's mark is cleared again.
 */
static void
test_apply_restores_when_sync_fails(void)
{
	struct sspr_cfg sync_cfg;
	struct sspr_record rec;
	char conf[4096];
	char secret[256];
	char err[SSPR_ERR_MAX] = "";
	char msg[1024] = "";
	FILE *f;

	forget();
	give_record(ADDRESS, NULL);
	snprintf(secret, sizeof(secret), "%s/client.secret", dir);
	f = fopen(secret, "w");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	fputs("not-a-real-secret\n", f);
	fclose(f);
	CHECK(chmod(secret, 0600) == 0);
	/* port 1 on loopback: refused at once, never the network */
	snprintf(conf, sizeof(conf),
		 "enable = all\nstate_dir = %s\nsync = required\n"
		 "tenant = contoso.onmicrosoft.com\nclient_id = "
		 "11111111-2222-3333-4444-555555555555\n"
		 "client_secret_file = %s\nauthority = https://127.0.0.1:1\n"
		 "graph = https://127.0.0.1:1\nconnect_timeout = 2\n"
		 "timeout = 5\nupn_format = %%u@contoso.com\n",
		 state_dir, secret);
	CHECK(sspr_cfg_defaults(&sync_cfg) == 0);
	CHECK(sspr_cfg_parse_buffer(&sync_cfg, "sync.conf", conf, strlen(conf),
				    err, sizeof(err)) == 0);
	CHECK(sspr_cfg_finish(&sync_cfg, err, sizeof(err)) == 0);
	if (err[0] != '\0')
		fprintf(stderr, "  %s\n", err);
	CHECK(sspr_apply_password(pamh, &sync_cfg, &fake_local, USER,
				  NEW_PASSWORD, msg, sizeof(msg), NULL) < 0);
	CHECK(local.sets == 1);
	/* the new fields went back to the saved ones, once */
	CHECK(local.swaps == 1);
	CHECK(sspr_shadow_fields_eq(&local.shadow, &old_fields));
	CHECK(msg[0] != '\0');
	CHECK(fake_logged("restoring the previous local password"));
	/* nothing was sent: nothing is left to reconcile */
	CHECK(!sspr_journal_exists(state_dir, USER));
	load_record(&rec);
	CHECK(rec.sync_pending == 0);
	sspr_record_done(&rec);
	sspr_cfg_done(&sync_cfg);
}

/* Refused by the host's stack: -EINVAL (another may do), nothing kept. */
static void
test_apply_local_refused(void)
{
	char msg[1024] = "";

	forget();
	local.refuse = 1;
	CHECK(sspr_apply_password(pamh, &cfg, &fake_local, USER, NEW_PASSWORD,
				  msg, sizeof(msg), NULL) == -EINVAL);
	CHECK(strstr(msg, "too simplistic") != NULL);
	CHECK(local.sets == 1 && local.reads == 0 && local.swaps == 0);
	CHECK(sspr_apply_password(pamh, &cfg, &fake_local, USER, NEW_PASSWORD,
				  msg, sizeof(msg), NULL) == 0);
	CHECK(local.sets == 2);
}

/* --- main -------------------------------------------------------------------
 */

static int
no_conv(int n, const struct pam_message **msg, struct pam_response **resp,
	void *data)
{
	(void)n;
	(void)msg;
	(void)resp;
	(void)data;
	/* Everything is said through the ui: the conversation stays unused. */
	CHECK(0);
	return PAM_CONV_ERR;
}

static int
setup(void)
{
	static const struct pam_conv conv = { no_conv, NULL };
	char path[256];
	char conf[2048];
	char err[SSPR_ERR_MAX] = "";
	FILE *f;

	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(state_dir, sizeof(state_dir), "%s/state", dir);
	snprintf(faillock_args, sizeof(faillock_args), "%s/faillock.args", dir);
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
		 "mail_from = sspr@example.org\nfail_delay = 0\n",
		 state_dir, sink.port);
	if (sspr_cfg_defaults(&cfg) < 0 ||
	    sspr_cfg_parse_buffer(&cfg, "test.conf", conf, strlen(conf), err,
				  sizeof(err)) < 0 ||
	    sspr_cfg_finish(&cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "config: %s\n", err);
		return -1;
	}
	/* A real handle for the items and the delay, from our own confdir. */
	snprintf(path, sizeof(path), "%s/pam.d", dir);
	if (mkdir(path, 0700) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/pam.d/sspr-unit", dir);
	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fputs("# nothing is run through this stack\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/pam.d", dir);
	if (pam_start_confdir("sspr-unit", USER, &conv, path, &pamh) !=
	    PAM_SUCCESS)
		return -1;
	return 0;
}

int
main(void)
{
	char cmd[PATH_MAX + 16];
	int rc;
	int r;

	if (getpwnam(USER) == NULL) {
		printf("SKIP: no user '%s' on this system\n", USER);
		return 77;
	}
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
	RUN(test_email_code);
	RUN(test_choice_of_method);
	RUN(test_choice_default);
	RUN(test_wrong_code_then_right);
	RUN(test_wrong_code_exhausted);
	RUN(test_expired_code);
	RUN(test_give_up);
	RUN(test_pending_code_survives);
	RUN(test_mail_fails);
	RUN(test_totp_wrong_and_lockout);
	RUN(test_not_available);
	RUN(test_new_password_refused);
	RUN(test_second_password_taken);
	RUN(test_relogin);
	RUN(test_two_methods);
	RUN(test_faillock_cleared);
	RUN(test_untrusted_state);
	RUN(test_apply_local_refused);
	RUN(test_apply_restores_when_sync_fails);
	pam_end(pamh, PAM_SUCCESS);
	smtp_sink_stop(&sink);
	sspr_cfg_done(&cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	rc = system(cmd);
	(void)rc;
	CHECK_EXIT();
}
