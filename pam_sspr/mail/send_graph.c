/*
 * mail_transport = graph: Microsoft Graph sendMail as mail_from
 * (include/sspr/mail/send_graph.h), over the Graph session of
 * m365/graph.c. The JSON body may hold a code: it is wiped.
 */
#include "sspr/mail/send_graph.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sspr/common/address.h"
#include "sspr/common/util.h"
#include "sspr/m365/graph.h"
#include "sspr/m365/graph_json.h"
#include "sspr/m365/upn.h"

static int
mail_json(const char *to, const char *subject, const char *body,
	  char **ret_text)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *message;
	cJSON *content;
	cJSON *recipients;
	cJSON *recipient;
	cJSON *address;
	size_t cap;

	if (root == NULL)
		return -ENOMEM;
	message = cJSON_AddObjectToObject(root, "message");
	if (message == NULL ||
	    cJSON_AddStringToObject(message, "subject", subject) == NULL)
		goto nomem;
	content = cJSON_AddObjectToObject(message, "body");
	if (content == NULL ||
	    cJSON_AddStringToObject(content, "contentType", "Text") == NULL ||
	    cJSON_AddStringToObject(content, "content", body) == NULL)
		goto nomem;
	recipients = cJSON_AddArrayToObject(message, "toRecipients");
	recipient = cJSON_CreateObject();
	if (recipients == NULL || recipient == NULL) {
		cJSON_Delete(recipient);
		goto nomem;
	}
	cJSON_AddItemToArray(recipients, recipient);
	address = cJSON_AddObjectToObject(recipient, "emailAddress");
	if (address == NULL ||
	    cJSON_AddStringToObject(address, "address", to) == NULL ||
	    cJSON_AddFalseToObject(root, "saveToSentItems") == NULL)
		goto nomem;
	/* every byte may become \uXXXX (6 bytes); plus the fixed text */
	cap = 6 * (strlen(to) + strlen(subject) + strlen(body)) + 512;
	return sspr_gj_print_secret(root, cap, ret_text);
nomem:
	sspr_gj_delete_wiped(root);
	return -ENOMEM;
}

int
sspr_mail_graph_send(const struct sspr_cfg *cfg, const char *to,
		     const char *subject, const char *body, char *err,
		     size_t errlen)
{
	struct sspr_graph g = { .cfg = NULL };
	struct sspr_graph_result res = { .status = 0 };
	struct sspr_http_resp resp = { .status = 0 };
	char sender[3 * 256 + 1];
	char path[sizeof(sender) + 64];
	char what[sizeof(sender) + 64];
	char *json = NULL;
	int r;

	if (cfg->mail_from == NULL || strlen(cfg->mail_from) > 256 ||
	    sspr_upn_path_escape(cfg->mail_from, sender, sizeof(sender)) < 0) {
		snprintf(err, errlen, "Graph sendMail needs mail_from");
		return -EINVAL;
	}
	if (to == NULL || sspr_address_ok(to) < 0 || subject == NULL ||
	    body == NULL) {
		snprintf(err, errlen,
			 "Graph sendMail: not a valid recipient "
			 "address");
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "/v1.0/users/%s/sendMail", sender);
	snprintf(what, sizeof(what), "POST /v1.0/users/%s/sendMail", sender);
	r = mail_json(to, subject, body, &json);
	if (r < 0) {
		snprintf(err, errlen, "Graph sendMail: %s", strerror(-r));
		return r;
	}
	r = sspr_graph_open(&g, cfg);
	if (r < 0) {
		snprintf(err, errlen,
			 "Graph sendMail: tenant, client_id, "
			 "authority or graph not usable");
		goto out;
	}
	r = sspr_graph_call(&g, "POST", path, json, strlen(json), &res, &resp);
	if (r == 0 && res.status != 202) {
		switch (res.status) {
		case 400:
			r = -EINVAL;
			break;
		case 401:
			r = -EKEYREJECTED;
			break;
		case 403:
			r = -EACCES;
			break;
		case 404:
			r = -ENOENT;
			break;
		default:
			r = -EIO;
			break;
		}
	}
	if (r < 0)
		sspr_graph_result_log(&res, what, err, errlen);
	else if (errlen > 0)
		err[0] = '\0';
out:
	sspr_http_resp_done(&resp);
	sspr_graph_close(&g);
	sspr_free_secret(json);
	return r;
}
