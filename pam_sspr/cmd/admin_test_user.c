/*
 * "sspr admin test USER": the local account, what this computer holds
 * for it, and its Microsoft 365 account.
 */
#include <errno.h>
#include <pwd.h>
#include <shadow.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sspr/change/sync.h"
#include "sspr/cmd/admin_test_out.h"
#include "sspr/cmd/admin_test_user.h"
#include "sspr/common/address.h"
#include "sspr/common/config.h"
#include "sspr/common/gate.h"
#include "sspr/common/store.h"
#include "sspr/m365/upn.h"

void
check_local_user(struct run *t, const char *user)
{
	const struct sspr_cfg *cfg = t->cfg;
	struct sspr_record rec = { 0 };
	const char *why;
	int r;

	if (getpwnam(user) == NULL) {
		out_failed(t, "user %s: no such account on this computer",
			   user);
		out_note(t, "fix:",
			 "check the name (the local user name, not "
			 "the Microsoft 365 one)");
		return;
	}
	if (sspr_gate_allowed(NULL, cfg, user)) {
		out_ok(t,
		       "user %s may reset a forgotten password here (enable "
		       "= %s)",
		       user, cfg->enable == SSPR_ENABLE_ALL ? "all" : "group");
	} else {
		out_failed(
		    t, "user %s may not reset here (enable = %s%s%s)", user,
		    cfg->enable == SSPR_ENABLE_NONE ? "none" : "group",
		    cfg->enable == SSPR_ENABLE_GROUP ? ", not in group " : "",
		    cfg->enable == SSPR_ENABLE_GROUP ? cfg->enable_group : "");
		out_note(
		    t, "fix:", "%s",
		    cfg->enable == SSPR_ENABLE_NONE
			? "set enable = all, or enable = group with "
			  "enable_group"
			: "add the user to enable_group, or set enable = all");
	}
	why = sspr_account_refusal(getspnam(user), time(NULL));
	if (why != NULL) {
		out_failed(t, "user %s may not reset here: %s", user, why);
		out_note(
		    t, "detail:",
		    "a reset never unlocks what the administrator locked; "
		    "passwd -u, usermod -U or chage -E -1 lift a lock that "
		    "is not meant to stay");
	}
	r = sspr_store_load(cfg->state_dir, user, &rec);
	if (r == 0 || r == -ENOENT)
		out_info(t, "user %s: registered on this computer: %s%s%s",
			 user, rec.email != NULL ? "email " : "",
			 rec.totp_secret != NULL ? "authenticator app" : "",
			 rec.email == NULL && rec.totp_secret == NULL
			     ? "nothing"
			     : "");
	else
		out_failed(t, "user %s: the record in %s cannot be read: %s",
			   user, cfg->state_dir,
			   r == -EBADMSG ? "damaged"
			   : r == -EPERM ? "owner or mode not safe"
					 : strerror(-r));
	sspr_record_done(&rec);
}

/*
 * The user's Microsoft 365 account as a reset would find it: 0 when a
 * password can be set there, else the -errno of sspr_sync_precheck().
 */
static int
check_m365_account(struct run *t, const char *user, const char *upn)
{
	char msg[SSPR_ERR_MAX] = "";
	char log[SSPR_ERR_MAX] = "";
	int r;

	r = sspr_sync_precheck(&t->fresh, user, msg, sizeof(msg), log,
			       sizeof(log));
	switch (r) {
	case 0:
		out_ok(t,
		       "Microsoft 365 account %s: found, enabled, not "
		       "synchronised from on-premises",
		       upn);
		break;
	case -ENOENT:
		out_failed(t, "Microsoft 365 account %s: not found", upn);
		out_note(t, "fix:",
			 "check upn_format or upn_map_file against the "
			 "user's name in Microsoft 365");
		break;
	case -EREMOTE:
		out_failed(t,
			   "Microsoft 365 account %s is synchronised from "
			   "on-premises Active Directory: resets are refused",
			   upn);
		out_note(t, "fix:",
			 "reset such accounts on-premises; pam_sspr "
			 "cannot change them");
		break;
	case -EPERM:
		out_failed(t, "Microsoft 365 account %s is disabled", upn);
		out_note(t, "fix:",
			 "enable it in " ENTRA " > Users, if it should "
			 "be");
		break;
	case -EACCES:
		out_failed(
		    t,
		    "Microsoft 365 account %s: looking it up was refused "
		    "(HTTP 403)",
		    upn);
		out_fix_permission(t, "User.Read.All");
		out_fix_role(t);
		break;
	default:
		out_failed(t, "Microsoft 365 account %s: %s", upn, msg);
		break;
	}
	if (r != 0)
		out_note(t, "detail:", "%s", log);
	return r;
}

/* The email address registered in Microsoft 365, masked. */
static void
check_entra_email(struct run *t, const char *user, const char *upn)
{
	char log[SSPR_ERR_MAX] = "";
	char *address = NULL;
	char *masked;
	int r;

	r = sspr_sync_entra_email(&t->fresh, user, &address, log, sizeof(log));
	if (r == 0 && address != NULL) {
		masked = sspr_address_mask(address);
		out_ok(t, "Microsoft 365 account %s: registered email %s", upn,
		       masked != NULL ? masked : "(hidden)");
		free(masked);
	} else if (r == 0) {
		out_ok(t,
		       "Microsoft 365 account %s: emailMethods readable; no "
		       "email registered there",
		       upn);
	} else if (r == -EACCES) {
		out_failed(t,
			   "Microsoft 365 account %s: reading emailMethods was "
			   "refused (HTTP 403)",
			   upn);
		out_fix_permission(t, "UserAuthenticationMethod.Read.All");
		out_fix_role(t);
		out_note(t, "detail:", "%s", log);
	} else {
		out_failed(t,
			   "Microsoft 365 account %s: emailMethods not "
			   "readable",
			   upn);
		out_note(t, "detail:", "%s", log);
	}
	free(address);
}

void
check_m365_user(struct run *t, const char *user)
{
	const struct sspr_cfg *cfg = t->cfg;
	char err[SSPR_ERR_MAX] = "";
	char *upn = NULL;
	int r;

	if (cfg->tenant == NULL)
		return;
	r = sspr_upn_for_user(cfg, user, &upn, err, sizeof(err));
	if (r < 0) {
		out_failed(t, "user %s: no Microsoft 365 user name: %s", user,
			   err);
		out_note(t, "fix:",
			 "set upn_format (e.g. %%u@contoso.com) or "
			 "list the user in upn_map_file");
		return;
	}
	out_ok(t, "user %s is %s in Microsoft 365", user, upn);
	if (!t->signed_in) {
		out_info(t,
			 "user %s: Microsoft 365 account not checked (no "
			 "sign-in)",
			 user);
		free(upn);
		return;
	}
	r = check_m365_account(t, user, upn);
	/* An account that is not there has no methods to read either. */
	if (cfg->email_source != SSPR_EMAIL_LOCAL && r != -ENOENT)
		check_entra_email(t, user, upn);
	free(upn);
}
