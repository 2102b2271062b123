/*
 * Sending mail. One entry point, sspr_mail_send(), picks a transport:
 * SMTP (net/smtp.c: smtp:// with STARTTLS required, or smtps://), or
 * Microsoft Graph sendMail (send_graph.c).
 * TLS is always verified.
 */
#include "sspr/mail/mail.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sspr/common/address.h"
#include "sspr/common/util.h"
#include "sspr/mail/send_graph.h"
#include "sspr/net/smtp.h"

#define MAIL_LINE_MAX 998 /* RFC 5322 2.1.1 */

typedef int (*mail_transport_fn)(const struct sspr_cfg *cfg,
				 const struct sspr_mail *mail,
				 const char *sender, char *err, size_t errlen);

int
sspr_mail_sender(const struct sspr_cfg *cfg, char *buf, size_t len)
{
	char host[HOST_NAME_MAX + 1];
	int n;

	if (cfg->mail_from != NULL) {
		if (sspr_strlcpy(buf, cfg->mail_from, len) >= len)
			return -ENAMETOOLONG;
		return 0;
	}
	if (gethostname(host, sizeof(host)) < 0)
		return -errno;
	host[sizeof(host) - 1] = '\0';
	n = snprintf(buf, len, "root@%s", host);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* --- the message ------------------------------------------------------- */

static bool
header_value_ok(const char *v)
{
	return v != NULL && strpbrk(v, "\r\n") == NULL;
}

static bool
is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/* Subject as is, or as one RFC 2047 "=?UTF-8?B?...?=" word. Malloc'd. */
static char *
encode_subject(const char *subject)
{
	size_t len = strlen(subject);
	unsigned char *b64;
	char *out;
	int n;

	if (is_ascii(subject))
		return sspr_strdup(subject);
	if (len > 600)
		return NULL;
	b64 = malloc(4 * ((len + 2) / 3) + 1);
	if (b64 == NULL)
		return NULL;
	n = EVP_EncodeBlock(b64, (const unsigned char *)subject, (int)len);
	/* "=?UTF-8?B?" + text + "?=" */
	out = malloc((size_t)n + 13);
	if (out != NULL)
		snprintf(out, (size_t)n + 13, "=?UTF-8?B?%s?=", b64);
	free(b64);
	return out;
}

/* Check a body: no CR, no line over MAIL_LINE_MAX; count its lines. */
static int
body_check(const char *body, size_t *ret_lines)
{
	size_t lines = 1;
	size_t col = 0;
	const char *p;

	for (p = body; *p != '\0'; p++) {
		if (*p == '\r')
			return -EINVAL;
		if (*p == '\n') {
			lines++;
			col = 0;
		} else if (++col > MAIL_LINE_MAX) {
			return -EINVAL;
		}
	}
	*ret_lines = lines;
	return 0;
}

int
sspr_mail_build(const struct sspr_mail *mail, const char *sender, time_t now,
		char **ret_msg)
{
	locale_t c_locale;
	unsigned char rnd[12];
	char msgid[64];
	char date[64];
	const char *domain;
	char *subject = NULL;
	char *msg = NULL;
	struct tm tm;
	size_t lines;
	size_t size;
	size_t used;
	const char *p;
	int n;
	int r;

	if (mail == NULL || mail->body == NULL || sender == NULL ||
	    !header_value_ok(mail->subject) || !header_value_ok(sender) ||
	    sspr_address_ok(mail->to) < 0)
		return -EINVAL;
	r = body_check(mail->body, &lines);
	if (r < 0)
		return r;
	subject = encode_subject(mail->subject);
	if (subject == NULL)
		return -ENOMEM;

	if (localtime_r(&now, &tm) == NULL) {
		r = -EINVAL;
		goto out;
	}
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	if (c_locale == (locale_t)0) {
		r = -ENOMEM;
		goto out;
	}
	strftime_l(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm,
		   c_locale);
	freelocale(c_locale);

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		r = -EIO;
		goto out;
	}
	domain = strrchr(sender, '@');
	domain = domain != NULL ? domain + 1 : "localhost";
	n = snprintf(msgid, sizeof(msgid), "%lld.", (long long)now);
	if (n < 0 || (size_t)n + 2 * sizeof(rnd) >= sizeof(msgid)) {
		r = -EINVAL;
		goto out;
	}
	sspr_hex_encode(rnd, sizeof(rnd), msgid + n);

	/* Headers, then the body with every "\n" as "\r\n". */
	size = 512 + strlen(date) + strlen(sender) + strlen(mail->to) +
	       strlen(subject) + strlen(msgid) + strlen(domain) +
	       strlen(mail->body) + 2 * lines + 2;
	msg = malloc(size);
	if (msg == NULL) {
		r = -ENOMEM;
		goto out;
	}
	n = snprintf(msg, size,
		     "Date: %s\r\n"
		     "From: %s\r\n"
		     "To: %s\r\n"
		     "Subject: %s\r\n"
		     "Message-ID: <%s@%s>\r\n"
		     "MIME-Version: 1.0\r\n"
		     "Content-Type: text/plain; charset=UTF-8\r\n"
		     "Content-Transfer-Encoding: 8bit\r\n"
		     "Auto-Submitted: auto-generated\r\n"
		     "\r\n",
		     date, sender, mail->to, subject, msgid, domain);
	if (n < 0 || (size_t)n >= size) {
		r = -EINVAL;
		goto out;
	}
	used = (size_t)n;
	for (p = mail->body; *p != '\0'; p++) {
		if (*p == '\n')
			msg[used++] = '\r';
		msg[used++] = *p;
	}
	if (used < 2 || msg[used - 1] != '\n') {
		msg[used++] = '\r';
		msg[used++] = '\n';
	}
	msg[used] = '\0';
	*ret_msg = msg;
	msg = NULL;
	r = 0;
out:
	free(subject);
	sspr_free_secret(msg);
	return r;
}

/* --- SMTP (net/smtp.c) ------------------------------------------------ */

static int
smtp_send(const struct sspr_cfg *cfg, const struct sspr_mail *mail,
	  const char *sender, char *err, size_t errlen)
{
	char *msg = NULL;
	int r;

	/* The envelope sender goes between "<" and ">". */
	if (strlen(sender) > SSPR_ADDRESS_MAX || !header_value_ok(sender) ||
	    strpbrk(sender, "<> ") != NULL) {
		snprintf(err, errlen, "mail_from is not a usable address");
		return -EINVAL;
	}
	r = sspr_mail_build(mail, sender, time(NULL), &msg);
	if (r < 0) {
		snprintf(err, errlen, "refusing to build the message: %s",
			 r == -EINVAL ? "bad address or header value"
				      : strerror(-r));
		return r;
	}
	r = sspr_smtp_send(cfg, sender, mail->to, msg, err, errlen);
	sspr_free_secret(msg);
	return r;
}

/* Here for "sspr admin test", which knows mail, not its transports. */
int
sspr_mail_smtp_check(const struct sspr_cfg *cfg, char *err, size_t errlen)
{
	return sspr_smtp_check(cfg, err, errlen);
}

/* --- Microsoft Graph sendMail ------------------------------------------ */

static int
graph_send(const struct sspr_cfg *cfg, const struct sspr_mail *mail,
	   const char *sender, char *err, size_t errlen)
{
	size_t used;
	int r;

	/* Graph sends as the mailbox mail_from names. */
	(void)sender;
	r = sspr_mail_graph_send(cfg, mail->to, mail->subject, mail->body, err,
				 errlen);
	if ((r != -EACCES && r != -ENOENT) || errlen == 0)
		return r;
	/* -ENOENT is also a missing credential file: only a 404 is ours. */
	if (r == -ENOENT && strstr(err, " HTTP 404") == NULL)
		return r;
	/* Graph's own words name the status; add what the admin can do. */
	used = strlen(err);
	if (used + 1 < errlen && r == -EACCES)
		snprintf(err + used, errlen - used,
			 " -- the application needs "
			 "the Mail.Send application permission with admin "
			 "consent, and an Exchange application access policy "
			 "(if any) must include %s",
			 cfg->mail_from);
	else if (used + 1 < errlen)
		snprintf(err + used, errlen - used,
			 " -- mail_from %s must "
			 "be a Microsoft 365 user with an Exchange Online "
			 "mailbox",
			 cfg->mail_from);
	return r;
}

int
sspr_mail_send(const struct sspr_cfg *cfg, const struct sspr_mail *mail,
	       char *err, size_t errlen)
{
	mail_transport_fn transport;
	char sender[SSPR_ADDRESS_MAX + 1];
	int r;

	if (mail == NULL || mail->to == NULL || mail->subject == NULL ||
	    mail->body == NULL) {
		snprintf(err, errlen, "incomplete mail");
		return -EINVAL;
	}
	if (sspr_address_ok(mail->to) < 0) {
		snprintf(err, errlen, "not a usable recipient address");
		return -EINVAL;
	}
	r = sspr_mail_sender(cfg, sender, sizeof(sender));
	if (r < 0) {
		snprintf(err, errlen, "cannot work out the sender address: %s",
			 strerror(-r));
		return r;
	}
	switch (cfg->mail_transport) {
	case SSPR_MAIL_SMTP:
		transport = smtp_send;
		break;
	case SSPR_MAIL_GRAPH:
		transport = graph_send;
		break;
	default:
		snprintf(err, errlen, "unknown mail_transport");
		return -EINVAL;
	}
	return transport(cfg, mail, sender, err, errlen);
}
