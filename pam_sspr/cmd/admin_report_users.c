/*
 * The users of "sspr admin report" (include/sspr/cmd/admin_report.h):
 * who may reset on this host, and what their records hold.
 */
#include <errno.h>
#include <pwd.h>
#include <shadow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sspr/auth/ratelimit.h"
#include "sspr/cmd/admin_report.h"
#include "sspr/cmd/priv.h"
#include "sspr/common/config.h"
#include "sspr/common/gate.h"
#include "sspr/common/journal.h"
#include "sspr/common/store.h"
#include "sspr/common/util.h"

#define LOGIN_DEFS "/etc/login.defs"

static int
names_add(struct report_names *l, const char *name)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (v == NULL)
		return -ENOMEM;
	l->v = v;
	l->v[l->n] = sspr_strdup(name);
	if (l->v[l->n] == NULL)
		return -ENOMEM;
	l->n++;
	return 0;
}

/*
 * The range of uids useradd gives people (UID_MIN, UID_MAX of
 * login.defs), as Debian's tools read it: the first word a key, the
 * second its value.
 */
static void
people_uids(unsigned long *min, unsigned long *max)
{
	char line[256], key[32];
	unsigned long v;
	FILE *f;

	*min = 1000;
	*max = 60000;
	f = fopen(LOGIN_DEFS, "re");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%31s %lu", key, &v) != 2)
			continue;
		if (strcmp(key, "UID_MIN") == 0)
			*min = v;
		else if (strcmp(key, "UID_MAX") == 0)
			*max = v;
	}
	fclose(f);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The people's accounts, sorted (the gate's lookups come after). */
static int
people(struct report_names *out)
{
	unsigned long min, max;
	const struct passwd *pw;
	int r = 0;

	people_uids(&min, &max);
	setpwent();
	while (r == 0 && (pw = getpwent()) != NULL)
		if (pw->pw_uid >= min && pw->pw_uid <= max &&
		    sspr_store_name_ok(pw->pw_name))
			r = names_add(out, pw->pw_name);
	endpwent();
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(out->v[0]), by_name);
	return r;
}

/*
 * The methods of a record that count: those the configuration offers,
 * the local address not with email_source = entra, and entra (an
 * address registered in Microsoft 365) where the reset would use it.
 */
static unsigned
methods_of(const struct sspr_cfg *cfg, const struct sspr_record *rec,
	   bool entra)
{
	unsigned allowed = cfg->email_source == SSPR_EMAIL_ENTRA
			       ? cfg->methods & ~SSPR_METHOD_EMAIL
			       : cfg->methods;
	unsigned n = sspr_record_method_count(rec, allowed);

	if (entra && (cfg->methods & SSPR_METHOD_EMAIL) != 0 &&
	    (cfg->email_source == SSPR_EMAIL_ENTRA || rec->email == NULL))
		n++;
	return n;
}

static int
add_lock(struct report *rep, const char *user, time_t until)
{
	struct report_lock *l;

	l = realloc(rep->locked, (rep->nlocked + 1) * sizeof(*l));
	if (l == NULL)
		return -ENOMEM;
	rep->locked = l;
	l[rep->nlocked].until = until;
	l[rep->nlocked].user = sspr_strdup(user);
	if (l[rep->nlocked].user == NULL)
		return -ENOMEM;
	rep->nlocked++;
	return 0;
}

/* Count one admitted user by their record. */
static int
count_user(const struct sspr_cfg *cfg, const char *user, bool entra,
	   struct report *rep)
{
	struct sspr_record rec = { 0 };
	unsigned n;
	int r;

	rep->users++;
	r = sspr_store_load(cfg->state_dir, user, &rec);
	if (r < 0 && r != -ENOENT)
		return names_add(&rep->unreadable, user);
	n = methods_of(cfg, &rec, entra);
	r = n == 0 ? names_add(&rep->unregistered, user) : 0;
	if (n == 0)
		rep->none++;
	else if (n == 1)
		rep->one++;
	else
		rep->more++;
	if (r == 0 && sspr_is_locked(&rec, rep->now))
		r = add_lock(rep, user, rec.locked_until);
	sspr_record_done(&rec);
	return r;
}

/* The people the gate admits and a reset would not refuse. */
static int
admitted(const struct sspr_cfg *cfg, time_t now, struct report_names *out)
{
	struct report_names all = { 0 };
	size_t i;
	int r;

	r = people(&all);
	for (i = 0; r == 0 && i < all.n; i++)
		if (sspr_gate_allowed(NULL, cfg, all.v[i]) &&
		    sspr_account_refusal(getspnam(all.v[i]), now) == NULL)
			r = names_add(out, all.v[i]);
	sspr_store_names_free(all.v, all.n);
	return r;
}

/* Microsoft 365's addresses of the users, when the reset uses them. */
static bool *
entra_emails(const struct sspr_cfg *cfg, const struct report_names *users,
	     struct report *rep)
{
	bool *has;

	if (cfg->email_source == SSPR_EMAIL_LOCAL ||
	    (cfg->methods & SSPR_METHOD_EMAIL) == 0 || users->n == 0)
		return NULL;
	has = calloc(users->n, sizeof(*has));
	if (has == NULL) {
		snprintf(rep->entra_error, sizeof(rep->entra_error), "%s",
			 strerror(ENOMEM));
		return NULL;
	}
	if (report_entra(cfg, users, has, rep->entra_error,
			 sizeof(rep->entra_error)) < 0) {
		free(has);
		return NULL;
	}
	rep->entra_counted = true;
	return has;
}

int
report_users(const struct sspr_cfg *cfg, struct report *rep)
{
	struct report_names users = { 0 };
	bool *entra = NULL;
	size_t i;
	int r;

	r = priv_raise();
	if (r < 0)
		return r;
	r = admitted(cfg, rep->now, &users);
	priv_lower();
	if (r == 0)
		entra = entra_emails(cfg, &users, rep);
	r = r < 0 ? r : priv_raise();
	for (i = 0; r == 0 && i < users.n; i++)
		r = count_user(cfg, users.v[i], entra != NULL && entra[i], rep);
	if (r == 0)
		r = sspr_journal_list(cfg->state_dir, &rep->pending.v,
				      &rep->pending.n);
	priv_lower();
	free(entra);
	sspr_store_names_free(users.v, users.n);
	return r;
}

void
report_done(struct report *rep)
{
	size_t i;

	sspr_store_names_free(rep->unregistered.v, rep->unregistered.n);
	sspr_store_names_free(rep->unreadable.v, rep->unreadable.n);
	sspr_store_names_free(rep->pending.v, rep->pending.n);
	for (i = 0; i < rep->nlocked; i++)
		free(rep->locked[i].user);
	free(rep->locked);
	memset(rep, 0, sizeof(*rep));
}
