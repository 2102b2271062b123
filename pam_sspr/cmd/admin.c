/*
 * sspr admin VERB ...: root lists, shows, removes, unlocks, reconciles
 * and tests, one function per verb and a table that dispatches them.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <cjson/cJSON.h>

#include "sspr/change/local_password.h"
#include "sspr/change/reconcile.h"
#include "sspr/cmd/admin.h"
#include "sspr/cmd/admin_journal.h"
#include "sspr/cmd/admin_json.h"
#include "sspr/cmd/admin_report.h"
#include "sspr/cmd/admin_test.h"
#include "sspr/cmd/output.h"
#include "sspr/cmd/priv.h"
#include "sspr/cmd/verbs.h"
#include "sspr/common/address.h"
#include "sspr/common/phone.h"
#include "sspr/common/config.h"
#include "sspr/common/errors.h"
#include "sspr/common/i18n.h"
#include "sspr/common/journal.h"
#include "sspr/common/store.h"

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

/* sspr admin reconcile [USER]: 0 when nothing is left unresolved. */
static int
cmd_admin_reconcile(struct ctx *c, const struct admin_call *a)
{
	char **names = NULL;
	size_t count = 0;
	bool ok = true;
	size_t i;
	int r;

	if (a->argc > 1 || (a->argc == 1 && !sspr_store_name_ok(a->argv[0]))) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (a->argc == 1)
		return reconcile_one(c, a->argv[0]) ? EXIT_OK : EXIT_FAIL;
	r = priv_raise();
	if (r == 0) {
		r = sspr_journal_list(c->cfg.state_dir, &names, &count);
		priv_lower();
	}
	if (r < 0) {
		fail(_("cannot list %s: %s"), c->cfg.state_dir,
		     sspr_store_strerror(r));
		sspr_store_names_free(names, count);
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
	sspr_store_names_free(names, count);
	return ok ? EXIT_OK : EXIT_FAIL;
}

/* sspr admin forget USER: the admin made both passwords agree. */
static int
cmd_admin_forget(struct ctx *c, const struct admin_call *a)
{
	const char *user = a->user;
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
		     sspr_store_strerror(r));
		return EXIT_FAIL;
	}
	syslog(LOG_AUTHPRIV | LOG_NOTICE,
	       "root dropped the unfinished password change of '%s'", user);
	printf(_("Removed.\n"));
	return EXIT_OK;
}

/*
 * sspr admin test [USER] [--send-to ADDRESS|NUMBER] [--json]: exit 0 when
 * all pass; a number (+ and the country code) gets a text message.
 */
static int
cmd_admin_test(struct ctx *c, const struct admin_call *a)
{
	struct sspr_admin_test opts = { .json = a->json };
	char number[SSPR_PHONE_MAX];
	char **argv = a->argv;
	int argc = a->argc;
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--send-to") == 0 && i + 1 < argc &&
		    opts.send_to == NULL) {
			opts.send_to = argv[++i];
			if (opts.send_to[0] == '+') {
				if (sspr_phone_canonical(opts.send_to, number) <
				    0) {
					fail(_("'%s' is not a usable mobile "
					       "number"),
					     opts.send_to);
					return EXIT_USAGE;
				}
				opts.send_to = number;
			} else if (sspr_address_ok(opts.send_to) < 0) {
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

/* sspr admin list [--json]: users with a record or an unfinished change. */
static int
cmd_admin_list(struct ctx *c, const struct admin_call *a)
{
	struct sspr_record rec = { 0 };
	char **names = NULL, **pending = NULL;
	size_t count = 0, npending = 0;
	size_t i = 0, k = 0;
	cJSON *root = NULL, *users = NULL;
	bool ok = true;
	bool json = a->json;
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
		fail(_("cannot list %s: %s"), c->cfg.state_dir,
		     sspr_store_strerror(r));
		sspr_store_names_free(names, count);
		sspr_store_names_free(pending, npending);
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
			printf("%-24s %s%s%s%s%s\n", name,
			       r < 0 ? sspr_store_strerror(r) : "",
			       r == 0 && rec.email != NULL ? "email " : "",
			       r == 0 && rec.totp_secret != NULL ? "totp " : "",
			       r == 0 && rec.phone != NULL ? "sms " : "",
			       cmp >= 0 ? "unfinished-password-change" : "");
		sspr_record_done(&rec);
		if (cmp <= 0)
			i++;
		if (cmp >= 0)
			k++;
	}
	sspr_store_names_free(names, count);
	sspr_store_names_free(pending, npending);
	return json ? json_print(root, ok) : EXIT_OK;
}

/* The text of "sspr admin show USER": rec is the user's record. */
static void
print_record(const char *user, const struct sspr_record *rec)
{
	printf("%-18s %s\n", "user", user);
	printf("%-18s %s\n", "email", rec->email ? rec->email : "-");
	printf("%-18s %s\n", "mobile number", rec->phone ? rec->phone : "-");
	if (rec->totp_secret != NULL)
		printf(
		    "%-18s registered (%s, %u digits)\n", "authenticator app",
		    sspr_cfg_choice_name("totp_algorithm", rec->totp_algorithm),
		    rec->totp_digits);
	else
		printf("%-18s -\n", "authenticator app");
	/* "-": no code of that kind pending */
	print_time("reset code until",
		   rec->reset_code.hash != NULL ? rec->reset_code.expires : 0);
	print_time("enroll code until", rec->enroll_code.hash != NULL
					    ? rec->enroll_code.expires
					    : 0);
	printf("%-18s %u\n", "failures", rec->failures);
	print_time("locked until", rec->locked_until);
	printf("%-18s %u\n", "lockouts in a row", rec->lockouts);
	printf("%-18s %u\n", "wrong codes today", rec->day_failures);
	print_time("remind after", rec->remind_after);
	print_time("confirmed at", rec->confirmed_at);
	/* left by an earlier version, which kept no journal */
	if (rec->sync_pending != 0)
		print_time("unfinished sync", rec->sync_pending);
}

/* sspr admin show USER [--json]: one user's record, never a secret. */
static int
cmd_admin_show(struct ctx *c, const struct admin_call *a)
{
	const char *user = a->user;
	struct sspr_record rec = { 0 };
	int r;

	if (a->json)
		return json_show(c, user);
	r = priv_raise();
	if (r == 0) {
		r = sspr_store_load(c->cfg.state_dir, user, &rec);
		priv_lower();
	}
	if (r == -ENOENT) {
		printf(_("%s has no record.\n"), user);
		print_journal(c, user);
		return EXIT_OK;
	}
	if (r < 0) {
		fail(_("cannot read the record of %s: %s"), user,
		     sspr_store_strerror(r));
		return EXIT_FAIL;
	}
	print_record(user, &rec);
	sspr_record_done(&rec);
	print_journal(c, user);
	return EXIT_OK;
}

/* sspr admin remove USER [email|totp|sms]: one method, or the record. */
static int
cmd_admin_remove(struct ctx *c, const struct admin_call *a)
{
	const char *user = a->user;
	const char *method = a->argc == 2 ? a->argv[1] : NULL;
	char log[SSPR_ERR_MAX];
	char *email = NULL;
	int r;

	if (method != NULL && !method_word(method)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	r = remove_method(c, user, method, &email);
	if (r == -ENOENT) {
		printf(_("Nothing to remove.\n"));
		return EXIT_OK;
	}
	if (r < 0) {
		fail(_("cannot change the record of %s: %s"), user,
		     sspr_store_strerror(r));
		return EXIT_FAIL;
	}
	notify_removed(c, user, method, email, true, log, sizeof(log));
	free(email);
	syslog(LOG_AUTHPRIV | LOG_NOTICE, "root removed %s of '%s'%s",
	       method != NULL ? method : "the record", user, log);
	printf(_("Removed.\n"));
	return EXIT_OK;
}

/*
 * The admin verbs. min and max count the words after the verb; user:
 * the first of them is a user name, checked before the verb runs; json:
 * the verb takes --json as its last word.
 */
static const struct admin_verb {
	const char *name;
	int min, max;
	bool user;
	bool json;
	int (*fn)(struct ctx *c, const struct admin_call *a);
} admin_verbs[] = {
	{ "list", 0, 0, false, true, cmd_admin_list },
	{ "reconcile", 0, INT_MAX, false, false, cmd_admin_reconcile },
	{ "test", 0, INT_MAX, false, true, cmd_admin_test },
	{ "show", 1, 1, true, true, cmd_admin_show },
	{ "forget", 1, 1, true, false, cmd_admin_forget },
	{ "unlock", 1, 1, true, false, cmd_admin_unlock },
	{ "remove", 1, 2, true, false, cmd_admin_remove },
	{ "report", 0, 2, false, true, cmd_admin_report },
};

static const struct admin_verb *
find_admin_verb(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(admin_verbs) / sizeof(admin_verbs[0]); i++)
		if (strcmp(admin_verbs[i].name, name) == 0)
			return &admin_verbs[i];
	return NULL;
}

static bool
admin_args_fit(const struct admin_verb *v, bool user, int nargs)
{
	return v != NULL && v->user == user && nargs >= v->min &&
	       nargs <= v->max;
}

/*
 * argv[0] is the verb, argc >= 1. Any word after an unknown verb, or
 * after a verb given the wrong number of words, is checked as a user
 * name first: a bad name is named before the usage is shown.
 */
int
cmd_admin(struct ctx *c, int argc, char **argv)
{
	const struct admin_verb *v = find_admin_verb(argv[0]);
	struct admin_call a = { .argv = argv + 1 };

	/* "list --json", "show USER --json": the option comes last. */
	if (argc >= 2 && strcmp(argv[argc - 1], "--json") == 0 && v != NULL &&
	    v->json) {
		a.json = true;
		argc--;
	}
	a.argc = argc - 1;
	if (admin_args_fit(v, false, a.argc))
		return v->fn(c, &a);
	if (argc < 2 || !sspr_store_name_ok(argv[1])) {
		if (argc >= 2)
			fail(_("'%s' is not a usable user name"), argv[1]);
		else
			usage(stderr);
		return EXIT_USAGE;
	}
	a.user = argv[1];
	if (admin_args_fit(v, true, a.argc))
		return v->fn(c, &a);
	usage(stderr);
	return EXIT_USAGE;
}
