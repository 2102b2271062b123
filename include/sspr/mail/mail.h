/*
 * Sending mail: one small interface, two transports (SMTP, net/smtp.c;
 * Microsoft Graph sendMail, mail/send_graph.c).
 */
#ifndef SSPR_MAIL_H
#define SSPR_MAIL_H

#include <stddef.h>
#include <time.h>

#include "sspr/common/config.h"

struct sspr_mail {
	const char *to;
	const char *subject;
	const char *body; /* plain text, UTF-8, "\n" line ends */
};

/*
 * Send through the configured transport. Returns 0 or a negative errno;
 * on failure err holds a one-line reason for the admin's log (never a
 * secret).
 */
int sspr_mail_send(const struct sspr_cfg *cfg, const struct sspr_mail *mail,
		   char *err, size_t errlen);

/*
 * For "sspr admin test": check the SMTP server without sending anything.
 * Connects to smtp_url with the settings delivery uses and goes through
 * the greeting, EHLO, STARTTLS (smtp://, unless smtp_starttls = no) or
 * TLS (smtps://) with the certificate verified, and AUTH when smtp_user
 * is set; then hangs up. 0 or a negative errno as sspr_mail_send()
 * returns them (-EPROTO for TLS, -EACCES for AUTH), err says why.
 */
int sspr_mail_smtp_check(const struct sspr_cfg *cfg, char *err, size_t errlen);

/*
 * The RFC 5322 message for mail from sender at time now: Date, From, To,
 * Subject (RFC 2047 words of whole characters when not ASCII), Message-ID,
 * MIME-Version, text/plain UTF-8, CRLF line ends; the body as is (7bit)
 * when it is ASCII, else in base64, so a Japanese mail survives a 7-bit
 * relay. Header values with CR or LF and
 * bodies with CR or over-long lines are refused (-EINVAL). *ret_msg is
 * malloc'd; free it with sspr_free_secret() (it may hold a code).
 */
int sspr_mail_build(const struct sspr_mail *mail, const char *sender,
		    time_t now, char **ret_msg);

/* The envelope and header sender: mail_from, else root@<host name>. */
int sspr_mail_sender(const struct sspr_cfg *cfg, char *buf, size_t len);

#endif
