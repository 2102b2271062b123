/*
 * "sspr admin test": the Microsoft 365 sign-in and the application
 * permissions its token carries.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sspr/cmd/admin_test_m365.h"
#include "sspr/cmd/admin_test_out.h"
#include "sspr/common/config.h"
#include "sspr/common/encode.h"
#include "sspr/common/util.h"
#include "sspr/m365/graph.h"

/* When a permission is needed. */
#define NEED_SYNC 0x1u	      /* sync != off: look up, set passwords */
#define NEED_ENTRA_EMAIL 0x2u /* email_source = entra | both */
#define NEED_GRAPH_MAIL 0x4u  /* mail_transport = graph */

struct permission {
	const char *name;    /* least privileged app permission */
	const char *also[3]; /* broader ones that include it */
	const char *what;
	unsigned need;
};

static const struct permission permissions[] = {
	{ "User-PasswordProfile.ReadWrite.All",
	  { "User.ReadWrite.All", "Directory.ReadWrite.All", NULL },
	  "set passwords",
	  NEED_SYNC },
	{ "User.Read.All",
	  { "User.ReadWrite.All", "Directory.Read.All",
	    "Directory.ReadWrite.All" },
	  "look users up",
	  NEED_SYNC },
	{ "UserAuthenticationMethod.Read.All",
	  { "UserAuthenticationMethod.ReadWrite.All", NULL, NULL },
	  "read the email address users registered in Microsoft 365",
	  NEED_ENTRA_EMAIL },
	{ "Mail.Send",
	  { NULL, NULL, NULL },
	  "send mail as mail_from",
	  NEED_GRAPH_MAIL },
};

/* The token service answered with an error: which, and its fix. */
static void
token_refused(struct run *t, const struct sspr_graph_result *res)
{
	const struct sspr_cfg *cfg = t->cfg;
	const struct sspr_graph_error *e = &res->error;
	bool secret = cfg->client_secret_file != NULL;

	if (e->aadsts == 7000215 && secret) {
		out_failed(t,
			   "Microsoft 365 sign-in: the client secret in %s was "
			   "refused (AADSTS7000215)",
			   cfg->client_secret_file);
		out_note(
		    t, "fix:",
		    "client_secret_file must hold the secret's "
		    "Value, not its Secret ID; an expired secret needs a new "
		    "one: " ENTRA " > App registrations > the app > "
		    "Certificates & secrets > New client secret");
	} else if (e->aadsts == 700016) {
		out_failed(t,
			   "Microsoft 365 sign-in: no application with "
			   "client_id %s in tenant %s (AADSTS700016)",
			   cfg->client_id, cfg->tenant);
		out_note(t, "fix:",
			 "copy the Application (client) ID and the "
			 "Directory (tenant) ID from the app's Overview page "
			 "in " ENTRA
			 " > App registrations into client_id and tenant");
	} else if (e->aadsts == 90002) {
		out_failed(t,
			   "Microsoft 365 sign-in: tenant %s was not found "
			   "(AADSTS90002)",
			   cfg->tenant);
		out_note(
		    t, "fix:",
		    "tenant is the Directory (tenant) ID or a "
		    "verified domain; for a national cloud set authority and "
		    "graph (see NATIONAL CLOUDS in sspr.conf(5))");
	} else if (!secret) {
		out_failed(t,
			   "Microsoft 365 sign-in: the certificate credential "
			   "was refused (%s AADSTS%lu)",
			   e->code, e->aadsts);
		out_note(
		    t, "fix:",
		    "upload %s to " ENTRA " > App registrations > "
		    "the app > Certificates & secrets > Certificates, make "
		    "sure %s is its key and that this computer's clock is "
		    "right",
		    cfg->client_certificate, cfg->client_key);
	} else {
		out_failed(t, "Microsoft 365 sign-in: refused (%s AADSTS%lu)",
			   e->code, e->aadsts);
		out_note(t, "fix:",
			 "look the code up at "
			 "https://login.microsoftonline.com/error?code=%lu",
			 e->aadsts);
	}
}

/*
 * The request went out but no usable answer came back: TLS, throttling,
 * the network, an unexpected status. false when none of those is it.
 */
static bool
token_unanswered(struct run *t, int r, const struct sspr_graph_result *res)
{
	const struct sspr_cfg *cfg = t->cfg;
	const char *host = cfg->authority;

	if (r == -EPROTO) {
		out_failed(t,
			   "Microsoft 365 sign-in: TLS to %s failed: the "
			   "server's certificate is not trusted",
			   host);
		out_note(
		    t, "fix:", "%s",
		    cfg->ca_file != NULL
			? "ca_file replaces the system's CA certificates: "
			  "point "
			  "it at the CA that signed the server's certificate, "
			  "or "
			  "remove it to use the system's"
			: "if a TLS-inspecting proxy or a private CA is in the "
			  "path, set ca_file to its CA certificate (PEM); "
			  "check "
			  "this computer's clock");
	} else if (res->throttled) {
		out_failed(t,
			   "Microsoft 365 sign-in: %s kept answering \"busy\" "
			   "until the time limit",
			   host);
		out_note(t, "fix:", "try again later, or raise timeout");
	} else if (res->transport != 0) {
		out_failed(t, "Microsoft 365 sign-in: %s could not be reached",
			   host);
		out_note(t, "fix:",
			 "check authority, name resolution and that "
			 "the firewall lets HTTPS out (no proxy is used)");
	} else if (res->status != 0) {
		out_failed(t,
			   "Microsoft 365 sign-in: unexpected answer HTTP %ld",
			   res->status);
		out_note(t, "fix:",
			 "check authority (the login service of your "
			 "cloud)");
	} else {
		return false;
	}
	return true;
}

/* Nothing was sent: the credential could not be read or used. */
static void
token_not_sent(struct run *t, int r, const struct sspr_graph_result *res)
{
	const struct sspr_cfg *cfg = t->cfg;
	bool secret = cfg->client_secret_file != NULL;

	out_failed(t, "Microsoft 365 sign-in: %s",
		   res->detail[0] != '\0' ? res->detail : strerror(-r));
	if (secret)
		out_note(t, "fix:",
			 "client_secret_file must be a regular "
			 "file owned by root, mode 0600, holding the "
			 "secret's Value on one line");
	else
		out_note(t, "fix:",
			 "client_key must be the unencrypted "
			 "PEM private key of client_certificate; both "
			 "owned by root, the key with mode 0600");
}

static void
explain_token_failure(struct run *t, int r, const struct sspr_graph_result *res)
{
	if (res->has_error) {
		token_refused(t, res);
	} else if (!token_unanswered(t, r, res)) {
		token_not_sent(t, r, res);
		/* Nothing was sent: the line above says it all. */
		return;
	}
	out_detail_graph(t, res, t->cfg->tenant);
}

/*
 * The "roles" claim of an app-only access token: the application
 * permissions an administrator consented to. The token is not verified
 * here (Graph does that); it is only read to tell the admin what is
 * missing before a reset finds out. *ret_roles is NULL when the token
 * has no roles claim (no permission granted at all). -EBADMSG when the
 * token is not a readable JWT.
 */
static int
token_roles(const char *token, cJSON **ret_root, const cJSON **ret_roles)
{
	const char *p1 = strchr(token, '.');
	const char *p2 = p1 != NULL ? strchr(p1 + 1, '.') : NULL;
	unsigned char *json;
	size_t cap;
	size_t len = 0;
	cJSON *root;
	const cJSON *roles;
	int r;

	if (p2 == NULL || p2 == p1 + 1)
		return -EBADMSG;
	cap = 3 * (size_t)(p2 - p1 - 1) / 4 + 2;
	json = malloc(cap);
	if (json == NULL)
		return -ENOMEM;
	r = sspr_base64url_decode(p1 + 1, (size_t)(p2 - p1 - 1), json, &len);
	root = r == 0 ? cJSON_ParseWithLength((const char *)json, len) : NULL;
	sspr_freezero(json, cap);
	if (root == NULL || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return -EBADMSG;
	}
	roles = cJSON_GetObjectItemCaseSensitive(root, "roles");
	if (roles != NULL && !cJSON_IsArray(roles)) {
		cJSON_Delete(root);
		return -EBADMSG;
	}
	*ret_root = root;
	*ret_roles = roles;
	return 0;
}

static bool
has_role(const cJSON *roles, const char *name)
{
	const cJSON *item;

	if (name == NULL)
		return false;
	cJSON_ArrayForEach(item, roles) if (cJSON_IsString(item) &&
					    strcmp(item->valuestring, name) ==
						0) return true;
	return false;
}

static unsigned
needs(const struct sspr_cfg *cfg)
{
	unsigned need = 0;

	if (cfg->sync != SSPR_SYNC_OFF)
		need |= NEED_SYNC;
	if (cfg->email_source != SSPR_EMAIL_LOCAL)
		need |= NEED_ENTRA_EMAIL;
	if (cfg->mail_transport == SSPR_MAIL_GRAPH)
		need |= NEED_GRAPH_MAIL;
	return need;
}

/* A token cached by the module keeps the permissions it was issued with. */
static void
note_cached_token(struct run *t)
{
	char path[PATH_MAX];

	if (t->cfg->state_dir == NULL ||
	    (size_t)snprintf(path, sizeof(path), "%s/%s", t->cfg->state_dir,
			     SSPR_TOKEN_CACHE) >= sizeof(path) ||
	    access(path, F_OK) != 0)
		return;
	out_note(t, "",
		 "the token cached in %s keeps the old permissions until "
		 "it expires (at most an hour); remove it after granting",
		 path);
}

static void
check_permissions(struct run *t)
{
	const unsigned need = needs(t->cfg);
	char missing[TEXT_MAX] = "";
	char granted[TEXT_MAX] = "";
	const cJSON *roles = NULL;
	cJSON *root = NULL;
	bool role_needed = false;
	size_t i;
	int r;

	if (need == 0)
		return;
	r = token_roles(t->g.token, &root, &roles);
	if (r < 0) {
		out_info(t, "Microsoft 365 permissions: not readable from the "
			    "token; the checks below show them");
		return;
	}
	for (i = 0; i < SSPR_ARRAY_SIZE(permissions); i++) {
		const struct permission *p = &permissions[i];
		const char *have = NULL;
		char *list;
		size_t j;

		if ((p->need & need) == 0)
			continue;
		if (has_role(roles, p->name))
			have = p->name;
		for (j = 0; have == NULL && j < SSPR_ARRAY_SIZE(p->also); j++)
			if (has_role(roles, p->also[j]))
				have = p->also[j];
		list = have != NULL ? granted : missing;
		if (list[0] != '\0')
			sspr_strlcpy(list + strlen(list), ", ",
				     TEXT_MAX - strlen(list));
		sspr_strlcpy(list + strlen(list), have != NULL ? have : p->name,
			     TEXT_MAX - strlen(list));
		if (have == NULL && (p->need & NEED_SYNC) != 0)
			role_needed = true;
	}
	cJSON_Delete(root);
	if (missing[0] == '\0') {
		out_ok(t, "Microsoft 365 permissions granted: %s", granted);
		return;
	}
	out_failed(t, "Microsoft 365 permissions: the app lacks %s", missing);
	for (i = 0; i < SSPR_ARRAY_SIZE(permissions); i++)
		if ((permissions[i].need & need) != 0 &&
		    strstr(missing, permissions[i].name) != NULL)
			out_note(t, "", "%s is needed to %s",
				 permissions[i].name, permissions[i].what);
	out_fix_permission(t, missing);
	if (role_needed)
		out_fix_role(t);
	note_cached_token(t);
}

void
check_sign_in(struct run *t)
{
	const struct sspr_cfg *cfg = t->cfg;
	struct sspr_graph_result res = { .status = 0 };
	int r;

	if (cfg->tenant == NULL) {
		out_info(t,
			 "Microsoft 365: not configured (no tenant); passwords "
			 "change on this computer only");
		return;
	}
	r = sspr_graph_open(&t->g, &t->fresh);
	if (r < 0) {
		out_failed(t,
			   "Microsoft 365: tenant '%s', client_id, authority "
			   "or graph is not usable",
			   cfg->tenant);
		out_note(t, "fix:",
			 "tenant is a GUID or a domain name; "
			 "authority and graph are https:// URLs");
		return;
	}
	t->graph_open = true;
	r = sspr_graph_token(&t->g, &res);
	if (r < 0) {
		explain_token_failure(t, r, &res);
		return;
	}
	t->signed_in = true;
	out_ok(t, "Microsoft 365 sign-in: app %s in tenant %s with a %s",
	       cfg->client_id, cfg->tenant,
	       cfg->client_secret_file != NULL ? "client secret"
					       : "certificate");
	check_permissions(t);
	if (cfg->sync != SSPR_SYNC_OFF) {
		out_info(t,
			 "directory role: not checked (only a password change "
			 "shows it); the app needs \"" ROLE_NAME "\"");
		out_note(t, "",
			 ENTRA " > Roles and administrators > " ROLE_NAME
			       " > Add assignments > the app (client_id %s)",
			 cfg->client_id);
	}
}
