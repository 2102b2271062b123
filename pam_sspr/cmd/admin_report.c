/*
 * sspr admin report [--since DATE] [--json]: the figures of
 * include/sspr/cmd/admin_report.h as a short table for people, or as one
 * JSON object for scripts (schema in sspr(1), "JSON OUTPUT").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "sspr/cmd/admin_json.h"
#include "sspr/cmd/admin_report.h"
#include "sspr/cmd/output.h"
#include "sspr/common/config.h"
#include "sspr/common/errors.h"
#include "sspr/common/i18n.h"
#include "sspr/common/util.h"

#define DEFAULT_DAYS 30

/* DATE (YYYY-MM-DD) as the start of that day, local time; -1 if none. */
static time_t
parse_date(const char *s)
{
	struct tm tm = { 0 };
	int y, m, d;
	size_t i;
	time_t t;

	for (i = 0; i < 10; i++)
		if (s[i] == '\0' ||
		    (i == 4 || i == 7 ? s[i] != '-' : !sspr_ascii_digit(s[i])))
			return -1;
	if (s[10] != '\0' || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_isdst = -1;
	/* mktime() moves 2026-02-30 to March: not a date then. */
	t = mktime(&tm);
	if (t == -1 || tm.tm_year != y - 1900 || tm.tm_mon != m - 1 ||
	    tm.tm_mday != d)
		return -1;
	return t;
}

/* t as a local date, with the time of day when clock is set. */
static void
print_day(char *buf, size_t size, time_t t, bool clock)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, clock ? "%Y-%m-%d %H:%M" : "%Y-%m-%d", &tm) ==
		0)
		snprintf(buf, size, "%lld", (long long)t);
}

/* "label: a, b, c", wrapped; nothing for no names. */
static void
print_names(const char *label, const struct report_names *l)
{
	size_t col, i;

	if (l->n == 0)
		return;
	printf("%s", label);
	col = strlen(label);
	for (i = 0; i < l->n; i++) {
		if (col + strlen(l->v[i]) + 2 > 76) {
			printf("%s\n ", i > 0 ? "," : "");
			col = 1;
		} else if (i > 0) {
			printf(",");
			col++;
		}
		printf(" %s", l->v[i]);
		col += strlen(l->v[i]) + 1;
	}
	printf("\n");
}

/* One row of the table; sub rows are indented under the one before. */
static void
row(const char *label, size_t n, bool sub)
{
	printf("%s%-*s %6zu\n", sub ? "    " : "  ", sub ? 30 : 32, label, n);
}

static void
print_audit(const struct sspr_cfg *cfg, const struct report *rep)
{
	const struct report_audit *a = &rep->audit;

	if (cfg->audit_log == NULL) {
		printf(_("No audit log configured (audit_log in sspr.conf): no "
			 "resets, failures or lockouts to count.\n"));
		return;
	}
	if (a->error < 0) {
		printf(_("The audit log %s cannot be read: %s\n"),
		       a->error_path, strerror(-a->error));
		return;
	}
	printf(_("From the audit log %s:\n"), cfg->audit_log);
	row(_("successful resets"), a->resets, false);
	row(_("failed resets"), a->failed, false);
	row(_("lockouts"), a->lockouts, false);
	if (a->unreadable > 0)
		row(_("lines that are no audit line"), a->unreadable, false);
}

static void
print_report(const struct sspr_cfg *cfg, const struct report *rep)
{
	char since[32], now[32], until[32];
	size_t i;

	print_day(since, sizeof(since), rep->since, false);
	print_day(now, sizeof(now), rep->now, false);
	/* TRANSLATORS: the two dates of the period, YYYY-MM-DD. The labels
	   of the rows below are padded to 32 columns. */
	printf(_("Password reset on this host, %s to %s\n"), since, now);
	row(_("users who may reset"), rep->users, false);
	row(_("with no method"), rep->none, true);
	row(_("with one method"), rep->one, true);
	row(_("with two or more"), rep->more, true);
	if (rep->unreadable.n > 0)
		row(_("record not readable"), rep->unreadable.n, true);
	row(_("locked now"), rep->nlocked, false);
	row(_("unfinished password changes"), rep->pending.n, false);
	print_audit(cfg, rep);
	if (rep->entra_counted)
		printf(_("Email addresses registered in Microsoft 365 are "
			 "counted (email_source = %s).\n"),
		       sspr_cfg_choice_name("email_source", cfg->email_source));
	else if (rep->entra_error[0] != '\0')
		printf(_("Email addresses registered in Microsoft 365 are not "
			 "counted: they could not be read (%s).\n"),
		       rep->entra_error);
	print_names(_("No method:"), &rep->unregistered);
	print_names(_("Record not readable:"), &rep->unreadable);
	print_names(_("To reconfirm at next sign-in:"), &rep->reconfirm);
	for (i = 0; i < rep->nlocked; i++) {
		print_day(until, sizeof(until), rep->locked[i].until, true);
		printf(_("Locked: %s until %s\n"), rep->locked[i].user, until);
	}
	print_names(_("Unfinished password change (sspr admin show USER):"),
		    &rep->pending);
}

static bool
json_names(cJSON *obj, const char *key, const struct report_names *l)
{
	cJSON *a = cJSON_AddArrayToObject(obj, key);
	size_t i;

	for (i = 0; a != NULL && i < l->n; i++)
		if (!cJSON_AddItemToArray(a, cJSON_CreateString(l->v[i])))
			return false;
	return a != NULL;
}

static bool
json_counts(cJSON *obj, const struct report *rep)
{
	cJSON *m;

	return cJSON_AddNumberToObject(obj, "users", (double)rep->users) &&
	       (m = cJSON_AddObjectToObject(obj, "methods")) != NULL &&
	       cJSON_AddNumberToObject(m, "none", (double)rep->none) &&
	       cJSON_AddNumberToObject(m, "one", (double)rep->one) &&
	       cJSON_AddNumberToObject(m, "two_or_more", (double)rep->more) &&
	       json_names(obj, "unregistered", &rep->unregistered) &&
	       json_names(obj, "unreadable", &rep->unreadable) &&
	       json_names(obj, "reconfirm", &rep->reconfirm);
}

static bool
json_locked(cJSON *obj, const struct report *rep)
{
	cJSON *a = cJSON_AddArrayToObject(obj, "locked");
	cJSON *o;
	size_t i;

	for (i = 0; a != NULL && i < rep->nlocked; i++) {
		o = cJSON_CreateObject();
		if (o == NULL || !cJSON_AddItemToArray(a, o)) {
			cJSON_Delete(o);
			return false;
		}
		if (cJSON_AddStringToObject(o, "user", rep->locked[i].user) ==
			NULL ||
		    !json_time(o, "locked_until", rep->locked[i].until))
			return false;
	}
	return a != NULL;
}

/* Each unfinished change as "sspr admin show --json" gives it. */
static bool
json_pending(const struct ctx *c, cJSON *obj, const struct report *rep)
{
	cJSON *a = cJSON_AddArrayToObject(obj, "unfinished_changes");
	cJSON *o;
	size_t i;

	for (i = 0; a != NULL && i < rep->pending.n; i++) {
		o = cJSON_CreateObject();
		if (o == NULL || !cJSON_AddItemToArray(a, o)) {
			cJSON_Delete(o);
			return false;
		}
		if (cJSON_AddStringToObject(o, "user", rep->pending.v[i]) ==
			NULL ||
		    !json_journal(c, rep->pending.v[i], o))
			return false;
	}
	return a != NULL;
}

static bool
json_audit(const struct sspr_cfg *cfg, cJSON *obj, const struct report *rep)
{
	const struct report_audit *a = &rep->audit;
	char error[PATH_MAX + 128];
	cJSON *o;

	if (cfg->audit_log == NULL)
		return cJSON_AddNullToObject(obj, "audit") != NULL;
	/* Which file: it may be one that logrotate moved away. */
	if (a->error < 0)
		snprintf(error, sizeof(error), "%s: %s", a->error_path,
			 strerror(-a->error));
	o = cJSON_AddObjectToObject(obj, "audit");
	return o != NULL &&
	       cJSON_AddStringToObject(o, "path", cfg->audit_log) != NULL &&
	       (a->error < 0 ? cJSON_AddStringToObject(o, "error", error)
			     : cJSON_AddNullToObject(o, "error")) != NULL &&
	       json_time(o, "first", a->first) &&
	       cJSON_AddNumberToObject(o, "resets", a->resets) != NULL &&
	       cJSON_AddNumberToObject(o, "failed_resets", a->failed) != NULL &&
	       cJSON_AddNumberToObject(o, "lockouts", a->lockouts) != NULL &&
	       cJSON_AddNumberToObject(o, "unreadable_lines", a->unreadable) !=
		   NULL;
}

static int
json_report(const struct ctx *c, const struct report *rep)
{
	const struct sspr_cfg *cfg = &c->cfg;
	cJSON *o = cJSON_CreateObject();
	bool ok;

	ok = o != NULL &&
	     cJSON_AddNumberToObject(o, "version", JSON_VERSION) != NULL &&
	     json_time(o, "time", rep->now) &&
	     json_time(o, "since", rep->since) &&
	     cJSON_AddStringToObject(
		 o, "email_source",
		 sspr_cfg_choice_name("email_source", cfg->email_source)) !=
		 NULL &&
	     cJSON_AddBoolToObject(o, "entra_email_counted",
				   rep->entra_counted) != NULL &&
	     (rep->entra_error[0] != '\0'
		  ? cJSON_AddStringToObject(o, "entra_email_error",
					    rep->entra_error)
		  : cJSON_AddNullToObject(o, "entra_email_error")) != NULL &&
	     json_counts(o, rep) && json_locked(o, rep) &&
	     json_pending(c, o, rep) && json_audit(cfg, o, rep);
	return json_print(o, ok);
}

/* The words after "report": --since DATE at most. -1 for a usage error. */
static time_t
report_since(const struct admin_call *a, time_t now)
{
	if (a->argc == 0)
		return now - DEFAULT_DAYS * 86400;
	if (a->argc == 2 && strcmp(a->argv[0], "--since") == 0)
		return parse_date(a->argv[1]);
	return -1;
}

int
cmd_admin_report(struct ctx *c, const struct admin_call *a)
{
	struct report rep = { .now = time(NULL) };
	int status = EXIT_FAIL;
	int r;

	rep.since = report_since(a, rep.now);
	if (rep.since < 0) {
		if (a->argc == 2 && strcmp(a->argv[0], "--since") == 0)
			fail(_("'%s' is not a date (YYYY-MM-DD)"), a->argv[1]);
		else
			usage(stderr);
		return EXIT_USAGE;
	}
	r = report_users(&c->cfg, &rep);
	if (r < 0) {
		fail(_("cannot list %s: %s"), c->cfg.state_dir,
		     sspr_store_strerror(r));
		goto out;
	}
	if (c->cfg.audit_log != NULL)
		(void)report_audit(c->cfg.audit_log, rep.since, &rep.audit);
	if (a->json) {
		status = json_report(c, &rep);
	} else {
		print_report(&c->cfg, &rep);
		status = EXIT_OK;
	}
	/* Counts from a log or a tenant that could not be read are wrong. */
	if (rep.audit.error < 0 || rep.entra_error[0] != '\0')
		status = EXIT_FAIL;
out:
	report_done(&rep);
	return status;
}
