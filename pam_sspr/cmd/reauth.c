/*
 * Re-authentication of the caller through PAM (service "sspr"), with a
 * conversation over the terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "sspr/cmd/output.h"
#include "sspr/cmd/priv.h"
#include "sspr/cmd/reauth.h"
#include "sspr/cmd/tty_ui.h"
#include "sspr/common/i18n.h"
#include "sspr/common/util.h"

#define PAM_SERVICE_NAME "sspr"

static int
tty_conv(int n, const struct pam_message **msg, struct pam_response **resp,
	 void *ctx)
{
	struct sspr_tty *tty = ctx;
	struct pam_response *r;
	int i;

	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	r = calloc((size_t)n, sizeof(*r));
	if (r == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		const struct pam_message *m = msg[i];
		char *answer = NULL;

		switch (m->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
		case PAM_PROMPT_ECHO_ON:
			if (sspr_tty_read(tty,
					  m->msg_style == PAM_PROMPT_ECHO_ON,
					  m->msg, &answer) < 0)
				goto fail;
			r[i].resp = answer;
			break;
		case PAM_ERROR_MSG:
			fflush(stdout);
			fprintf(stderr, "%s\n", m->msg);
			break;
		case PAM_TEXT_INFO:
			printf("%s\n", m->msg);
			fflush(stdout);
			break;
		default:
			goto fail;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
fail:
	for (i = 0; i < n; i++)
		sspr_free_secret(r[i].resp);
	free(r);
	return PAM_CONV_ERR;
}

int
reauthenticate(struct sspr_tty *tty, const char *user)
{
	struct pam_conv conv = { tty_conv, tty };
	pam_handle_t *pamh = NULL;
	const char *tty_name;
	int r;

	r = pam_start(PAM_SERVICE_NAME, user, &conv, &pamh);
	if (r != PAM_SUCCESS) {
		fail(_("cannot start PAM: %s"), pam_strerror(NULL, r));
		return EXIT_FAIL;
	}
	pam_set_item(pamh, PAM_RUSER, user);
	tty_name = ttyname(STDIN_FILENO);
	if (tty_name != NULL)
		pam_set_item(pamh, PAM_TTY, tty_name);
	printf(_("To change how you reset your password, type your password "
		 "first.\n"));
	fflush(stdout);
	if (priv_raise() < 0) {
		pam_end(pamh, PAM_ABORT);
		fail(_("cannot gain the privileges it needs"));
		return EXIT_FAIL;
	}
	r = pam_authenticate(pamh, 0);
	if (r == PAM_SUCCESS)
		r = pam_acct_mgmt(pamh, 0);
	priv_lower();
	pam_end(pamh, r);
	if (r != PAM_SUCCESS) {
		syslog(LOG_AUTHPRIV | LOG_NOTICE,
		       "authentication of '%s' failed: %s", user,
		       pam_strerror(NULL, r));
		fail(_("authentication failed; nothing was changed"));
		return EXIT_AUTH;
	}
	return 0;
}
