/*
 * mail_tool CONF: send one mail through sspr_mail_send() with the
 * configuration file CONF, for tests/pam/test_mail_smtp.sh. The message
 * comes on stdin as "To: ...", "Subject: ...", a blank line, the body.
 * Prints "sent" or "error: REASON (errno name)"; exits 0 or 1.
 * With "Subject: @code" the subject and body are pam_sspr's own reset
 * code mail (sspr_mail_text_code) for alice on host1 from tty1, the body
 * being the code, in the language of the environment (LANG, LANGUAGE;
 * SSPR_TEST_LOCALEDIR names the directory of the compiled catalogs).
 */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sspr/common/config.h"
#include "sspr/common/util.h"
#include "sspr/mail/mail.h"

/* "Subject: @code": pam_sspr's own mail, in the environment's language. */
#include "sspr/common/i18n.h"
#include "sspr/mail/text.h"

#define INPUT_MAX 65536

int
main(int argc, char **argv)
{
	struct sspr_cfg cfg;
	struct sspr_mail mail = { NULL, NULL, NULL };
	struct sspr_mail_text text = { NULL, NULL };
	char err[SSPR_ERR_MAX] = "";
	char conf[4096];
	const char *args[1];
	char *in;
	char *line;
	char *body;
	size_t len;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: mail_tool CONF <message\n");
		return 2;
	}
	snprintf(conf, sizeof(conf), "conf=%s", argv[1]);
	args[0] = conf;
	r = sspr_cfg_load(&cfg, 1, args, err, sizeof(err));
	if (r < 0) {
		printf("error: %s\n", err);
		sspr_cfg_done(&cfg);
		return 1;
	}
	in = calloc(1, INPUT_MAX + 1);
	if (in == NULL)
		return 1;
	len = fread(in, 1, INPUT_MAX, stdin);
	in[len] = '\0';
	body = strstr(in, "\n\n");
	if (body == NULL) {
		printf("error: no blank line after the headers\n");
		return 1;
	}
	*body = '\0';
	body += 2;
	for (line = strtok(in, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		const char *v;

		v = sspr_skip_prefix(line, "To: ");
		if (v != NULL)
			mail.to = v;
		v = sspr_skip_prefix(line, "Subject: ");
		if (v != NULL)
			mail.subject = v;
	}
	mail.body = body;
	if (mail.subject != NULL && strcmp(mail.subject, "@code") == 0) {
		struct sspr_mail_event ev = { .user = "alice",
					      .host = "host1",
					      .origin = "tty1",
					      .when = 1700000000 };

		setlocale(LC_ALL, "");
		if (getenv("SSPR_TEST_LOCALEDIR") != NULL)
			bindtextdomain(SSPR_TEXT_DOMAIN,
				       getenv("SSPR_TEST_LOCALEDIR"));
		body[strcspn(body, "\n")] = '\0';
		r = sspr_mail_text_code(&ev, "reset", body, 600, &text);
		if (r < 0) {
			printf("error: no mail text (%s)\n", strerror(-r));
			return 1;
		}
		mail.subject = text.subject;
		mail.body = text.body;
	}
	r = sspr_mail_send(&cfg, &mail, err, sizeof(err));
	sspr_mail_text_done(&text);
	if (r < 0)
		printf("error: %s (%s)\n", err, strerror(-r));
	else
		printf("sent\n");
	free(in);
	sspr_cfg_done(&cfg);
	return r < 0 ? 1 : 0;
}
