/*
 * sspr admin report [--since DATE] [--json]: who may reset and how many
 * methods they registered, who registered none, who is locked now, the
 * unfinished password changes, and what the audit log says of the
 * period. The figures are gathered here (admin_report_users.c,
 * admin_report_audit.c) and printed by admin_report.c.
 */
#ifndef SSPR_CMD_ADMIN_REPORT_H
#define SSPR_CMD_ADMIN_REPORT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "sspr/cmd/admin.h"
#include "sspr/cmd/verbs.h"
#include "sspr/common/config.h"

/* A list of user names, in the order they were added. */
struct report_names {
	char **v;
	size_t n;
};

/* One user whose reset is locked now. */
struct report_lock {
	char *user;
	time_t until;
};

/* What the audit log says of the period (audit_log in sspr.conf). */
struct report_audit {
	int error;	     /* 0, or why the log could not be read (-errno) */
	time_t first;	     /* the oldest line's time, 0 for none */
	unsigned resets;     /* "reset" with result "ok" */
	unsigned failed;     /* "reset" with result "failed" */
	unsigned lockouts;   /* "lockout" */
	unsigned unreadable; /* lines that are not an audit line */
	/* With error: the file that could not be read. */
	char error_path[PATH_MAX];
};

struct report {
	time_t now;
	time_t since;
	/* the users who may reset: see report_users() */
	size_t users;
	size_t none, one, more; /* with 0, 1, 2 or more methods */
	struct report_names unregistered;
	struct report_names unreadable; /* record cannot be read */
	/* confirmed longer than reconfirm_days ago: asked at next sign-in */
	struct report_names reconfirm;
	struct report_lock *locked;
	size_t nlocked;
	struct report_names pending; /* unfinished password changes */
	struct report_audit audit;
	/* email_source = entra | both: Microsoft 365's addresses */
	bool entra_counted;
	char entra_error[SSPR_ERR_MAX]; /* why they are not, or "" */
};

/* The most users report_entra() asks Microsoft 365 about. */
#define REPORT_ENTRA_MAX 10000u

/*
 * The users who may reset: the accounts between UID_MIN and UID_MAX of
 * /etc/login.defs (1000 and 60000 when unset), as useradd gives people,
 * that the gate admits (enable, enable_group) and whose account a reset
 * would not refuse (locked, expired). Their records (and with
 * email_source = entra | both, Microsoft 365's addresses) give the
 * counts, the unregistered and the locked. 0 or -errno.
 */
int report_users(const struct sspr_cfg *cfg, struct report *rep);

/*
 * Read the audit log at path, and the files logrotate moved away
 * (path.1, path.2, ... uncompressed), from since on into *a (zeroed
 * first). A log that does not exist yet is empty; a line that is not
 * an audit line (not JSON, too long, no time) is counted, never shown.
 * 0 or -errno (also in a->error, with the file in a->error_path).
 */
int report_audit(const char *path, time_t since, struct report_audit *a);

/*
 * Which of users have an email method registered in Microsoft 365
 * (has[i], which the caller zeroed), in JSON batches of 20. 0, or -errno
 * with what went wrong in err (a user without a UPN is none).
 */
int report_entra(const struct sspr_cfg *cfg, const struct report_names *users,
		 bool *has, char *err, size_t errlen);

/* Free what report_users() and the rest put in *rep. */
void report_done(struct report *rep);

/* sspr admin report [--since DATE] [--json]. */
int cmd_admin_report(struct ctx *c, const struct admin_call *a);

#endif
