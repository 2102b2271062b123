/*
 * The Microsoft 365 side of a password change (include/sspr/change/sync.h).
 *
 * Return values, for callers that want to tell cases apart (msg always
 * has the sentence for the person, log the line for the admin):
 *   -ENXIO        the user name gives no valid UPN; nothing was sent
 *   -EINVAL       Microsoft 365 refused the password (rules, banned list)
 *   -ENOENT       no such account in Microsoft 365
 *   -EREMOTE      the account is synced from on-premises AD
 *   -EPERM        the account is disabled
 *   -EACCES       the app lacks the permission or directory role (403)
 *   -EKEYREJECTED the app's own sign-in failed (secret, certificate, 401)
 *   -ETIMEDOUT, -ECONNREFUSED, -ECONNRESET, -EPROTO (TLS), -EIO (5xx)
 *                 Microsoft 365 could not be reached or kept throttling
 *   -EBADMSG      a reply without the documented shape
 *   -EINPROGRESS  the PATCH may have reached Microsoft 365 (timeout,
 *                 dropped connection, 500/502/504) and a look at the
 *                 account's lastPasswordChangeDateTime did not show the
 *                 change: its outcome is unknown
 */
#include "sspr/change/sync.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sspr/common/i18n.h"
#include "sspr/common/util.h"
#include "sspr/m365/graph.h"
#include "sspr/m365/graph_json.h"
#include "sspr/m365/upn.h"

/* Longest password sent at all (Entra allows 256 characters). */
#define PASSWORD_MAX 1024

/* An escaped UPN in a path: at most 3 bytes per character. */
#define UPN_PATH_MAX (3 * SSPR_UPN_MAX + 1)

enum outcome {
	O_UNREACHABLE,
	O_COMPLEXITY,
	O_FORBIDDEN,
	O_NOT_FOUND,
	O_SYNCED,
	O_DISABLED,
	O_BAD_UPN,
	O_CREDENTIALS,
	O_UNCONFIRMED,
	O_OTHER,
};

static const char *
sentence(enum outcome o)
{
	switch (o) {
	case O_UNREACHABLE:
		return _("Microsoft 365 could not be reached, so your "
			 "password was not changed. Try again later.");
	case O_COMPLEXITY:
		return _("Microsoft 365 did not accept this password: it does "
			 "not meet the password rules or is too common. "
			 "Choose a different one.");
	case O_FORBIDDEN:
		return _("Microsoft 365 refused the change: this computer is "
			 "not allowed to reset your password. Contact your "
			 "administrator.");
	case O_NOT_FOUND:
		return _("Your account was not found in Microsoft 365. "
			 "Contact your administrator.");
	case O_SYNCED:
		return _("Your Microsoft 365 account is managed by your "
			 "organisation's on-premises directory, so it cannot "
			 "be reset here. Reset your password through your "
			 "organisation's on-premises process.");
	case O_DISABLED:
		return _("Your Microsoft 365 account is disabled, so your "
			 "password cannot be reset here. Contact your "
			 "administrator.");
	case O_BAD_UPN:
		return _("Your user name does not match a Microsoft 365 "
			 "account, so your password cannot be reset here. "
			 "Contact your administrator.");
	case O_CREDENTIALS:
		return _("This computer could not sign in to Microsoft 365, "
			 "so your password was not changed. Contact your "
			 "administrator.");
	case O_UNCONFIRMED:
		return _("Microsoft 365 did not confirm the change, so your "
			 "password on this computer was not changed. If your "
			 "old password no longer works in Microsoft 365, "
			 "contact your administrator.");
	case O_OTHER:
	default:
		return _("Microsoft 365 refused the change, so your password "
			 "was not changed. Contact your administrator.");
	}
}

static void
say(char *msg, size_t msglen, enum outcome o)
{
	if (msg != NULL && msglen > 0)
		snprintf(msg, msglen, "%s", sentence(o));
}

/* Outcome and return value of a failed or unexpected exchange. */
static enum outcome
classify(int r, const struct sspr_graph_result *res, bool patch, int *ret_r)
{
	if (r < 0) {
		*ret_r = r;
		if (r == -EKEYREJECTED)
			return O_CREDENTIALS;
		if (res->throttled || res->transport != 0 || r == -ETIMEDOUT)
			return O_UNREACHABLE;
		if (res->token_failed && res->status >= 500) {
			*ret_r = -EIO;
			return O_UNREACHABLE;
		}
		if (r == -EBADMSG || r == -ENOMEM)
			return O_OTHER;
		/* credential files missing, unsafe or unreadable */
		*ret_r = -EKEYREJECTED;
		return O_CREDENTIALS;
	}
	switch (res->status) {
	case 401:
		*ret_r = -EKEYREJECTED;
		return O_CREDENTIALS;
	case 403:
		*ret_r = -EACCES;
		return O_FORBIDDEN;
	case 404:
		*ret_r = -ENOENT;
		return O_NOT_FOUND;
	case 400:
		if (patch && res->has_error &&
		    strcasestr(res->error.message, "on-premises") != NULL) {
			*ret_r = -EREMOTE;
			return O_SYNCED;
		}
		if (patch && res->has_error &&
		    strcmp(res->error.code, "Request_BadRequest") == 0) {
			*ret_r = -EINVAL;
			return O_COMPLEXITY;
		}
		break;
	default:
		if (res->status >= 500) {
			*ret_r = -EIO;
			return O_UNREACHABLE;
		}
		break;
	}
	*ret_r = -EIO;
	return O_OTHER;
}

/* The user's UPN and its escaped form; msg/log filled on failure. */
static int
user_upn(const struct sspr_cfg *cfg, const char *user, char **ret_upn,
	 char *path_upn, char *msg, size_t msglen, char *log, size_t loglen)
{
	char err[SSPR_ERR_MAX];
	char *upn = NULL;
	int r;

	r = sspr_upn_for_user(cfg, user, &upn, err, sizeof(err));
	if (r == 0 && sspr_upn_path_escape(upn, path_upn, UPN_PATH_MAX) < 0)
		r = -EINVAL;
	if (r < 0) {
		free(upn);
		say(msg, msglen, r == -EINVAL ? O_BAD_UPN : O_OTHER);
		snprintf(log, loglen, "no Microsoft 365 account name: %s", err);
		return r == -EINVAL ? -ENXIO : r;
	}
	*ret_upn = upn;
	return 0;
}

/* Start a Graph session; msg/log filled when the settings are unusable. */
static int
open_graph(struct sspr_graph *g, const struct sspr_cfg *cfg, char *msg,
	   size_t msglen, char *log, size_t loglen)
{
	int r;

	r = sspr_graph_open(g, cfg);
	if (r < 0) {
		say(msg, msglen, O_CREDENTIALS);
		snprintf(log, loglen,
			 "tenant, client_id, authority or graph not usable");
	}
	return r;
}

/* One request about a user's account: its names, the session, the reply. */
struct account {
	char *upn;
	char esc[UPN_PATH_MAX];	       /* the UPN escaped for a path */
	char path[UPN_PATH_MAX + 128]; /* /v1.0/users/{esc}{tail} */
	char what[UPN_PATH_MAX + 160]; /* "METHOD path" without the query */
	struct sspr_graph g;
	struct sspr_graph_result res;
	struct sspr_http_resp resp;
};

/*
 * The names for METHOD /v1.0/users/{upn}{tail}; msg/log filled on
 * failure. The session is opened apart, after the caller's own checks.
 * a is ready for account_done() either way.
 */
static int
account_init(struct account *a, const struct sspr_cfg *cfg, const char *user,
	     const char *method, const char *tail, char *msg, size_t msglen,
	     char *log, size_t loglen)
{
	int r;

	*a = (struct account){ .upn = NULL };
	r = user_upn(cfg, user, &a->upn, a->esc, msg, msglen, log, loglen);
	if (r < 0)
		return r;
	snprintf(a->path, sizeof(a->path), "/v1.0/users/%s%s", a->esc, tail);
	snprintf(a->what, sizeof(a->what), "%s %.*s", method,
		 (int)strcspn(a->path, "?"), a->path);
	return 0;
}

static void
account_done(struct account *a)
{
	sspr_http_resp_done(&a->resp);
	sspr_graph_close(&a->g);
	free(a->upn);
	a->upn = NULL;
}

/*
 * GET a->path in a session of its own. 0 with Graph's 200 reply in
 * a->resp; else msg (may be NULL) and log are filled and the errno is
 * classify()'s.
 */
static int
account_get(struct account *a, const struct sspr_cfg *cfg, char *msg,
	    size_t msglen, char *log, size_t loglen)
{
	int r;

	r = open_graph(&a->g, cfg, msg, msglen, log, loglen);
	if (r < 0)
		return r;
	r = sspr_graph_call(&a->g, "GET", a->path, NULL, 0, &a->res, &a->resp);
	if (r < 0 || a->res.status != 200) {
		say(msg, msglen, classify(r, &a->res, false, &r));
		sspr_graph_result_log(&a->res, a->what, log, loglen);
	}
	return r;
}

int
sspr_sync_precheck(const struct sspr_cfg *cfg, const char *user, char *msg,
		   size_t msglen, char *log, size_t loglen)
{
	struct account a;
	struct sspr_graph_user u;
	int r;

	r = account_init(&a, cfg, user, "GET",
			 "?$select=id,userPrincipalName,accountEnabled,"
			 "onPremisesSyncEnabled",
			 msg, msglen, log, loglen);
	if (r == 0)
		r = account_get(&a, cfg, msg, msglen, log, loglen);
	if (r < 0)
		goto out;
	r = sspr_gj_user(a.resp.body, a.resp.len, &u);
	if (r < 0) {
		say(msg, msglen, O_OTHER);
		snprintf(log, loglen,
			 "%s: HTTP 200 but not the documented "
			 "user object, client-request-id=%s request-id=%s",
			 a.what, a.res.client_request_id,
			 a.res.request_id[0] != '\0' ? a.res.request_id : "-");
		goto out;
	}
	/* A synced account is named so even when disabled: reset elsewhere. */
	if (u.on_premises_sync || !u.account_enabled) {
		say(msg, msglen, u.on_premises_sync ? O_SYNCED : O_DISABLED);
		snprintf(log, loglen, "'%s' %s; reset refused", a.upn,
			 u.on_premises_sync ? "is synced from on-premises AD "
					      "(onPremisesSyncEnabled)"
					    : "is disabled in Microsoft 365 "
					      "(accountEnabled false)");
		r = u.on_premises_sync ? -EREMOTE : -EPERM;
		goto out;
	}
	snprintf(log, loglen, "'%s' (id %s) can be reset, client-request-id=%s",
		 a.upn, u.id, a.res.client_request_id);
	r = 0;
out:
	account_done(&a);
	return r;
}

/* {"passwordProfile":{"forceChangePasswordNextSignIn":false,"password":..}} */
static int
password_json(const char *password, char **ret_text)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *profile;

	if (root == NULL)
		return -ENOMEM;
	profile = cJSON_AddObjectToObject(root, "passwordProfile");
	if (profile == NULL ||
	    cJSON_AddFalseToObject(profile, "forceChangePasswordNextSignIn") ==
		NULL ||
	    cJSON_AddStringToObject(profile, "password", password) == NULL) {
		sspr_gj_delete_wiped(root);
		return -ENOMEM;
	}
	/* cJSON's copy of the password is wiped with the tree */
	return sspr_gj_print_secret(root, 6 * strlen(password) + 128, ret_text);
}

/*
 * Could a failed PATCH still have reached Microsoft 365? Not when the
 * connection or TLS never came up (-ECONNREFUSED, -EPROTO: nothing was
 * sent, see sspr/net/curl.h), nor on 429/503 (not processed).
 */
static bool
maybe_applied(int r, const struct sspr_graph_result *res)
{
	if (res->token_failed)
		return false;
	if (res->transport != 0)
		return r != -ECONNREFUSED && r != -EPROTO;
	return res->status == 500 || res->status == 502 || res->status == 504;
}

/* Did the account's password change at or after since? 1, 0 or -errno. */
static int
changed_since(const struct sspr_cfg *cfg, const char *esc, time_t since)
{
	struct sspr_graph g = { .cfg = NULL };
	struct sspr_graph_result res = { .status = 0 };
	struct sspr_http_resp resp = { .status = 0 };
	char path[UPN_PATH_MAX + 64];
	time_t when = 0;
	int r;

	snprintf(path, sizeof(path),
		 "/v1.0/users/%s?$select=lastPasswordChangeDateTime", esc);
	/* A session of its own: a fresh deadline for the one question. */
	r = sspr_graph_open(&g, cfg);
	if (r == 0)
		r = sspr_graph_call(&g, "GET", path, NULL, 0, &res, &resp);
	if (r == 0 && res.status != 200)
		r = -EIO;
	if (r == 0)
		r = sspr_gj_password_changed(resp.body, resp.len, &when);
	sspr_http_resp_done(&resp);
	sspr_graph_close(&g);
	if (r < 0)
		return r;
	/*
	 * No slack for clock differences: a change counted by mistake would
	 * leave the two passwords different unnoticed, while one missed only
	 * keeps the old local password and marks the outcome unknown.
	 */
	return when != 0 && when >= since;
}

int
sspr_sync_password(const struct sspr_cfg *cfg, const char *user,
		   const char *password, char *msg, size_t msglen, char *log,
		   size_t loglen, struct sspr_sync_ids *ids)
{
	struct account a;
	char *json = NULL;
	time_t started;
	bool applied;
	int r;

	r = account_init(&a, cfg, user, "PATCH", "", msg, msglen, log, loglen);
	if (r < 0)
		goto out;
	if (password == NULL || password[0] == '\0' ||
	    strlen(password) > PASSWORD_MAX) {
		say(msg, msglen, O_COMPLEXITY);
		snprintf(log, loglen,
			 "%s: password empty or longer than %d "
			 "bytes, not sent",
			 a.what, PASSWORD_MAX);
		r = -EINVAL;
		goto out;
	}
	r = password_json(password, &json);
	if (r < 0) {
		say(msg, msglen, O_OTHER);
		snprintf(log, loglen, "%s: %s", a.what, strerror(-r));
		goto out;
	}
	r = open_graph(&a.g, cfg, msg, msglen, log, loglen);
	if (r < 0)
		goto out;
	started = time(NULL);
	r = sspr_graph_call(&a.g, "PATCH", a.path, json, strlen(json), &a.res,
			    &a.resp);
	if (ids != NULL) {
		sspr_strlcpy(ids->client, a.res.client_request_id,
			     sizeof(ids->client));
		sspr_strlcpy(ids->server, a.res.request_id,
			     sizeof(ids->server));
	}
	if (r == 0 && (a.res.status == 204 || a.res.status == 200)) {
		snprintf(log, loglen,
			 "%s: HTTP %ld password changed, "
			 "client-request-id=%s request-id=%s",
			 a.what, a.res.status, a.res.client_request_id,
			 a.res.request_id[0] != '\0' ? a.res.request_id : "-");
		goto out;
	}
	applied = maybe_applied(r, &a.res);
	say(msg, msglen, classify(r, &a.res, true, &r));
	sspr_graph_result_log(&a.res, a.what, log, loglen);
	if (!applied)
		goto out;
	/* The answer was lost: ask the account what happened. */
	switch (changed_since(cfg, a.esc, started)) {
	case 1:
		snprintf(
		    log, loglen,
		    "%s: answer lost (client-request-id=%s), but the "
		    "account's lastPasswordChangeDateTime shows the change",
		    a.what, a.res.client_request_id);
		r = 0;
		break;
	default:
		say(msg, msglen, O_UNCONFIRMED);
		snprintf(log + strlen(log), loglen - strlen(log),
			 "; outcome unknown: the change may have reached "
			 "Microsoft 365");
		r = -EINPROGRESS;
		break;
	}
out:
	account_done(&a);
	sspr_free_secret(json);
	return r;
}

int
sspr_sync_changed_since(const struct sspr_cfg *cfg, const char *user,
			time_t since, char *log, size_t loglen)
{
	char esc[UPN_PATH_MAX];
	char *upn = NULL;
	int r;

	r = user_upn(cfg, user, &upn, esc, NULL, 0, log, loglen);
	if (r < 0)
		return r;
	r = changed_since(cfg, esc, since);
	if (r < 0)
		snprintf(log, loglen,
			 "GET /v1.0/users/%s?$select=lastPasswordChangeDateTime"
			 ": %s",
			 esc, strerror(-r));
	free(upn);
	return r;
}

/*
 * One authentication method the user registered in Microsoft 365:
 * GET path, the reply read by parse (sspr_gj_email_methods() or
 * sspr_gj_phone_methods()); what names it in the log.
 */
static int
entra_method(const struct sspr_cfg *cfg, const char *user, const char *path,
	     int (*parse)(const char *, size_t, char **), const char *what,
	     char **ret, char *log, size_t loglen)
{
	struct account a;
	char *found = NULL;
	int r;

	r = account_init(&a, cfg, user, "GET", path, NULL, 0, log, loglen);
	if (r == 0)
		r = account_get(&a, cfg, NULL, 0, log, loglen);
	if (r < 0)
		goto out;
	r = parse(a.resp.body, a.resp.len, &found);
	if (r < 0) {
		snprintf(log, loglen,
			 "%s: HTTP 200 but no usable %s in the reply, "
			 "client-request-id=%s",
			 a.what, what, a.res.client_request_id);
		goto out;
	}
	*ret = found;
	r = 0;
out:
	account_done(&a);
	return r;
}

/* Graph takes at most 20 group ids in one checkMemberGroups request. */
#define MEMBER_GROUPS_MAX 20

/* {"groupIds":[ids...]}, malloc'd; 0 or -ENOMEM. */
static int
group_ids_json(const char *const *ids, size_t n, char **ret_text)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *list = cJSON_CreateStringArray(ids, (int)n);
	int r = -ENOMEM;

	if (root == NULL || list == NULL) {
		cJSON_Delete(list);
		goto out;
	}
	cJSON_AddItemToObject(root, "groupIds", list);
	*ret_text = cJSON_PrintUnformatted(root);
	if (*ret_text != NULL)
		r = 0;
out:
	cJSON_Delete(root);
	return r;
}

/* One checkMemberGroups request for ids[0..n) on a's session. */
static int
ask_groups(struct account *a, const char *const *ids, size_t n,
	   bool *ret_member, char *log, size_t loglen)
{
	char *json = NULL;
	int r;

	r = group_ids_json(ids, n, &json);
	if (r < 0) {
		snprintf(log, loglen, "%s: %s", a->what, strerror(-r));
		return r;
	}
	sspr_http_resp_done(&a->resp);
	a->res = (struct sspr_graph_result){ .status = 0 };
	r = sspr_graph_call(&a->g, "POST", a->path, json, strlen(json), &a->res,
			    &a->resp);
	free(json);
	if (r < 0 || a->res.status != 200) {
		(void)classify(r, &a->res, false, &r);
		sspr_graph_result_log(&a->res, a->what, log, loglen);
		return r;
	}
	r = sspr_gj_member_groups(a->resp.body, a->resp.len, ids, n,
				  ret_member);
	if (r < 0)
		snprintf(log, loglen,
			 "%s: HTTP 200 but not the documented reply, "
			 "client-request-id=%s",
			 a->what, a->res.client_request_id);
	return r;
}

int
sspr_sync_member_of(const struct sspr_cfg *cfg, const char *user, char *log,
		    size_t loglen)
{
	const char *ids[MEMBER_GROUPS_MAX];
	struct account a;
	char *copy = NULL;
	char *save = NULL;
	char *word;
	bool member = false;
	size_t n = 0;
	int r;

	r = account_init(&a, cfg, user, "POST", "/checkMemberGroups", NULL, 0,
			 log, loglen);
	if (r < 0)
		goto out;
	r = -EINVAL;
	if (cfg->enable_entra_group != NULL) {
		copy = sspr_strdup(cfg->enable_entra_group);
		r = copy != NULL ? 0 : -ENOMEM;
	}
	if (r < 0) {
		snprintf(log, loglen, "enable_entra_group: %s",
			 r == -ENOMEM ? strerror(ENOMEM) : "not set");
		goto out;
	}
	r = open_graph(&a.g, cfg, NULL, 0, log, loglen);
	if (r < 0)
		goto out;
	/* One request per 20 ids, until one finds a membership. */
	for (word = strtok_r(copy, " \t", &save); word != NULL && !member;
	     word = strtok_r(NULL, " \t", &save)) {
		ids[n++] = word;
		if (n == MEMBER_GROUPS_MAX) {
			r = ask_groups(&a, ids, n, &member, log, loglen);
			if (r < 0)
				goto out;
			n = 0;
		}
	}
	if (n > 0 && !member) {
		r = ask_groups(&a, ids, n, &member, log, loglen);
		if (r < 0)
			goto out;
	}
	snprintf(log, loglen,
		 "%s: '%s' is %s of enable_entra_group, client-request-id=%s",
		 a.what, a.upn, member ? "a member of one" : "a member of none",
		 a.res.client_request_id);
	r = member ? 1 : 0;
out:
	free(copy);
	account_done(&a);
	return r;
}

int
sspr_sync_entra_email(const struct sspr_cfg *cfg, const char *user,
		      char **ret_address, char *log, size_t loglen)
{
	return entra_method(cfg, user, "/authentication/emailMethods",
			    sspr_gj_email_methods, "email address", ret_address,
			    log, loglen);
}

int
sspr_sync_entra_phone(const struct sspr_cfg *cfg, const char *user,
		      char **ret_number, char *log, size_t loglen)
{
	return entra_method(cfg, user, "/authentication/phoneMethods",
			    sspr_gj_phone_methods, "mobile number", ret_number,
			    log, loglen);
}
