/*
 * sspr: register the methods that prove who you are when you reset a
 * forgotten password at the login prompt, and let root look after them.
 *
 * Installed setuid root: the store under state_dir and the configuration
 * are root-only. The program trusts nothing from its caller: the
 * environment is cleared, the caller is getuid() (never $USER), the
 * configuration path is fixed for everyone but root, and the caller
 * proves who they are through PAM (service "sspr") before any change.
 * It runs with the caller's effective uid and raises it to root only for
 * the PAM check, the configuration, the store and mail delivery.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <security/pam_appl.h>

#include "sspr/cmd/admin_test.h"
#include "sspr/common/address.h"
#include "sspr/common/config.h"
#include "sspr/enroll/enroll.h"
#include "sspr/reset/flow.h"
#include "sspr/common/gate.h"
#include "sspr/common/i18n.h"
#include "sspr/common/journal.h"
#include "sspr/change/local_password.h"
#include "sspr/mail/mail.h"
#include "sspr/mail/text.h"
#include "sspr/auth/ratelimit.h"
#include "sspr/change/reconcile.h"
#include "sspr/common/store.h"
#include "sspr/cmd/tty_ui.h"
#include "sspr/common/util.h"

#define PAM_SERVICE_NAME "sspr"
#define SAFE_PATH "/usr/sbin:/usr/bin:/sbin:/bin"

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_AUTH = 3,
	EXIT_DENIED = 4,
};

static uid_t caller_uid;
static gid_t caller_gid;
static bool privileged; /* installed setuid and caller is not root */

/* --- privileges -------------------------------------------------------- */

static int
priv_raise(void)
{
	if (!privileged)
		return 0;
	/* Half raised is worse than failed: never go on like that. */
	if (seteuid(0) < 0 || setegid(0) < 0)
		_exit(EXIT_FAIL);
	return 0;
}

static void
priv_lower(void)
{
	if (!privileged)
		return;
	/* Failing to drop would leave us root: stop rather than go on. */
	if (setegid(caller_gid) < 0 || seteuid(caller_uid) < 0)
		_exit(EXIT_FAIL);
}

/*
 * Keep the saved uid 0 so that priv_raise() works, run as the caller
 * otherwise. 0, or -EPERM when not installed setuid root.
 */
static int
priv_init(void)
{
	static const struct rlimit no_core = { 0, 0 };
	static const struct rlimit no_limit = { RLIM_INFINITY, RLIM_INFINITY };

	caller_uid = getuid();
	caller_gid = getgid();
	if (caller_uid == 0)
		return 0;
	if (geteuid() != 0)
		return -EPERM;
	privileged = true;
	/*
	 * Never dump a core with the store's contents in it. The dumpable
	 * flag is reset on every uid change, the core size limit is not.
	 */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	setrlimit(RLIMIT_CORE, &no_core);
	/*
	 * The caller's file size limit must not kill a store write half-way
	 * (leaving its temporary file): writes fail cleanly instead.
	 */
	setrlimit(RLIMIT_FSIZE, &no_limit);
	signal(SIGXFSZ, SIG_IGN);
	if (setresgid((gid_t)-1, caller_gid, 0) < 0 ||
	    setresuid((uid_t)-1, caller_uid, 0) < 0)
		return -errno;
	return 0;
}

/* --- environment ------------------------------------------------------- */

static bool
safe_value(const char *v)
{
	size_t n = 0;

	for (; *v != '\0'; v++, n++) {
		unsigned char c = (unsigned char)*v;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-' || c == '@' || c == '+'))
			return false;
	}
	return n > 0 && n <= 64;
}

/* Keep TERM, LANG and LC_* with plain values; drop everything else. */
static void
sanitize_environment(void)
{
	extern char **environ;
	char *keep[32];
	size_t nkeep = 0;
	char **e;
	size_t i;

	for (e = environ; e != NULL && *e != NULL && nkeep < 32; e++) {
		const char *eq = strchr(*e, '=');
		size_t klen;

		if (eq == NULL)
			continue;
		klen = (size_t)(eq - *e);
		if (!((klen == 4 && strncmp(*e, "TERM", 4) == 0) ||
		      (klen == 4 && strncmp(*e, "LANG", 4) == 0) ||
		      (klen > 3 && strncmp(*e, "LC_", 3) == 0 && klen < 24)))
			continue;
		if (!safe_value(eq + 1))
			continue;
		keep[nkeep] = strdup(*e);
		if (keep[nkeep] != NULL)
			nkeep++;
	}
	clearenv();
	setenv("PATH", SAFE_PATH, 1);
	for (i = 0; i < nkeep; i++) {
		putenv(keep[i]); /* the string becomes the environment */
	}
}

/* Make sure 0, 1 and 2 are open, so no file we open lands there. */
static int
sanitize_fds(void)
{
	int fd;

	for (;;) {
		fd = open("/dev/null", O_RDWR);
		if (fd < 0)
			return -errno;
		if (fd > 2) {
			close(fd);
			return 0;
		}
	}
}

/* --- output ------------------------------------------------------------ */

static void
usage(FILE *f)
{
	fputs(
	    _("Usage: sspr COMMAND\n"
	      "Register how you prove who you are when you reset a forgotten\n"
	      "password at the login prompt.\n"
	      "\n"
	      "  sspr status                  show what is registered\n"
	      "  sspr enroll email ADDRESS    register a backup email address\n"
	      "  sspr enroll totp             register an authenticator app\n"
	      "  sspr remove email|totp       remove a registered method\n"
	      "\n"
	      "For root:\n"
	      "  sspr admin list [--json]     users with a record\n"
	      "  sspr admin show USER [--json]\n"
	      "                               one user's record\n"
	      "  sspr admin remove USER [email|totp]\n"
	      "                               remove one method, or the "
	      "record\n"
	      "  sspr admin reconcile [USER]  finish interrupted password "
	      "changes;\n"
	      "                               exit 1 if one is left "
	      "unresolved\n"
	      "  sspr admin forget USER       drop an unresolved change once "
	      "both\n"
	      "                               passwords agree again\n"
	      "  sspr admin unlock USER       end a reset lockout\n"
	      "  sspr admin test [USER] [--send-to ADDRESS]\n"
	      "                               check the configuration, mail "
	      "and\n"
	      "                               Microsoft 365; changes nothing\n"
	      "  sspr --conf PATH ...         use another configuration file\n"
	      "\n"
	      "Changes ask for your password first.\n"
	      "Exit status: 0 done, 1 failed, 2 usage error, 3 authentication\n"
	      "failed, 4 not allowed.\n"),
	    f);
}

static void __attribute__((format(printf, 1, 2))) fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("sspr: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *
store_text(int r)
{
	switch (r) {
	case -EBADMSG:
		return _("the record is damaged");
	case -EPERM:
		return _("owner or permissions of the state directory or the "
			 "record are not safe");
	case -EINVAL:
		return _("not a usable user name");
	case -ETIMEDOUT:
		return _("the record is busy");
	default:
		return strerror(-r);
	}
}

/* --- PAM re-authentication --------------------------------------------- */

static int
tty_conv(int n, const struct pam_message **msg, struct pam_response **resp,
	 void *ctx)
{
	struct sspr_tty *tty = ctx;
	struct pam_response *r;
	int i;

	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	r = calloc((size_t)n, sizeof(*r));
	if (r == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		const struct pam_message *m = msg[i];
		char *answer = NULL;

		switch (m->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
		case PAM_PROMPT_ECHO_ON:
			if (sspr_tty_read(tty,
					  m->msg_style == PAM_PROMPT_ECHO_ON,
					  m->msg, &answer) < 0)
				goto fail;
			r[i].resp = answer;
			break;
		case PAM_ERROR_MSG:
			fflush(stdout);
			fprintf(stderr, "%s\n", m->msg);
			break;
		case PAM_TEXT_INFO:
			printf("%s\n", m->msg);
			fflush(stdout);
			break;
		default:
			goto fail;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
fail:
	for (i = 0; i < n; i++)
		sspr_free_secret(r[i].resp);
	free(r);
	return PAM_CONV_ERR;
}

/* 0, or an exit status after saying why. */
static int
reauthenticate(struct sspr_tty *tty, const char *user)
{
	struct pam_conv conv = { tty_conv, tty };
	pam_handle_t *pamh = NULL;
	const char *tty_name;
	int r;

	r = pam_start(PAM_SERVICE_NAME, user, &conv, &pamh);
	if (r != PAM_SUCCESS) {
		fail(_("cannot start PAM: %s"), pam_strerror(NULL, r));
		return EXIT_FAIL;
	}
	pam_set_item(pamh, PAM_RUSER, user);
	tty_name = ttyname(STDIN_FILENO);
	if (tty_name != NULL)
		pam_set_item(pamh, PAM_TTY, tty_name);
	printf(_("To change how you reset your password, type your password "
		 "first.\n"));
	fflush(stdout);
	if (priv_raise() < 0) {
		pam_end(pamh, PAM_ABORT);
		fail(_("cannot gain the privileges it needs"));
		return EXIT_FAIL;
	}
	r = pam_authenticate(pamh, 0);
	if (r == PAM_SUCCESS)
		r = pam_acct_mgmt(pamh, 0);
	priv_lower();
	pam_end(pamh, r);
	if (r != PAM_SUCCESS) {
		syslog(LOG_AUTHPRIV | LOG_NOTICE,
		       "authentication of '%s' failed: %s", user,
		       pam_strerror(NULL, r));
		fail(_("authentication failed; nothing was changed"));
		return EXIT_AUTH;
	}
	return 0;
}

/* --- verbs ------------------------------------------------------------- */

struct ctx {
	struct sspr_cfg cfg;
	char *user; /* the caller */
	bool root;
	struct sspr_tty tty;
	struct sspr_ui ui;
};

/* Load a record with privileges; -ENOENT is an empty record. */
static int
load_record(const struct ctx *c, const char *user, struct sspr_record *rec)
{
	int r;

	r = priv_raise();
	if (r < 0)
		return r;
	r = sspr_store_load(c->cfg.state_dir, user, rec);
	priv_lower();
	if (r == -ENOENT)
		r = 0;
	return r;
}

/* Interactive verbs need a terminal and, for ordinary users, the gate. */
static int
prepare_interactive(struct ctx *c, bool gate)
{
	int r;

	if (!isatty(STDIN_FILENO)) {
		fail(_("this command needs a terminal"));
		return EXIT_FAIL;
	}
	r = sspr_tty_open(&c->tty);
	if (r < 0) {
		fail(_("cannot open the terminal: %s"), strerror(-r));
		return EXIT_FAIL;
	}
	sspr_tty_ui(&c->tty, &c->ui);
	if (c->root)
		return 0;
	if (gate && !sspr_gate_allowed(&c->cfg, c->user)) {
		fail(_("self-service password reset is not enabled for your "
		       "account; ask your administrator"));
		return EXIT_DENIED;
	}
	return reauthenticate(&c->tty, c->user);
}

static int
cmd_status(struct ctx *c)
{
	struct sspr_record rec = { 0 };
	unsigned n;
	char *masked;
	int r;

	r = load_record(c, c->user, &rec);
	if (r < 0) {
		fail(_("cannot read your record: %s"), store_text(r));
		return EXIT_FAIL;
	}
	if (!sspr_gate_allowed(&c->cfg, c->user))
		printf(_("Self-service password reset is not enabled for your "
			 "account.\n"));
	n = sspr_record_method_count(&rec, c->cfg.methods);
	if (rec.email == NULL && rec.totp_secret == NULL) {
		printf(_("No methods are registered for %s.\n"), c->user);
	} else {
		printf(_("Methods registered for %s:\n"), c->user);
		if (rec.email != NULL) {
			masked = sspr_address_mask(rec.email);
			printf(_("  backup email %s\n"), masked ? masked : "?");
			free(masked);
		}
		if (rec.totp_secret != NULL)
			printf(_("  authenticator app (registered)\n"));
	}
	if (n < c->cfg.methods_required)
		printf(_("Resetting a forgotten password needs %u registered "
			 "method(s). Register with \"sspr enroll email "
			 "ADDRESS\" or \"sspr enroll totp\".\n"),
		       c->cfg.methods_required);
	sspr_record_done(&rec);
	return EXIT_OK;
}

static int
cmd_enroll(struct ctx *c, int argc, char **argv)
{
	char log[SSPR_ERR_MAX] = "";
	bool email;
	int r;

	if (argc >= 1 && strcmp(argv[0], "email") == 0 && argc == 2) {
		email = true;
	} else if (argc == 1 && strcmp(argv[0], "totp") == 0) {
		email = false;
	} else {
		usage(stderr);
		return EXIT_USAGE;
	}
	r = prepare_interactive(c, true);
	if (r != 0)
		return r;
	if (email)
		r = sspr_enroll_email(&c->cfg, &c->ui, c->user, argv[1], log,
				      sizeof(log));
	else
		r = sspr_enroll_totp(&c->cfg, &c->ui, c->user, log,
				     sizeof(log));
	syslog(LOG_AUTHPRIV | (r == 0 ? LOG_NOTICE : LOG_WARNING),
	       "%s enrollment for '%s': %s", email ? "email" : "totp", c->user,
	       log);
	if (r == -ENOTSUP)
		return EXIT_DENIED; /* the method is not offered here */
	return r == 0 ? EXIT_OK : EXIT_FAIL;
}

/*
 * Remove one method ("email", "totp") or, with NULL, the whole record.
 * *ret_email gets the backup address registered before (NULL: none),
 * to be told of the change.
 */
static int
remove_method(struct ctx *c, const char *user, const char *method,
	      char **ret_email)
{
	struct sspr_record rec = { 0 };
	bool had;
	int lock;
	int r;

	*ret_email = NULL;
	r = priv_raise();
	if (r < 0)
		return r;
	lock = sspr_store_lock(c->cfg.state_dir, user);
	if (lock < 0) {
		priv_lower();
		return lock;
	}
	r = sspr_store_load(c->cfg.state_dir, user, &rec);
	if (method == NULL) {
		/* A damaged record can be removed too: then nobody is told. */
		if (r == 0 && rec.email != NULL)
			*ret_email = sspr_strdup(rec.email);
		r = sspr_store_remove(c->cfg.state_dir, user);
	} else if (r == 0) {
		if (rec.email != NULL)
			*ret_email = sspr_strdup(rec.email);
		if (strcmp(method, "email") == 0) {
			had = rec.email != NULL;
			free(rec.email);
			rec.email = NULL;
		} else {
			had = rec.totp_secret != NULL;
			sspr_free_secret(rec.totp_secret);
			rec.totp_secret = NULL;
			rec.totp_last_step = 0;
		}
		r = had ? sspr_store_save(c->cfg.state_dir, user, &rec)
			: -ENOENT;
	}
	sspr_store_unlock(lock);
	priv_lower();
	sspr_record_done(&rec);
	if (r < 0) {
		free(*ret_email);
		*ret_email = NULL;
	}
	return r;
}

/* Mail the notice of a removal; log gets what was mailed. */
static void
notify_removed(struct ctx *c, const char *user, const char *method,
	       const char *email, bool by_admin, char *log, size_t loglen)
{
	struct sspr_method_change change = {
		.method = method == NULL		 ? SSPR_CHANGE_ALL
			  : strcmp(method, "email") == 0 ? SSPR_CHANGE_EMAIL
							 : SSPR_CHANGE_TOTP,
		.action = SSPR_CHANGE_REMOVED,
		.by_admin = by_admin,
	};

	log[0] = '\0';
	sspr_enroll_notify(&c->cfg, user, &change, email, NULL, log, loglen);
}

static bool
method_word(const char *w)
{
	return strcmp(w, "email") == 0 || strcmp(w, "totp") == 0;
}

static int
cmd_remove(struct ctx *c, int argc, char **argv)
{
	char log[SSPR_ERR_MAX];
	char *email = NULL;
	int r;

	if (argc != 1 || !method_word(argv[0])) {
		usage(stderr);
		return EXIT_USAGE;
	}
	r = prepare_interactive(c, false);
	if (r != 0)
		return r;
	r = remove_method(c, c->user, argv[0], &email);
	if (r == -ENOENT) {
		printf(strcmp(argv[0], "email") == 0
			   ? _("No backup email address is registered.\n")
			   : _("No authenticator app is registered.\n"));
		return EXIT_OK;
	}
	if (r < 0) {
		fail(_("cannot change your record: %s"), store_text(r));
		return EXIT_FAIL;
	}
	notify_removed(c, c->user, argv[0], email, false, log, sizeof(log));
	free(email);
	syslog(LOG_AUTHPRIV | LOG_NOTICE, "'%s' removed their %s method%s",
	       c->user, argv[0], log);
	printf(strcmp(argv[0], "email") == 0
		   ? _("Your backup email address was removed.\n")
		   : _("Your authenticator app was removed. You can delete "
		       "its entry in the app.\n"));
	return EXIT_OK;
}

static void
print_time(const char *label, time_t t)
{
	char buf[64] = "-";
	struct tm tm;

	if (t != 0 && localtime_r(&t, &tm) != NULL)
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %z", &tm);
	printf("%-18s %s\n", label, buf);
}

/* Which password this host holds during an unfinished change. */
enum local_side { LOCAL_UNKNOWN, LOCAL_OLD, LOCAL_NEW, LOCAL_CHANGED };

/*
 * The user's unfinished change and what this host holds, as far as it
 * knows without asking: 0, -ENOENT for none, or another -errno. The
 * caller wipes *j.
 */
static int
load_journal(const struct ctx *c, const char *user, struct sspr_journal *j,
	     enum local_side *local)
{
	struct sspr_shadow_fields cur;
	int r;

	*local = LOCAL_UNKNOWN;
	r = priv_raise();
	if (r < 0)
		return r;
	r = sspr_journal_load(c->cfg.state_dir, user, j);
	if (r == 0 && sspr_shadow_read(user, &cur) == 0)
		*local =
		    sspr_shadow_fields_eq(&cur, &j->old_local) ? LOCAL_OLD
		    : j->has_new && sspr_shadow_fields_eq(&cur, &j->new_local)
			? LOCAL_NEW
			: LOCAL_CHANGED;
	priv_lower();
	sspr_wipe(&cur, sizeof(cur));
	return r;
}

/* What each side holds, as far as this host knows without asking. */
static void
print_journal(const struct ctx *c, const char *user)
{
	static const char *const local_text[] = {
		[LOCAL_UNKNOWN] = "unknown (no shadow entry)",
		[LOCAL_OLD] = "the old password",
		[LOCAL_NEW] = "the new password",
		[LOCAL_CHANGED] = "changed since (not by pam_sspr)",
	};
	struct sspr_journal j;
	enum local_side local;
	const char *remote;
	int r;

	r = load_journal(c, user, &j, &local);
	if (r == -ENOENT)
		return;
	if (r < 0) {
		printf("%-18s %s\n", "unfinished change", store_text(r));
		return;
	}
	switch (j.stage) {
	case SSPR_JOURNAL_PREPARED:
		remote = "the old password (never sent)";
		break;
	case SSPR_JOURNAL_REFUSED:
		remote = "the old password (refused)";
		break;
	default:
		remote = "not known: sent, answer not confirmed";
		break;
	}
	printf("%-18s %s, stage %s\n", "unfinished change",
	       sspr_journal_path_name(j.path),
	       sspr_journal_stage_name(j.stage));
	print_time("  started", j.started);
	if (j.sent != 0)
		print_time("  sent", j.sent);
	printf("%-18s %s\n", "  this host", local_text[local]);
	printf("%-18s %s\n", "  Microsoft 365", remote);
	sspr_wipe(&j, sizeof(j));
}

/* --- JSON output (schema in sspr(1), "JSON OUTPUT") ---------------------- */

#define JSON_VERSION 1

/* A time as Unix seconds, null for none (0). */
static bool
json_time(cJSON *obj, const char *key, time_t t)
{
	return (t != 0 ? cJSON_AddNumberToObject(obj, key, (double)t)
		       : cJSON_AddNullToObject(obj, key)) != NULL;
}

static bool
json_bool(cJSON *obj, const char *key, bool b)
{
	return cJSON_AddBoolToObject(obj, key, b) != NULL;
}

/* Print and free obj; EXIT_FAIL when anything went missing on the way. */
static int
json_print(cJSON *obj, bool ok)
{
	char *text = ok && obj != NULL ? cJSON_Print(obj) : NULL;

	cJSON_Delete(obj);
	if (text == NULL) {
		fail("%s", strerror(ENOMEM));
		return EXIT_FAIL;
	}
	printf("%s\n", text);
	cJSON_free(text);
	return EXIT_OK;
}

/* The "unfinished_change" member: null, or what load_journal() found. */
static bool
json_journal(const struct ctx *c, const char *user, cJSON *obj)
{
	static const char *const local_word[] = {
		[LOCAL_UNKNOWN] = "unknown",
		[LOCAL_OLD] = "old",
		[LOCAL_NEW] = "new",
		[LOCAL_CHANGED] = "changed",
	};
	struct sspr_journal j;
	enum local_side local;
	cJSON *o;
	bool ok;
	int r;

	r = load_journal(c, user, &j, &local);
	if (r == -ENOENT)
		return cJSON_AddNullToObject(obj, "unfinished_change") != NULL;
	o = cJSON_AddObjectToObject(obj, "unfinished_change");
	if (o == NULL)
		return false;
	if (r < 0)
		return cJSON_AddStringToObject(o, "error", store_text(r)) !=
		       NULL;
	ok = cJSON_AddStringToObject(o, "kind",
				     sspr_journal_path_name(j.path)) != NULL &&
	     cJSON_AddStringToObject(
		 o, "stage", sspr_journal_stage_name(j.stage)) != NULL &&
	     json_time(o, "started", j.started) &&
	     json_time(o, "sent", j.sent) &&
	     cJSON_AddStringToObject(o, "this_host", local_word[local]) !=
		 NULL &&
	     cJSON_AddStringToObject(o, "microsoft365",
				     j.stage == SSPR_JOURNAL_PREPARED ||
					     j.stage == SSPR_JOURNAL_REFUSED
					 ? "old"
					 : "unknown") != NULL;
	sspr_wipe(&j, sizeof(j));
	return ok;
}

/*
 * sspr admin show USER --json: the record's state, never a secret (no
 * key, no code hash, no address: booleans, counts and times).
 */
static int
json_show(const struct ctx *c, const char *user)
{
	struct sspr_record rec = { 0 };
	time_t now = time(NULL);
	bool has_totp;
	cJSON *o;
	bool ok;
	int r;

	r = priv_raise();
	if (r == 0) {
		r = sspr_store_load(c->cfg.state_dir, user, &rec);
		priv_lower();
	}
	if (r < 0 && r != -ENOENT) {
		fail(_("cannot read the record of %s: %s"), user,
		     store_text(r));
		return EXIT_FAIL;
	}
	has_totp = rec.totp_secret != NULL;
	o = cJSON_CreateObject();
	ok =
	    o != NULL && cJSON_AddNumberToObject(o, "version", JSON_VERSION) &&
	    cJSON_AddStringToObject(o, "user", user) != NULL &&
	    json_bool(o, "record", r == 0) &&
	    json_bool(o, "email", rec.email != NULL) &&
	    json_bool(o, "totp", has_totp) &&
	    (has_totp ? cJSON_AddStringToObject(
			    o, "totp_algorithm",
			    sspr_cfg_choice_name("totp_algorithm",
						 rec.totp_algorithm)) != NULL &&
			    cJSON_AddNumberToObject(o, "totp_digits",
						    rec.totp_digits) != NULL
		      : cJSON_AddNullToObject(o, "totp_algorithm") != NULL &&
			    cJSON_AddNullToObject(o, "totp_digits") != NULL) &&
	    json_time(o, "reset_code_until",
		      rec.reset_code.hash != NULL ? rec.reset_code.expires
						  : 0) &&
	    json_time(o, "enroll_code_until",
		      rec.enroll_code.hash != NULL ? rec.enroll_code.expires
						   : 0) &&
	    cJSON_AddNumberToObject(o, "failures", rec.failures) != NULL &&
	    json_bool(o, "locked", sspr_is_locked(&rec, now)) &&
	    json_time(o, "locked_until", rec.locked_until) &&
	    cJSON_AddNumberToObject(o, "lockouts", rec.lockouts) != NULL &&
	    cJSON_AddNumberToObject(o, "day_failures", rec.day_failures) !=
		NULL &&
	    json_time(o, "remind_after", rec.remind_after) &&
	    json_time(o, "unfinished_sync", rec.sync_pending) &&
	    json_journal(c, user, o);
	sspr_record_done(&rec);
	return json_print(o, ok);
}

static bool
reconcile_one(struct ctx *c, const char *user)
{
	struct sspr_reconcile rc;
	int r;

	r = priv_raise();
	if (r < 0)
		return false;
	r = sspr_reconcile_user(&c->cfg, user, 10000, &rc);
	priv_lower();
	if (rc.outcome == SSPR_RC_NONE)
		return true;
	syslog(LOG_AUTHPRIV | rc.priority, "%s", rc.log);
	printf("%s\n", rc.log);
	return r == 0;
}

/*
 * What interrupted writes of the journals left (the journal lock is held
 * by every writer of one).
 */
static void
sweep_journal_temps(struct ctx *c, char **names, size_t count)
{
	size_t i;
	int lock;

	for (i = 0; i < count; i++) {
		lock = sspr_journal_lock(c->cfg.state_dir, names[i], 5000);
		if (lock < 0)
			continue;
		(void)sspr_journal_remove_temps(c->cfg.state_dir, names[i]);
		sspr_store_unlock(lock);
	}
}

static void
free_list(char **names, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

/* sspr admin reconcile [USER]: 0 when nothing is left unresolved. */
static int
cmd_admin_reconcile(struct ctx *c, int argc, char **argv)
{
	char **names = NULL;
	size_t count = 0;
	bool ok = true;
	size_t i;
	int r;

	if (argc > 1 || (argc == 1 && !sspr_store_name_ok(argv[0]))) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (argc == 1)
		return reconcile_one(c, argv[0]) ? EXIT_OK : EXIT_FAIL;
	r = priv_raise();
	if (r == 0) {
		r = sspr_journal_list(c->cfg.state_dir, &names, &count);
		priv_lower();
	}
	if (r < 0) {
		fail(_("cannot list %s: %s"), c->cfg.state_dir, store_text(r));
		free_list(names, count);
		return EXIT_FAIL;
	}
	for (i = 0; i < count; i++)
		ok = reconcile_one(c, names[i]) && ok;
	/* Leftovers of interrupted writes: records, journals, /etc/shadow. */
	if (priv_raise() == 0) {
		sweep_journal_temps(c, names, count);
		(void)sspr_store_sweep_all(c->cfg.state_dir);
		(void)sspr_shadow_sweep();
		priv_lower();
	}
	free_list(names, count);
	return ok ? EXIT_OK : EXIT_FAIL;
}

/* sspr admin forget USER: the admin made both passwords agree. */
static int
cmd_admin_forget(struct ctx *c, const char *user)
{
	int lock;
	int r;

	r = priv_raise();
	if (r < 0)
		return EXIT_FAIL;
	lock = sspr_journal_lock(c->cfg.state_dir, user, 5000);
	r = lock < 0 ? lock : sspr_journal_remove(c->cfg.state_dir, user);
	sspr_store_unlock(lock);
	priv_lower();
	if (r < 0) {
		fail(_("cannot remove the unfinished change of %s: %s"), user,
		     store_text(r));
		return EXIT_FAIL;
	}
	syslog(LOG_AUTHPRIV | LOG_NOTICE,
	       "root dropped the unfinished password change of '%s'", user);
	printf(_("Removed.\n"));
	return EXIT_OK;
}

#define FAILLOCK_PATH "/usr/sbin/faillock"

/*
 * The failed sign-ins pam_faillock holds for user that still count
 * (faillock marks them "V"), or -errno. Run without a shell and with an
 * empty environment, as the reset runs it.
 */
static int
faillock_count(const char *user)
{
	const char *argv[] = {
		FAILLOCK_PATH, "--user", user, NULL, NULL, NULL
	};
	char *const envp[] = { NULL };
	char dir[512];
	char line[512];
	unsigned count = 0;
	int status;
	int fds[2];
	FILE *f;
	pid_t pid;

	if (sspr_faillock_setting("dir", dir, sizeof(dir)) && dir[0] == '/') {
		argv[3] = "--dir";
		argv[4] = dir;
	}
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid == 0) {
		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(127);
		execve(FAILLOCK_PATH, (char *const *)argv, envp);
		_exit(127);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return -EAGAIN;
	}
	f = fdopen(fds[0], "r");
	if (f == NULL) {
		close(fds[0]);
	} else {
		/* "When Type Source Valid" rows; the last word is V or I. */
		while (fgets(line, sizeof(line), f) != NULL) {
			size_t n = strcspn(line, "\n");

			while (n > 0 && sspr_ascii_space(line[n - 1]))
				n--;
			if (n >= 2 && line[n - 1] == 'V' &&
			    sspr_ascii_space(line[n - 2]))
				count++;
		}
		fclose(f);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -EIO;
	return (int)count;
}

/* Whether pam_faillock, which this command leaves alone, locks user. */
static void
print_faillock(const char *user)
{
	char deny_text[16] = "3"; /* pam_faillock's default */
	unsigned long deny;
	char *end;
	int n;

	if (access(FAILLOCK_PATH, X_OK) != 0)
		return;
	(void)sspr_faillock_setting("deny", deny_text, sizeof(deny_text));
	errno = 0;
	deny = strtoul(deny_text, &end, 10);
	if (errno != 0 || *end != '\0')
		deny = 3;
	n = faillock_count(user);
	if (n < 0)
		printf(_("Could not ask pam_faillock about %s (%s).\n"), user,
		       strerror(-n));
	else if (deny > 0 && (unsigned long)n >= deny)
		printf(_("pam_faillock still locks %s (failed sign-ins that "
			 "count: %d, deny = %lu). \"faillock --user %s "
			 "--reset\" unlocks it.\n"),
		       user, n, deny, user);
	else if (n > 0)
		printf(_("pam_faillock does not lock %s (failed sign-ins that "
			 "count: %d, deny = %lu).\n"),
		       user, n, deny);
	else
		printf(_("pam_faillock holds no failed sign-ins of %s.\n"),
		       user);
}

/* sspr admin unlock USER: reset may be tried again at once. */
static int
cmd_admin_unlock(struct ctx *c, const char *user)
{
	struct sspr_record rec = { 0 };
	bool locked = false;
	bool counted = false;
	int lock;
	int r;

	r = priv_raise();
	if (r < 0)
		return EXIT_FAIL;
	r = sspr_store_open_locked(c->cfg.state_dir, user, &rec, &lock);
	if (r == 0) {
		locked = sspr_is_locked(&rec, time(NULL));
		counted = rec.failures != 0 || rec.locked_until != 0 ||
			  rec.lockouts != 0 || rec.day_failures != 0;
		sspr_clear_failures(&rec);
		/* An empty record is not created just to be cleared. */
		r = sspr_store_close_locked(c->cfg.state_dir, user, &rec, lock,
					    counted);
	}
	sspr_record_done(&rec);
	priv_lower();
	if (r < 0) {
		fail(_("cannot change the record of %s: %s"), user,
		     store_text(r));
		return EXIT_FAIL;
	}
	if (counted)
		syslog(LOG_AUTHPRIV | LOG_NOTICE,
		       "root cleared the reset lockout and failures of '%s'%s",
		       user, locked ? " (it was locked)" : "");
	printf(locked	 ? _("Password reset of %s is unlocked.\n")
	       : counted ? _("Password reset of %s was not locked; its failed "
			     "attempts are forgotten.\n")
			 : _("Password reset of %s was not locked.\n"),
	       user);
	print_faillock(user);
	return EXIT_OK;
}

/* sspr admin test [USER] [--send-to ADDRESS]: exit 0 when all pass. */
static int
cmd_admin_test(struct ctx *c, int argc, char **argv)
{
	struct sspr_admin_test opts = { NULL, NULL };
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--send-to") == 0 && i + 1 < argc &&
		    opts.send_to == NULL) {
			opts.send_to = argv[++i];
			if (sspr_address_ok(opts.send_to) < 0) {
				fail(_("'%s' is not a usable email address"),
				     opts.send_to);
				return EXIT_USAGE;
			}
		} else if (argv[i][0] != '-' && opts.user == NULL) {
			opts.user = argv[i];
			if (!sspr_store_name_ok(opts.user)) {
				fail(_("'%s' is not a usable user name"),
				     opts.user);
				return EXIT_USAGE;
			}
		} else {
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	return sspr_admin_test_run(&c->cfg, &opts, stdout) == 0 ? EXIT_OK
								: EXIT_FAIL;
}

/* One user of "admin list --json": r is the record's load result. */
static bool
json_list_entry(cJSON *users, const char *name, bool has_record, int r,
		const struct sspr_record *rec, bool pending)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || !cJSON_AddItemToArray(users, o)) {
		cJSON_Delete(o);
		return false;
	}
	return cJSON_AddStringToObject(o, "user", name) != NULL &&
	       json_bool(o, "record", has_record) &&
	       json_bool(o, "email", r == 0 && rec->email != NULL) &&
	       json_bool(o, "totp", r == 0 && rec->totp_secret != NULL) &&
	       json_bool(o, "unfinished_password_change", pending) &&
	       (r < 0 ? cJSON_AddStringToObject(o, "error", store_text(r))
		      : cJSON_AddNullToObject(o, "error")) != NULL;
}

/* sspr admin list [--json]: users with a record or an unfinished change. */
static int
cmd_admin_list(struct ctx *c, bool json)
{
	struct sspr_record rec = { 0 };
	char **names = NULL, **pending = NULL;
	size_t count = 0, npending = 0;
	size_t i = 0, k = 0;
	cJSON *root = NULL, *users = NULL;
	bool ok = true;
	int r;

	r = priv_raise();
	if (r == 0) {
		r = sspr_store_list(c->cfg.state_dir, &names, &count);
		if (r == 0)
			r = sspr_journal_list(c->cfg.state_dir, &pending,
					      &npending);
		priv_lower();
	}
	if (r < 0) {
		fail(_("cannot list %s: %s"), c->cfg.state_dir, store_text(r));
		free_list(names, count);
		free_list(pending, npending);
		return EXIT_FAIL;
	}
	if (json) {
		root = cJSON_CreateObject();
		ok = root != NULL &&
		     cJSON_AddNumberToObject(root, "version", JSON_VERSION) !=
			 NULL &&
		     (users = cJSON_AddArrayToObject(root, "users")) != NULL;
	}
	/* Both lists are sorted: merge them. */
	while (ok && (i < count || k < npending)) {
		int cmp = i == count	  ? 1
			  : k == npending ? -1
					  : strcmp(names[i], pending[k]);
		const char *name = cmp <= 0 ? names[i] : pending[k];

		r = cmp <= 0 ? load_record(c, name, &rec) : 0;
		if (json)
			ok = json_list_entry(users, name, cmp <= 0, r, &rec,
					     cmp >= 0);
		else
			printf("%-24s %s%s%s%s\n", name,
			       r < 0 ? store_text(r) : "",
			       r == 0 && rec.email != NULL ? "email " : "",
			       r == 0 && rec.totp_secret != NULL ? "totp " : "",
			       cmp >= 0 ? "unfinished-password-change" : "");
		sspr_record_done(&rec);
		if (cmp <= 0)
			i++;
		if (cmp >= 0)
			k++;
	}
	free_list(names, count);
	free_list(pending, npending);
	return json ? json_print(root, ok) : EXIT_OK;
}

static int
cmd_admin(struct ctx *c, int argc, char **argv)
{
	struct sspr_record rec = { 0 };
	char log[SSPR_ERR_MAX];
	char *email = NULL;
	bool json = false;
	int r;

	if (argc < 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!c->root) {
		fail(_("\"admin\" commands are for root only"));
		return EXIT_DENIED;
	}
	/* "list --json", "show USER --json": the option comes last. */
	if (argc >= 2 && strcmp(argv[argc - 1], "--json") == 0 &&
	    (strcmp(argv[0], "list") == 0 || strcmp(argv[0], "show") == 0)) {
		json = true;
		argc--;
	}
	if (strcmp(argv[0], "list") == 0 && argc == 1)
		return cmd_admin_list(c, json);
	if (strcmp(argv[0], "reconcile") == 0)
		return cmd_admin_reconcile(c, argc - 1, argv + 1);
	if (strcmp(argv[0], "test") == 0)
		return cmd_admin_test(c, argc - 1, argv + 1);
	if (argc < 2 || !sspr_store_name_ok(argv[1])) {
		if (argc >= 2)
			fail(_("'%s' is not a usable user name"), argv[1]);
		else
			usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[0], "show") == 0 && argc == 2 && json)
		return json_show(c, argv[1]);
	if (strcmp(argv[0], "show") == 0 && argc == 2) {
		r = priv_raise();
		if (r == 0) {
			r = sspr_store_load(c->cfg.state_dir, argv[1], &rec);
			priv_lower();
		}
		if (r == -ENOENT) {
			printf(_("%s has no record.\n"), argv[1]);
			print_journal(c, argv[1]);
			return EXIT_OK;
		}
		if (r < 0) {
			fail(_("cannot read the record of %s: %s"), argv[1],
			     store_text(r));
			return EXIT_FAIL;
		}
		printf("%-18s %s\n", "user", argv[1]);
		printf("%-18s %s\n", "email", rec.email ? rec.email : "-");
		if (rec.totp_secret != NULL)
			printf("%-18s registered (%s, %u digits)\n",
			       "authenticator app",
			       sspr_cfg_choice_name("totp_algorithm",
						    rec.totp_algorithm),
			       rec.totp_digits);
		else
			printf("%-18s -\n", "authenticator app");
		/* "-": no code of that kind pending */
		print_time("reset code until", rec.reset_code.hash != NULL
						   ? rec.reset_code.expires
						   : 0);
		print_time("enroll code until", rec.enroll_code.hash != NULL
						    ? rec.enroll_code.expires
						    : 0);
		printf("%-18s %u\n", "failures", rec.failures);
		print_time("locked until", rec.locked_until);
		printf("%-18s %u\n", "lockouts in a row", rec.lockouts);
		printf("%-18s %u\n", "wrong codes today", rec.day_failures);
		print_time("remind after", rec.remind_after);
		/* left by an earlier version, which kept no journal */
		if (rec.sync_pending != 0)
			print_time("unfinished sync", rec.sync_pending);
		sspr_record_done(&rec);
		print_journal(c, argv[1]);
		return EXIT_OK;
	}
	if (strcmp(argv[0], "forget") == 0 && argc == 2)
		return cmd_admin_forget(c, argv[1]);
	if (strcmp(argv[0], "unlock") == 0 && argc == 2)
		return cmd_admin_unlock(c, argv[1]);
	if (strcmp(argv[0], "remove") == 0 &&
	    (argc == 2 || (argc == 3 && method_word(argv[2])))) {
		r = remove_method(c, argv[1], argc == 3 ? argv[2] : NULL,
				  &email);
		if (r == -ENOENT) {
			printf(_("Nothing to remove.\n"));
			return EXIT_OK;
		}
		if (r < 0) {
			fail(_("cannot change the record of %s: %s"), argv[1],
			     store_text(r));
			return EXIT_FAIL;
		}
		notify_removed(c, argv[1], argc == 3 ? argv[2] : NULL, email,
			       true, log, sizeof(log));
		free(email);
		syslog(LOG_AUTHPRIV | LOG_NOTICE, "root removed %s of '%s'%s",
		       argc == 3 ? argv[2] : "the record", argv[1], log);
		printf(_("Removed.\n"));
		return EXIT_OK;
	}
	usage(stderr);
	return EXIT_USAGE;
}

static void
on_signal(int sig)
{
	(void)sig;
	sspr_tty_restore();
	_exit(130);
}

static void
handle_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
}

int
main(int argc, char **argv)
{
	struct ctx c = { .tty = { -1 } };
	char err[SSPR_ERR_MAX] = "";
	char conf_arg[4096];
	const char *cfg_args[1];
	int ncfg = 0;
	const struct passwd *pw;
	int status = EXIT_FAIL;
	int r;

	if (sanitize_fds() < 0)
		return EXIT_FAIL;
	r = priv_init();
	sanitize_environment();
	/* No copy of a TOTP key or URI left in a stdio buffer. */
	setvbuf(stdout, NULL, _IONBF, 0);
	umask(077);
	setlocale(LC_ALL, "");
	if (r < 0) {
		fail(_("must be installed setuid root (%s)"), strerror(-r));
		return EXIT_FAIL;
	}
	if (argc < 1)
		return EXIT_USAGE;
	argc--;
	argv++;
	c.root = caller_uid == 0;

	while (argc > 0 && argv[0][0] == '-') {
		if (strcmp(argv[0], "--help") == 0 ||
		    strcmp(argv[0], "-h") == 0) {
			usage(stdout);
			return EXIT_OK;
		}
		if (strcmp(argv[0], "--version") == 0) {
			printf("sspr %s\n", SSPR_VERSION);
			return EXIT_OK;
		}
		if (strcmp(argv[0], "--conf") == 0 && argc >= 2) {
			if (!c.root) {
				fail(_("--conf is for root only"));
				return EXIT_DENIED;
			}
			snprintf(conf_arg, sizeof(conf_arg), "conf=%s",
				 argv[1]);
			cfg_args[0] = conf_arg;
			ncfg = 1;
			argc -= 2;
			argv += 2;
			continue;
		}
		usage(stderr);
		return EXIT_USAGE;
	}
	if (argc < 1) {
		usage(stderr);
		return EXIT_USAGE;
	}

	pw = getpwuid(caller_uid);
	if (pw == NULL || pw->pw_name == NULL) {
		fail(_("who are you? (no account for uid %u)"),
		     (unsigned)caller_uid);
		return EXIT_FAIL;
	}
	c.user = sspr_strdup(pw->pw_name);
	if (c.user == NULL)
		return EXIT_FAIL;

	openlog("sspr", LOG_PID, LOG_AUTHPRIV);
	handle_signals();
	r = priv_raise();
	if (r == 0) {
		r = sspr_cfg_load(&c.cfg, ncfg, cfg_args, err, sizeof(err));
		priv_lower();
	}
	if (r < 0) {
		syslog(LOG_AUTHPRIV | LOG_ERR, "configuration: %s", err);
		if (c.root && argc >= 2 && strcmp(argv[0], "admin") == 0 &&
		    strcmp(argv[1], "test") == 0)
			sspr_admin_test_config_failed(err, stdout);
		else if (c.root)
			fail("%s", err);
		else
			fail(_("the configuration is not valid; ask your "
			       "administrator"));
		goto out;
	}
	sspr_enroll_set_privilege_hooks(priv_raise, priv_lower);

	if (strcmp(argv[0], "status") == 0 && argc == 1)
		status = cmd_status(&c);
	else if (strcmp(argv[0], "enroll") == 0)
		status = cmd_enroll(&c, argc - 1, argv + 1);
	else if (strcmp(argv[0], "remove") == 0)
		status = cmd_remove(&c, argc - 1, argv + 1);
	else if (strcmp(argv[0], "admin") == 0)
		status = cmd_admin(&c, argc - 1, argv + 1);
	else {
		usage(stderr);
		status = EXIT_USAGE;
	}
out:
	sspr_tty_close(&c.tty);
	sspr_cfg_done(&c.cfg);
	free(c.user);
	closelog();
	return status;
}
