/*
 * passwd with sync_on_passwd = yes: the module sits after pam_unix in the
 * password stack. The preliminary pass checks Microsoft 365 and writes
 * the journal of intent (the shadow fields about to change); the update
 * pass, after pam_unix changed them, sets the same password in Microsoft
 * 365 or puts the old fields back.
 *
 * The connection of the preliminary check is kept for the update pass:
 * between the two the person types the new password, and the PATCH after
 * that last keystroke then costs one round trip, not a TCP and a TLS
 * handshake more (sspr_http_keep_take() in sspr/net/http.h). The update
 * pass takes it over, whatever thread runs it; pam_end closes it when no
 * update pass comes. Its socket is close-on-exec, so the programs the
 * password stack may run between the passes get none.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include "sspr/change/apply.h"
#include "sspr/change/local_password.h"
#include "sspr/change/passwd.h"
#include "sspr/change/sync.h"
#include "sspr/common/audit.h"
#include "sspr/common/i18n.h"
#include "sspr/common/journal.h"
#include "sspr/common/util.h"
#include "sspr/net/http.h"

#define CHANGE_KEY "pam_sspr:change"
/* Set when the preliminary pass refused: nothing may change. */
#define REFUSED_KEY "pam_sspr:refused"

/* What the preliminary pass leaves for the update pass. */
struct pending {
	struct sspr_change change;
	struct sspr_http_kept *connection; /* of the preliminary check */
};

/*
 * At pam_end: an update pass that never came (pam_unix refused the new
 * password, the caller gave up) leaves an entry of ours that is still
 * "prepared": nothing was sent, so put back whatever changed and drop it.
 * With PAM_DATA_SILENT this is a forked copy of the process cleaning up
 * (pam_end(3)): the parent still owns the change and the connection, so
 * neither the shadow file nor the TLS session is touched here; the
 * copy's socket goes with its exec or exit.
 */
static void
drop_change(pam_handle_t *pamh, void *data, int error)
{
	struct pending *p = data;
	bool parent = (error & PAM_DATA_SILENT) == 0;

	if (parent && p->change.active)
		(void)sspr_change_abandon(pamh, &p->change);
	sspr_change_end(&p->change);
	if (parent)
		sspr_http_kept_close(p->connection);
	free(p);
}

/*
 * The journal is written before Microsoft 365 is asked: should the admin
 * have made this line "optional", a refusal here does not stop pam_unix,
 * and the update pass must still be able to undo its change.
 */
static int
prelim(pam_handle_t *pamh, const struct sspr_cfg *cfg, const char *user)
{
	struct pending *p;
	char msg[512] = "";
	char log[SSPR_ERR_MAX] = "";
	int r;

	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return PAM_BUF_ERR;
	r = sspr_change_begin(pamh, &p->change, cfg, &sspr_local_password_host,
			      user, SSPR_JOURNAL_PASSWD, msg, sizeof(msg));
	if (r < 0) {
		free(p);
		pam_error(pamh, "%s", msg);
		return PAM_AUTHTOK_ERR;
	}
	if (pam_set_data(pamh, CHANGE_KEY, p, drop_change) != PAM_SUCCESS) {
		drop_change(pamh, p, 0);
		return PAM_BUF_ERR;
	}
	r = sspr_sync_precheck(cfg, user, msg, sizeof(msg), log, sizeof(log));
	if (r < 0) {
		pam_syslog(pamh, LOG_ERR,
			   "Microsoft 365 check failed for '%s': %s", user,
			   log);
		pam_error(pamh, "%s", msg);
		(void)pam_set_data(pamh, REFUSED_KEY, (void *)REFUSED_KEY,
				   NULL);
		return PAM_AUTHTOK_ERR;
	}
	p->connection = sspr_http_keep_take();
	return PAM_SUCCESS;
}

static int
update(pam_handle_t *pamh, const struct sspr_cfg *cfg, const char *user)
{
	const void *data = NULL;
	const void *authtok = NULL;
	const void *refused = NULL;
	struct pending *p;
	struct sspr_change *c;
	char msg[512] = "";
	int r;

	if (pam_get_data(pamh, CHANGE_KEY, &data) != PAM_SUCCESS ||
	    data == NULL) {
		pam_syslog(pamh, LOG_ERR,
			   "password stack misordered: pam_sspr must follow "
			   "pam_unix");
		return PAM_AUTHTOK_ERR;
	}
	p = (struct pending *)data;
	c = &p->change;
	/* Kept by this call (flow/entry.c) until it returns. */
	sspr_http_keep_give(p->connection);
	p->connection = NULL;
	if (!c->active || strcmp(c->user, user) != 0)
		return PAM_AUTHTOK_ERR;
	if (sspr_change_local_done(pamh, c) < 0) {
		pam_error(pamh, "%s", _("Your password was not changed."));
		return PAM_AUTHTOK_ERR;
	}
	(void)pam_get_data(pamh, REFUSED_KEY, &refused);
	if (pam_get_item(pamh, PAM_AUTHTOK, &authtok) != PAM_SUCCESS ||
	    authtok == NULL || refused != NULL) {
		/* Nothing can be sent: put the local password back. */
		pam_syslog(pamh, LOG_ERR,
			   "Microsoft 365 not given the new password of '%s' "
			   "(%s); restoring the previous local password",
			   user,
			   refused != NULL ? "refused by the preliminary check"
					   : "no new password to send");
		r = sspr_change_undo(pamh, c, msg, sizeof(msg));
		if (r == 0 && refused == NULL)
			snprintf(msg, sizeof(msg), "%s",
				 _("Microsoft 365 could not be given the new "
				   "password."));
		if (msg[0] != '\0')
			pam_error(pamh, "%s", msg);
		if (r == 0)
			pam_error(pamh, "%s",
				  _("Your password was not changed."));
		return PAM_AUTHTOK_ERR;
	}
	r = sspr_change_sync(pamh, c, cfg, authtok, msg, sizeof(msg));
	if (r == 0) {
		pam_syslog(pamh, LOG_NOTICE,
			   "Microsoft 365 password of '%s' changed by passwd",
			   user);
		return PAM_SUCCESS;
	}
	pam_error(pamh, "%s", msg);
	if (r != -EINPROGRESS && r != -EIO)
		pam_error(pamh, "%s", _("Your password was not changed."));
	return PAM_AUTHTOK_ERR;
}

int
sspr_passwd_chauthtok(pam_handle_t *pamh, int flags, const struct sspr_cfg *cfg,
		      const char *user)
{
	struct sspr_audit_event ev = { .user = user, .event = "passwd" };
	const void *data = NULL;
	int rv;

	if ((flags & PAM_PRELIM_CHECK) != 0) {
		rv = prelim(pamh, cfg, user);
		if (rv == PAM_SUCCESS)
			return rv;
		ev.reason = "preliminary check";
	} else if ((flags & PAM_UPDATE_AUTHTOK) != 0) {
		rv = update(pamh, cfg, user);
	} else {
		return PAM_IGNORE;
	}
	/* One line per passwd: its outcome, after the second pass. */
	ev.result = rv == PAM_SUCCESS ? "ok" : "failed";
	if (pam_get_data(pamh, CHANGE_KEY, &data) == PAM_SUCCESS &&
	    data != NULL) {
		const struct sspr_change *c =
		    &((const struct pending *)data)->change;

		if (c->ids.client[0] != '\0')
			ev.request_ids[0] = c->ids.client;
		if (c->ids.server[0] != '\0')
			ev.request_ids[ev.request_ids[0] != NULL] =
			    c->ids.server;
	}
	sspr_audit(pamh, cfg, &ev);
	return rv;
}
