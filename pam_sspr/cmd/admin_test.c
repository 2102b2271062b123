/*
 * "sspr admin test" (include/sspr/cmd/admin_test.h): every check that a
 * reset depends on, read-only, with what to do when one fails.
 *
 * Order: configuration, state_dir, Microsoft 365 sign-in and the
 * application permissions its token carries (mail through Graph needs
 * them), the mail transport, then the given user: local account, UPN,
 * Microsoft 365 account, registered email.
 */
#include "sspr/common/encode.h"
#include "sspr/common/address.h"
#include "sspr/cmd/admin_test.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sspr/common/gate.h"
#include "sspr/m365/graph.h"
#include "sspr/mail/mail.h"
#include "sspr/common/store.h"
#include "sspr/change/sync.h"
#include "sspr/m365/upn.h"
#include "sspr/common/util.h"

#define TEXT_MAX 1024
#define ENTRA "Microsoft Entra admin center"
#define ROLE_NAME "User Administrator"

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

struct run {
	FILE *out;
	unsigned failed;
	const struct sspr_cfg *cfg;
	/* cfg without state_dir: no token cache is read or written */
	struct sspr_cfg fresh;
	struct sspr_graph g;
	bool graph_open;
	bool signed_in;
};

/* --- output ------------------------------------------------------------ */

static void __attribute__((format(printf, 3, 0)))
vline(FILE *out, const char *tag, const char *fmt, va_list ap)
{
	char buf[TEXT_MAX];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(out, "%-6s%s\n", tag, buf);
}

static void __attribute__((format(printf, 2, 3)))
ok(struct run *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(t->out, "OK", fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 2, 3)))
info(struct run *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(t->out, "INFO", fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 2, 3)))
failed(struct run *t, const char *fmt, ...)
{
	va_list ap;

	t->failed++;
	va_start(ap, fmt);
	vline(t->out, "FAIL", fmt, ap);
	va_end(ap);
}

/* An indented line under a FAIL: "fix:", "detail:" or a continuation. */
static void __attribute__((format(printf, 3, 4)))
note(struct run *t, const char *label, const char *fmt, ...)
{
	char buf[TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(t->out, "      %s%s%s\n", label, label[0] != '\0' ? " " : "",
		buf);
}

/* How to grant an application permission, in the Entra admin center. */
static void
fix_permission(struct run *t, const char *names)
{
	note(t, "fix:",
	     "grant the application permission %s: " ENTRA
	     " > App registrations > the app (client_id %s) > API "
	     "permissions > Add a permission > Microsoft Graph > Application "
	     "permissions > %s > Add permissions, then \"Grant admin consent\"",
	     names, t->cfg->client_id, names);
}

/* The directory role the app needs besides its permissions. */
static void
fix_role(struct run *t)
{
	note(t, "",
	     "setting passwords also needs the \"" ROLE_NAME "\" "
	     "directory role: " ENTRA " > Roles and administrators > " ROLE_NAME
	     " > Add assignments > the app (client_id %s)",
	     t->cfg->client_id);
}

static void
detail_graph(struct run *t, const struct sspr_graph_result *res,
	     const char *what)
{
	char buf[TEXT_MAX];

	sspr_graph_result_log(res, what, buf, sizeof(buf));
	note(t, "detail:", "%s", buf);
}

/* --- configuration and state_dir --------------------------------------- */

void
sspr_admin_test_config_failed(const char *err, FILE *out)
{
	fprintf(out, "%-6sconfiguration: %s\n", "FAIL", err);
	fprintf(out, "      fix: correct it (every key is in sspr.conf(5)) "
		     "and run \"sspr admin test\" again\n");
	fprintf(out, "1 check failed.\n");
}

static void
check_config(struct run *t)
{
	const char *path =
	    t->cfg->conf_path != NULL ? t->cfg->conf_path : SSPR_CONF_PATH;

	if (access(path, F_OK) == 0)
		ok(t, "configuration %s", path);
	else
		ok(t,
		   "configuration: %s does not exist, built-in defaults "
		   "apply",
		   path);
}

static void
check_state_dir(struct run *t)
{
	const char *dir = t->cfg->state_dir;
	int r;

	r = sspr_store_check_dir(dir);
	if (r == 0) {
		ok(t,
		   "state_dir %s: a directory owned by root that others "
		   "cannot write",
		   dir);
		return;
	}
	failed(t, "state_dir %s: %s", dir != NULL ? dir : "(unset)",
	       r == -ENOENT    ? "does not exist"
	       : r == -ELOOP   ? "is a symbolic link"
	       : r == -ENOTDIR ? "is not a directory"
	       : r == -EPERM   ? "not owned by root, or writable by group "
				 "or others"
	       : r == -EINVAL  ? "not an absolute path"
			       : strerror(-r));
	if (r == -ENOENT || r == -EPERM)
		note(t, "fix:", "install -d -m 0700 -o root -g root %s", dir);
	else
		note(t, "fix:",
		     "set state_dir to an absolute path of a "
		     "root-only directory (default /var/lib/sspr)");
}

/* --- Microsoft 365 sign-in and permissions ----------------------------- */

static void
explain_token_failure(struct run *t, int r, const struct sspr_graph_result *res)
{
	const struct sspr_cfg *cfg = t->cfg;
	const struct sspr_graph_error *e = &res->error;
	bool secret = cfg->client_secret_file != NULL;
	const char *host = cfg->authority;

	if (res->has_error && e->aadsts == 7000215 && secret) {
		failed(t,
		       "Microsoft 365 sign-in: the client secret in %s was "
		       "refused (AADSTS7000215)",
		       cfg->client_secret_file);
		note(t, "fix:",
		     "client_secret_file must hold the secret's "
		     "Value, not its Secret ID; an expired secret needs a new "
		     "one: " ENTRA " > App registrations > the app > "
		     "Certificates & secrets > New client secret");
	} else if (res->has_error && e->aadsts == 700016) {
		failed(t,
		       "Microsoft 365 sign-in: no application with "
		       "client_id %s in tenant %s (AADSTS700016)",
		       cfg->client_id, cfg->tenant);
		note(t, "fix:",
		     "copy the Application (client) ID and the "
		     "Directory (tenant) ID from the app's Overview page "
		     "in " ENTRA
		     " > App registrations into client_id and tenant");
	} else if (res->has_error && e->aadsts == 90002) {
		failed(t,
		       "Microsoft 365 sign-in: tenant %s was not found "
		       "(AADSTS90002)",
		       cfg->tenant);
		note(t, "fix:",
		     "tenant is the Directory (tenant) ID or a "
		     "verified domain; for a national cloud set authority and "
		     "graph (see NATIONAL CLOUDS in sspr.conf(5))");
	} else if (res->has_error && !secret) {
		failed(t,
		       "Microsoft 365 sign-in: the certificate credential "
		       "was refused (%s AADSTS%lu)",
		       e->code, e->aadsts);
		note(t, "fix:",
		     "upload %s to " ENTRA " > App registrations > "
		     "the app > Certificates & secrets > Certificates, make "
		     "sure %s is its key and that this computer's clock is "
		     "right",
		     cfg->client_certificate, cfg->client_key);
	} else if (res->has_error) {
		failed(t, "Microsoft 365 sign-in: refused (%s AADSTS%lu)",
		       e->code, e->aadsts);
		note(t, "fix:",
		     "look the code up at "
		     "https://login.microsoftonline.com/error?code=%lu",
		     e->aadsts);
	} else if (r == -EPROTO) {
		failed(t,
		       "Microsoft 365 sign-in: TLS to %s failed: the "
		       "server's certificate is not trusted",
		       host);
		note(
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
		failed(t,
		       "Microsoft 365 sign-in: %s kept answering \"busy\" "
		       "until the time limit",
		       host);
		note(t, "fix:", "try again later, or raise timeout");
	} else if (res->transport != 0) {
		failed(t, "Microsoft 365 sign-in: %s could not be reached",
		       host);
		note(t, "fix:",
		     "check authority, name resolution and that "
		     "the firewall lets HTTPS out (no proxy is used)");
	} else if (res->status != 0) {
		failed(t, "Microsoft 365 sign-in: unexpected answer HTTP %ld",
		       res->status);
		note(t, "fix:",
		     "check authority (the login service of your "
		     "cloud)");
	} else {
		failed(t, "Microsoft 365 sign-in: %s",
		       res->detail[0] != '\0' ? res->detail : strerror(-r));
		if (secret)
			note(t, "fix:",
			     "client_secret_file must be a regular "
			     "file owned by root, mode 0600, holding the "
			     "secret's Value on one line");
		else
			note(t, "fix:",
			     "client_key must be the unencrypted "
			     "PEM private key of client_certificate; both "
			     "owned by root, the key with mode 0600");
		/* Nothing was sent: the line above says it all. */
		return;
	}
	detail_graph(t, res, cfg->tenant);
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
	note(t, "",
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
		info(t, "Microsoft 365 permissions: not readable from the "
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
		ok(t, "Microsoft 365 permissions granted: %s", granted);
		return;
	}
	failed(t, "Microsoft 365 permissions: the app lacks %s", missing);
	for (i = 0; i < SSPR_ARRAY_SIZE(permissions); i++)
		if ((permissions[i].need & need) != 0 &&
		    strstr(missing, permissions[i].name) != NULL)
			note(t, "", "%s is needed to %s", permissions[i].name,
			     permissions[i].what);
	fix_permission(t, missing);
	if (role_needed)
		fix_role(t);
	note_cached_token(t);
}

static void
check_sign_in(struct run *t)
{
	const struct sspr_cfg *cfg = t->cfg;
	struct sspr_graph_result res = { .status = 0 };
	int r;

	if (cfg->tenant == NULL) {
		info(t, "Microsoft 365: not configured (no tenant); passwords "
			"change on this computer only");
		return;
	}
	r = sspr_graph_open(&t->g, &t->fresh);
	if (r < 0) {
		failed(t,
		       "Microsoft 365: tenant '%s', client_id, authority "
		       "or graph is not usable",
		       cfg->tenant);
		note(t, "fix:",
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
	ok(t, "Microsoft 365 sign-in: app %s in tenant %s with a %s",
	   cfg->client_id, cfg->tenant,
	   cfg->client_secret_file != NULL ? "client secret" : "certificate");
	check_permissions(t);
	if (cfg->sync != SSPR_SYNC_OFF) {
		info(t, "directory role: not checked (only a password change "
			"shows it); the app needs \"" ROLE_NAME "\"");
		note(t, "",
		     ENTRA " > Roles and administrators > " ROLE_NAME
			   " > Add assignments > the app (client_id %s)",
		     cfg->client_id);
	}
}

/* --- mail -------------------------------------------------------------- */

static void
check_smtp(struct run *t)
{
	const struct sspr_cfg *cfg = t->cfg;
	char sender[512];
	char err[SSPR_ERR_MAX] = "";
	int r;

	if (sspr_mail_sender(cfg, sender, sizeof(sender)) < 0 ||
	    sspr_address_ok(sender) < 0) {
		failed(t, "mail: the sender address '%s' is not usable",
		       cfg->mail_from != NULL ? cfg->mail_from : sender);
		note(t, "fix:",
		     "set mail_from to an address your mail "
		     "server accepts as sender");
		return;
	}
	r = sspr_mail_smtp_check(cfg, err, sizeof(err));
	if (r == 0) {
		ok(t,
		   "mail: SMTP server %s answered%s%s, sender %s (no mail "
		   "sent)",
		   cfg->smtp_url,
		   sspr_skip_prefix(cfg->smtp_url, "smtps://") != NULL
		       ? ", TLS certificate verified"
		   : cfg->smtp_starttls ? ", STARTTLS certificate verified"
					: " without TLS (smtp_starttls = no)",
		   cfg->smtp_user != NULL ? ", login accepted" : "", sender);
		return;
	}
	failed(t, "mail: %s", err);
	switch (r) {
	case -ENOTCONN:
		note(t, "fix:",
		     "set smtp_url = smtp://HOST:587 (STARTTLS) or "
		     "smtps://HOST:465, or mail_transport = graph");
		break;
	case -EPROTO:
		note(t, "fix:", "%s",
		     cfg->ca_file != NULL
			 ? "the server's certificate is not trusted: ca_file "
			   "replaces the system's CA certificates, so point it "
			   "at "
			   "the CA that signed the server's certificate (it is "
			   "also used for Microsoft 365)"
			 : "the server's certificate is not trusted or TLS "
			   "failed: for a private CA set ca_file to its "
			   "certificate (PEM)");
		note(t, "",
		     "the host name in smtp_url must be one the "
		     "certificate names; a server without STARTTLS needs "
		     "smtps:// (or, on a trusted network only, "
		     "smtp_starttls = no)");
		break;
	case -EACCES:
		note(t, "fix:",
		     "the server refused smtp_user and the password "
		     "in smtp_password_file");
		break;
	case -ECONNREFUSED:
	case -EHOSTUNREACH:
	case -ETIMEDOUT:
		note(t, "fix:",
		     "check the host and port in smtp_url and that "
		     "the firewall lets this computer reach it");
		break;
	default:
		note(t, "fix:",
		     "check smtp_url, smtp_user and "
		     "smtp_password_file (sspr.conf(5))");
		break;
	}
}

/* GET /users/{mail_from}?$select=id,mail: a user with a mailbox? */
static void
check_graph_mailbox(struct run *t)
{
	const struct sspr_cfg *cfg = t->cfg;
	struct sspr_graph_result res = { .status = 0 };
	struct sspr_http_resp resp = { .status = 0 };
	char esc[3 * 256 + 1];
	char path[sizeof(esc) + 64];
	const cJSON *mail;
	cJSON *root = NULL;
	int r;

	if (!t->signed_in) {
		info(t, "mail: Graph sendMail as %s not checked (no sign-in)",
		     cfg->mail_from);
		return;
	}
	if (strlen(cfg->mail_from) > 256 ||
	    sspr_upn_path_escape(cfg->mail_from, esc, sizeof(esc)) < 0) {
		failed(t, "mail: mail_from %s is not usable", cfg->mail_from);
		return;
	}
	snprintf(path, sizeof(path), "/v1.0/users/%s?$select=id,mail", esc);
	r = sspr_graph_call(&t->g, "GET", path, NULL, 0, &res, &resp);
	if (r == 0 && res.status == 200) {
		root = cJSON_ParseWithLength(resp.body, resp.len);
		mail = cJSON_GetObjectItemCaseSensitive(root, "mail");
		/* Shown on root's terminal: only a checked address. */
		if (cJSON_IsString(mail) &&
		    sspr_address_ok(mail->valuestring) == 0)
			ok(t,
			   "mail: Graph sendMail as %s, a Microsoft 365 "
			   "user with a mailbox (%s)",
			   cfg->mail_from, mail->valuestring);
		else {
			failed(t,
			       "mail: mail_from %s is a Microsoft 365 user "
			       "without a mailbox",
			       cfg->mail_from);
			note(t, "fix:",
			     "give it an Exchange Online licence, "
			     "or set mail_from to a user or shared mailbox "
			     "that has one");
		}
		cJSON_Delete(root);
	} else if (r == 0 && res.status == 404) {
		failed(t, "mail: mail_from %s is not a user in tenant %s",
		       cfg->mail_from, cfg->tenant);
		note(t, "fix:",
		     "set mail_from to the address of a mailbox "
		     "in the tenant (a shared mailbox works)");
		detail_graph(t, &res, path);
	} else if (r == 0 && res.status == 403) {
		info(t,
		     "mail: cannot look up mail_from %s (HTTP 403): the "
		     "check needs User.Read.All, sending does not",
		     cfg->mail_from);
	} else {
		failed(t, "mail: looking up mail_from %s failed",
		       cfg->mail_from);
		detail_graph(t, &res, path);
	}
	sspr_http_resp_done(&resp);
}

static bool
mail_used(const struct sspr_cfg *cfg)
{
	return (cfg->methods & SSPR_METHOD_EMAIL) != 0 ||
	       cfg->admin_contact != NULL;
}

static void
send_test_mail(struct run *t, const char *to)
{
	char host[HOST_NAME_MAX + 1] = "this computer";
	char subject[HOST_NAME_MAX + 64];
	char body[2 * HOST_NAME_MAX + 256];
	char err[SSPR_ERR_MAX] = "";
	struct sspr_mail mail;
	int r;

	if (gethostname(host, sizeof(host)) < 0)
		sspr_strlcpy(host, "this computer", sizeof(host));
	host[sizeof(host) - 1] = '\0';
	snprintf(subject, sizeof(subject), "pam_sspr test mail from %s", host);
	snprintf(body, sizeof(body),
		 "This mail was sent by \"sspr admin test\" on %s to check "
		 "how password reset codes are sent.\n"
		 "Nothing needs to be done.\n",
		 host);
	mail = (struct sspr_mail){ .to = to, .subject = subject, .body = body };
	r = sspr_mail_send(&t->fresh, &mail, err, sizeof(err));
	if (r == 0) {
		ok(t, "mail: test mail sent to %s", to);
		return;
	}
	failed(t, "mail: the test mail to %s was not sent: %s", to, err);
}

static void
check_mail(struct run *t, const char *send_to)
{
	const struct sspr_cfg *cfg = t->cfg;
	unsigned before = t->failed;

	if (!mail_used(cfg) && send_to == NULL) {
		info(t, "mail: not used (methods has no email, no "
			"admin_contact)");
		return;
	}
	if (cfg->mail_transport == SSPR_MAIL_GRAPH)
		check_graph_mailbox(t);
	else
		check_smtp(t);
	if (send_to == NULL)
		return;
	if (t->failed != before)
		info(t, "mail: no test mail sent (the check above failed)");
	else
		send_test_mail(t, send_to);
}

/* --- one user ---------------------------------------------------------- */

static void
check_local_user(struct run *t, const char *user)
{
	const struct sspr_cfg *cfg = t->cfg;
	struct sspr_record rec = { 0 };
	const char *why;
	int r;

	if (getpwnam(user) == NULL) {
		failed(t, "user %s: no such account on this computer", user);
		note(t, "fix:",
		     "check the name (the local user name, not "
		     "the Microsoft 365 one)");
		return;
	}
	if (sspr_gate_allowed(cfg, user)) {
		ok(t,
		   "user %s may reset a forgotten password here (enable "
		   "= %s)",
		   user, cfg->enable == SSPR_ENABLE_ALL ? "all" : "group");
	} else {
		failed(
		    t, "user %s may not reset here (enable = %s%s%s)", user,
		    cfg->enable == SSPR_ENABLE_NONE ? "none" : "group",
		    cfg->enable == SSPR_ENABLE_GROUP ? ", not in group " : "",
		    cfg->enable == SSPR_ENABLE_GROUP ? cfg->enable_group : "");
		note(t, "fix:", "%s",
		     cfg->enable == SSPR_ENABLE_NONE
			 ? "set enable = all, or enable = group with "
			   "enable_group"
			 : "add the user to enable_group, or set enable = all");
	}
	why = sspr_account_refusal(getspnam(user), time(NULL));
	if (why != NULL) {
		failed(t, "user %s may not reset here: %s", user, why);
		note(t, "detail:",
		     "a reset never unlocks what the administrator locked; "
		     "passwd -u, usermod -U or chage -E -1 lift a lock that "
		     "is not meant to stay");
	}
	r = sspr_store_load(cfg->state_dir, user, &rec);
	if (r == 0 || r == -ENOENT)
		info(t, "user %s: registered on this computer: %s%s%s", user,
		     rec.email != NULL ? "email " : "",
		     rec.totp_secret != NULL ? "authenticator app" : "",
		     rec.email == NULL && rec.totp_secret == NULL ? "nothing"
								  : "");
	else
		failed(t, "user %s: the record in %s cannot be read: %s", user,
		       cfg->state_dir,
		       r == -EBADMSG ? "damaged"
		       : r == -EPERM ? "owner or mode not safe"
				     : strerror(-r));
	sspr_record_done(&rec);
}

static void
check_m365_user(struct run *t, const char *user)
{
	const struct sspr_cfg *cfg = t->cfg;
	char err[SSPR_ERR_MAX] = "";
	char msg[SSPR_ERR_MAX] = "";
	char log[SSPR_ERR_MAX] = "";
	char *address = NULL;
	char *masked;
	char *upn = NULL;
	int r;

	if (cfg->tenant == NULL)
		return;
	r = sspr_upn_for_user(cfg, user, &upn, err, sizeof(err));
	if (r < 0) {
		failed(t, "user %s: no Microsoft 365 user name: %s", user, err);
		note(t, "fix:",
		     "set upn_format (e.g. %%u@contoso.com) or "
		     "list the user in upn_map_file");
		return;
	}
	ok(t, "user %s is %s in Microsoft 365", user, upn);
	if (!t->signed_in) {
		info(t,
		     "user %s: Microsoft 365 account not checked (no "
		     "sign-in)",
		     user);
		free(upn);
		return;
	}
	r = sspr_sync_precheck(&t->fresh, user, msg, sizeof(msg), log,
			       sizeof(log));
	switch (r) {
	case 0:
		ok(t,
		   "Microsoft 365 account %s: found, enabled, not "
		   "synchronised from on-premises",
		   upn);
		break;
	case -ENOENT:
		failed(t, "Microsoft 365 account %s: not found", upn);
		note(t, "fix:",
		     "check upn_format or upn_map_file against the "
		     "user's name in Microsoft 365");
		break;
	case -EREMOTE:
		failed(t,
		       "Microsoft 365 account %s is synchronised from "
		       "on-premises Active Directory: resets are refused",
		       upn);
		note(t, "fix:",
		     "reset such accounts on-premises; pam_sspr "
		     "cannot change them");
		break;
	case -EPERM:
		failed(t, "Microsoft 365 account %s is disabled", upn);
		note(t, "fix:",
		     "enable it in " ENTRA " > Users, if it should "
		     "be");
		break;
	case -EACCES:
		failed(t,
		       "Microsoft 365 account %s: looking it up was refused "
		       "(HTTP 403)",
		       upn);
		fix_permission(t, "User.Read.All");
		fix_role(t);
		break;
	default:
		failed(t, "Microsoft 365 account %s: %s", upn, msg);
		break;
	}
	if (r != 0)
		note(t, "detail:", "%s", log);

	/* An account that is not there has no methods to read either. */
	if (cfg->email_source == SSPR_EMAIL_LOCAL || r == -ENOENT) {
		free(upn);
		return;
	}
	log[0] = '\0';
	r = sspr_sync_entra_email(&t->fresh, user, &address, log, sizeof(log));
	if (r == 0 && address != NULL) {
		masked = sspr_address_mask(address);
		ok(t, "Microsoft 365 account %s: registered email %s", upn,
		   masked != NULL ? masked : "(hidden)");
		free(masked);
	} else if (r == 0) {
		ok(t,
		   "Microsoft 365 account %s: emailMethods readable; no "
		   "email registered there",
		   upn);
	} else if (r == -EACCES) {
		failed(t,
		       "Microsoft 365 account %s: reading emailMethods was "
		       "refused (HTTP 403)",
		       upn);
		fix_permission(t, "UserAuthenticationMethod.Read.All");
		fix_role(t);
		note(t, "detail:", "%s", log);
	} else {
		failed(t,
		       "Microsoft 365 account %s: emailMethods not "
		       "readable",
		       upn);
		note(t, "detail:", "%s", log);
	}
	free(address);
	free(upn);
}

/* --- all of it --------------------------------------------------------- */

unsigned
sspr_admin_test_run(const struct sspr_cfg *cfg,
		    const struct sspr_admin_test *opts, FILE *out)
{
	struct run t = { .out = out, .cfg = cfg };

	t.fresh = *cfg;
	t.fresh.state_dir = NULL;
	check_config(&t);
	check_state_dir(&t);
	check_sign_in(&t);
	check_mail(&t, opts->send_to);
	if (opts->user != NULL) {
		check_local_user(&t, opts->user);
		check_m365_user(&t, opts->user);
	}
	if (t.graph_open)
		sspr_graph_close(&t.g);
	if (t.failed == 0)
		fprintf(out, "All checks passed.\n");
	else
		fprintf(out, "%u check%s failed.\n", t.failed,
			t.failed == 1 ? "" : "s");
	fflush(out);
	return t.failed;
}
