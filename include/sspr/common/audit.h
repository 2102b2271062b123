/*
 * The optional audit log (audit_log in sspr.conf): one JSON object a line
 * for every reset, enrollment and refusal, for the admin's tools and
 * "sspr admin report". Never a secret, a code or a password.
 */
#ifndef SSPR_AUDIT_H
#define SSPR_AUDIT_H

#include <stddef.h>
#include <time.h>

#include <security/pam_modules.h>

#include "sspr/common/config.h"

/* The most Microsoft 365 request ids one line carries. */
#define SSPR_AUDIT_IDS_MAX 4

struct sspr_audit_event {
	const char *service; /* PAM service, or "sspr" */
	const char *tty;     /* PAM_TTY, or NULL */
	const char *user;    /* as typed: hostile, escaped on the way out */
	const char *event;   /* "reset", "enroll", "refused", "lockout", … */
	const char *method;  /* "email", "totp", "sms", or NULL */
	const char *result;  /* "ok" or "failed" */
	const char *reason;  /* short, fixed words for the admin, or NULL */
	const char *request_ids[SSPR_AUDIT_IDS_MAX]; /* NULL-terminated */
};

/*
 * Append one line for ev at time now to path with a single write() on an
 * O_APPEND descriptor, so concurrent writers never interleave. The file
 * is created root-only (0600) and refused unless root owns it and only
 * root can read it; symbolic links are refused. Every string is JSON
 * escaped, control characters (C0, DEL, C1) as \u00XX, bytes that are
 * not UTF-8 as U+FFFD, and cut at 256 bytes. Returns 0, -EPERM (file
 * too loose), -ELOOP, -EIO (short write) or another -errno.
 */
int sspr_audit_write(const char *path, const struct sspr_audit_event *ev,
		     time_t now);

/*
 * Write ev to cfg's audit_log, if it names one: the service and the tty
 * come from pamh when ev leaves them NULL (pamh may be NULL, outside a
 * PAM stack). A failure costs the admin one syslog line, never the
 * person's reset.
 */
void sspr_audit(pam_handle_t *pamh, const struct sspr_cfg *cfg,
		struct sspr_audit_event *ev);

/*
 * The line sspr_audit_write() writes, without the newline, into buf of
 * len bytes (for tests and "sspr admin report"). Returns its length, or
 * -ENOSPC when it does not fit.
 */
int sspr_audit_format(const struct sspr_audit_event *ev, const char *host,
		      time_t now, char *buf, size_t len);

#endif
