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
 *
 * This file: the command line, the verb table, signals. The verbs are in
 * verbs.c (a user's own record) and admin*.c (root's).
 */
#include <limits.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>

#include "sspr/cmd/admin.h"
#include "sspr/cmd/admin_test.h"
#include "sspr/cmd/output.h"
#include "sspr/cmd/priv.h"
#include "sspr/cmd/tty_ui.h"
#include "sspr/cmd/verbs.h"
#include "sspr/common/config.h"
#include "sspr/common/i18n.h"
#include "sspr/common/lang.h"
#include "sspr/common/util.h"
#include "sspr/enroll/enroll.h"

/*
 * The verbs. min and max count the words after the verb; root_only, if
 * set, is what a caller who is not root is told.
 */
static const struct verb {
	const char *name;
	int min, max;
	const char *root_only;
	int (*fn)(struct ctx *c, int argc, char **argv);
} verbs[] = {
	{ "status", 0, 0, NULL, cmd_status },
	{ "enroll", 1, 2, NULL, cmd_enroll },
	{ "remove", 1, 1, NULL, cmd_remove },
	{ "admin", 1, INT_MAX, N_("\"admin\" commands are for root only"),
	  cmd_admin },
};

/* Run the verb argv[0] with the words after it: an exit status. */
static int
run_verb(struct ctx *c, int argc, char **argv)
{
	const struct verb *v;
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		v = &verbs[i];
		if (strcmp(v->name, argv[0]) != 0)
			continue;
		if (argc - 1 < v->min || argc - 1 > v->max)
			break;
		if (v->root_only != NULL && !c->root) {
			fail("%s", _(v->root_only));
			return EXIT_DENIED;
		}
		return v->fn(c, argc - 1, argv + 1);
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

/*
 * The options before the verb: --help, --version, --conf PATH (root
 * only; into conf_arg). -1 to go on with *argc, *argv at the verb, or an
 * exit status to stop with.
 */
static int
parse_options(const struct ctx *c, int *argc, char ***argv, char *conf_arg,
	      size_t conf_len)
{
	while (*argc > 0 && (*argv)[0][0] == '-') {
		const char *opt = (*argv)[0];

		if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
			usage(stdout);
			return EXIT_OK;
		}
		if (strcmp(opt, "--version") == 0) {
			printf("sspr %s\n", SSPR_VERSION);
			return EXIT_OK;
		}
		if (strcmp(opt, "--conf") == 0 && *argc >= 2) {
			if (!c->root) {
				fail(_("--conf is for root only"));
				return EXIT_DENIED;
			}
			snprintf(conf_arg, conf_len, "conf=%s", (*argv)[1]);
			*argc -= 2;
			*argv += 2;
			continue;
		}
		usage(stderr);
		return EXIT_USAGE;
	}
	if (*argc < 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	return -1;
}

/* The configuration, read as root: 0, or an exit status after saying why. */
static int
load_config(struct ctx *c, const char *conf_arg, int argc, char **argv)
{
	char err[SSPR_ERR_MAX] = "";
	const char *cfg_args[1] = { conf_arg };
	int r;

	r = priv_raise();
	if (r == 0) {
		r = sspr_cfg_load(&c->cfg, conf_arg[0] != '\0' ? 1 : 0,
				  cfg_args, err, sizeof(err));
		priv_lower();
	}
	if (r >= 0)
		return 0;
	syslog(LOG_AUTHPRIV | LOG_ERR, "configuration: %s", err);
	if (c->root && argc >= 2 && strcmp(argv[0], "admin") == 0 &&
	    strcmp(argv[1], "test") == 0)
		sspr_admin_test_config_failed(
		    err, strcmp(argv[argc - 1], "--json") == 0, stdout);
	else if (c->root)
		fail("%s", err);
	else
		fail(_("the configuration is not valid; ask your "
		       "administrator"));
	return EXIT_FAIL;
}

int
main(int argc, char **argv)
{
	struct ctx c = { .tty = { -1 } };
	struct sspr_lang lang = { 0 };
	char conf_arg[4096] = "";
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
	c.root = priv_caller_uid() == 0;
	r = parse_options(&c, &argc, &argv, conf_arg, sizeof(conf_arg));
	if (r >= 0)
		return r;

	pw = getpwuid(priv_caller_uid());
	if (pw == NULL || pw->pw_name == NULL) {
		fail(_("who are you? (no account for uid %u)"),
		     (unsigned)priv_caller_uid());
		return EXIT_FAIL;
	}
	c.user = sspr_strdup(pw->pw_name);
	if (c.user == NULL)
		return EXIT_FAIL;

	openlog("sspr", LOG_PID, LOG_AUTHPRIV);
	handle_signals();
	if (load_config(&c, conf_arg, argc, argv) != 0)
		goto out;
	/* English on the Linux console for CJK languages (lang.h). */
	sspr_lang_begin(&lang, c.cfg.console_language);
	status = run_verb(&c, argc, argv);
out:
	sspr_lang_end(&lang);
	sspr_tty_close(&c.tty);
	sspr_cfg_done(&c.cfg);
	free(c.user);
	closelog();
	return status;
}
