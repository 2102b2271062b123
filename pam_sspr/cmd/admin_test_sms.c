/*
 * "sspr admin test": the text message transport (sms_transport), and a
 * test message when --send-to names a number.
 */
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "sspr/cmd/admin_test_out.h"
#include "sspr/cmd/admin_test_sms.h"
#include "sspr/common/config.h"
#include "sspr/common/util.h"
#include "sspr/sms/send.h"

/* What the transport is, for the OK line. */
static void
describe(const struct sspr_cfg *cfg, char *buf, size_t len)
{
	if (cfg->sms_transport == SSPR_SMS_WEBHOOK)
		snprintf(buf, len, "webhook %s with its bearer secret",
			 cfg->sms_webhook_url);
	else
		snprintf(buf, len,
			 "Azure Communication Services %s from %s, %s",
			 cfg->sms_endpoint, cfg->sms_from,
			 cfg->sms_access_key_file != NULL
			     ? "signed with the access key"
			     : "an Entra token for Communication Services "
			       "was issued");
}

static void
send_test_sms(struct run *t, const char *to)
{
	char host[HOST_NAME_MAX + 1] = "this computer";
	char text[HOST_NAME_MAX + 128];
	char err[SSPR_ERR_MAX] = "";

	if (gethostname(host, sizeof(host)) < 0)
		sspr_strlcpy(host, "this computer", sizeof(host));
	host[sizeof(host) - 1] = '\0';
	snprintf(text, sizeof(text),
		 "pam_sspr test message from %s. Nothing needs to be done.",
		 host);
	if (sspr_sms_send(&t->fresh, to, text, err, sizeof(err)) == 0)
		out_ok(t, "sms: test message sent to %s", to);
	else
		out_failed(t, "sms: the test message to %s was not sent: %s",
			   to, err);
}

void
check_sms(struct run *t, const char *send_to)
{
	const struct sspr_cfg *cfg = t->cfg;
	char what[TEXT_MAX];
	char err[SSPR_ERR_MAX] = "";

	if ((cfg->methods & SSPR_METHOD_SMS) == 0 && send_to == NULL) {
		out_info(t, "sms: not used (methods has no sms)");
		return;
	}
	if (sspr_sms_check(&t->fresh, err, sizeof(err)) < 0) {
		out_failed(t, "sms: %s", err);
		out_note(t, "fix:",
			 "see CODES BY TEXT MESSAGE in sspr.conf(5); the key "
			 "and secret files must be root-only (mode 0600)");
		if (send_to != NULL)
			out_info(t, "sms: no test message sent (the check "
				    "above failed)");
		return;
	}
	describe(cfg, what, sizeof(what));
	out_ok(t, "sms: %s (no message sent)", what);
	if (send_to != NULL)
		send_test_sms(t, send_to);
}
