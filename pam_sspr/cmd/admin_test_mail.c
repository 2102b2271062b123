/*
 * "sspr admin test": the mail transport (SMTP up to AUTH, or the Graph
 * mailbox of mail_from), and a test mail when one is asked for.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sspr/cmd/admin_test_mail.h"
#include "sspr/cmd/admin_test_out.h"
#include "sspr/common/address.h"
#include "sspr/common/config.h"
#include "sspr/common/util.h"
#include "sspr/m365/graph.h"
#include "sspr/m365/upn.h"
#include "sspr/mail/mail.h"
#include "sspr/net/http.h"

static void
check_smtp(struct run *t)
{
	const struct sspr_cfg *cfg = t->cfg;
	char sender[512];
	char err[SSPR_ERR_MAX] = "";
	int r;

	if (sspr_mail_sender(cfg, sender, sizeof(sender)) < 0 ||
	    sspr_address_ok(sender) < 0) {
		out_failed(t, "mail: the sender address '%s' is not usable",
			   cfg->mail_from != NULL ? cfg->mail_from : sender);
		out_note(t, "fix:",
			 "set mail_from to an address your mail "
			 "server accepts as sender");
		return;
	}
	r = sspr_mail_smtp_check(cfg, err, sizeof(err));
	if (r == 0) {
		out_ok(
		    t,
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
	out_failed(t, "mail: %s", err);
	switch (r) {
	case -ENOTCONN:
		out_note(t, "fix:",
			 "set smtp_url = smtp://HOST:587 (STARTTLS) or "
			 "smtps://HOST:465, or mail_transport = graph");
		break;
	case -EPROTO:
		out_note(
		    t, "fix:", "%s",
		    cfg->ca_file != NULL
			? "the server's certificate is not trusted: ca_file "
			  "replaces the system's CA certificates, so point it "
			  "at "
			  "the CA that signed the server's certificate (it is "
			  "also used for Microsoft 365)"
			: "the server's certificate is not trusted or TLS "
			  "failed: for a private CA set ca_file to its "
			  "certificate (PEM)");
		out_note(t, "",
			 "the host name in smtp_url must be one the "
			 "certificate names; a server without STARTTLS needs "
			 "smtps:// (or, on a trusted network only, "
			 "smtp_starttls = no)");
		break;
	case -EACCES:
		out_note(t, "fix:",
			 "the server refused smtp_user and the password "
			 "in smtp_password_file");
		break;
	case -ECONNREFUSED:
	case -EHOSTUNREACH:
	case -ETIMEDOUT:
		out_note(t, "fix:",
			 "check the host and port in smtp_url and that "
			 "the firewall lets this computer reach it");
		break;
	default:
		out_note(t, "fix:",
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
		out_info(t,
			 "mail: Graph sendMail as %s not checked (no sign-in)",
			 cfg->mail_from);
		return;
	}
	if (strlen(cfg->mail_from) > 256 ||
	    sspr_upn_path_escape(cfg->mail_from, esc, sizeof(esc)) < 0) {
		out_failed(t, "mail: mail_from %s is not usable",
			   cfg->mail_from);
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
			out_ok(t,
			       "mail: Graph sendMail as %s, a Microsoft 365 "
			       "user with a mailbox (%s)",
			       cfg->mail_from, mail->valuestring);
		else {
			out_failed(t,
				   "mail: mail_from %s is a Microsoft 365 user "
				   "without a mailbox",
				   cfg->mail_from);
			out_note(t, "fix:",
				 "give it an Exchange Online licence, "
				 "or set mail_from to a user or shared mailbox "
				 "that has one");
		}
		cJSON_Delete(root);
	} else if (r == 0 && res.status == 404) {
		out_failed(t, "mail: mail_from %s is not a user in tenant %s",
			   cfg->mail_from, cfg->tenant);
		out_note(t, "fix:",
			 "set mail_from to the address of a mailbox "
			 "in the tenant (a shared mailbox works)");
		out_detail_graph(t, &res, path);
	} else if (r == 0 && res.status == 403) {
		out_info(t,
			 "mail: cannot look up mail_from %s (HTTP 403): the "
			 "check needs User.Read.All, sending does not",
			 cfg->mail_from);
	} else {
		out_failed(t, "mail: looking up mail_from %s failed",
			   cfg->mail_from);
		out_detail_graph(t, &res, path);
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
		out_ok(t, "mail: test mail sent to %s", to);
		return;
	}
	out_failed(t, "mail: the test mail to %s was not sent: %s", to, err);
}

void
check_mail(struct run *t, const char *send_to)
{
	const struct sspr_cfg *cfg = t->cfg;
	unsigned before = t->failed;

	if (!mail_used(cfg) && send_to == NULL) {
		out_info(t, "mail: not used (methods has no email, no "
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
		out_info(t, "mail: no test mail sent (the check above failed)");
	else
		send_test_mail(t, send_to);
}
