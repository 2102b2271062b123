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

/*
 * RFC 2047 (section 2) limits an encoded word to 75 characters; 42 bytes
 * of text make 56 of base64, so "Subject: " and the first word still fit
 * in the 78 characters RFC 5322 recommends for a line.
 */
#define SUBJECT_WORD_BYTES 42
/* RFC 2045 6.8: base64 lines of at most 76 characters (57 bytes). */
#define BASE64_LINE_BYTES 57

/*
 * Subject as is, or as RFC 2047 "=?UTF-8?B?...?=" words, folded one to a
 * line. A word never ends inside a UTF-8 sequence: each word must decode
 * to whole characters (RFC 2047 section 5). Malloc'd.
 */
static char *
encode_subject(const char *subject)
{
	size_t len = strlen(subject);
	size_t pos = 0;
	size_t used = 0;
	size_t size;
	char *out;

	if (is_ascii(subject))
		return sspr_strdup(subject);
	if (len > 600)
		return NULL;
	/* Per word: "\r\n " + "=?UTF-8?B?" + 56 + "?=". */
	size = (len / 10 + 2) * (3 + 10 + 56 + 2) + 1;
	out = malloc(size);
	if (out == NULL)
		return NULL;
	while (pos < len) {
		size_t n = len - pos;

		if (n > SUBJECT_WORD_BYTES) {
			n = SUBJECT_WORD_BYTES;
			while (n > 1 &&
			       ((unsigned char)subject[pos + n] & 0xc0) == 0x80)
				n--;
		}
		if (used > 0) {
			memcpy(out + used, "\r\n ", 3);
			used += 3;
		}
		memcpy(out + used, "=?UTF-8?B?", 10);
		used += 10;
		used += (size_t)EVP_EncodeBlock(
		    (unsigned char *)out + used,
		    (const unsigned char *)subject + pos, (int)n);
		memcpy(out + used, "?=", 2);
		used += 2;
		pos += n;
	}
	out[used] = '\0';
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

/*
 * The body as it goes on the wire, with CRLF line ends and a last line
 * end: as is ("7bit") when it is ASCII, else base64 in lines of 76, which
 * any relay carries (a UTF-8 body as "8bit" needs 8BITMIME on every hop).
 * *ret is malloc'd (it may hold a code: free with sspr_free_secret()).
 */
static int
body_encode(const char *text, size_t lines, char **ret, size_t *ret_len,
	    const char **ret_cte)
{
	size_t len = strlen(text) + lines + 2;
	char *crlf = malloc(len + 1);
	size_t used = 0;
	size_t pos;
	char *b64;
	const char *p;

	if (crlf == NULL)
		return -ENOMEM;
	for (p = text; *p != '\0'; p++) {
		if (*p == '\n')
			crlf[used++] = '\r';
		crlf[used++] = *p;
	}
	if (used < 2 || crlf[used - 1] != '\n') {
		crlf[used++] = '\r';
		crlf[used++] = '\n';
	}
	crlf[used] = '\0';
	if (is_ascii(crlf)) {
		*ret = crlf;
		*ret_len = used;
		*ret_cte = "7bit";
		return 0;
	}
	/* 4 characters per 3 bytes, and CRLF after each 76. */
	b64 = malloc(
	    (used + BASE64_LINE_BYTES - 1) / BASE64_LINE_BYTES * (76 + 2) + 1);
	if (b64 == NULL) {
		sspr_freezero(crlf, used);
		return -ENOMEM;
	}
	len = 0;
	for (pos = 0; pos < used; pos += BASE64_LINE_BYTES) {
		size_t n = used - pos < BASE64_LINE_BYTES ? used - pos
							  : BASE64_LINE_BYTES;

		len += (size_t)EVP_EncodeBlock((unsigned char *)b64 + len,
					       (unsigned char *)crlf + pos,
					       (int)n);
		b64[len++] = '\r';
		b64[len++] = '\n';
	}
	b64[len] = '\0';
	sspr_freezero(crlf, used);
	*ret = b64;
	*ret_len = len;
	*ret_cte = "base64";
	return 0;
}

/* The Date header: RFC 5322 day and month names whatever the locale. */
static int
mail_date(time_t now, char *buf, size_t len)
{
	locale_t c_locale;
	struct tm tm;

	if (localtime_r(&now, &tm) == NULL)
		return -EINVAL;
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	if (c_locale == (locale_t)0)
		return -ENOMEM;
	strftime_l(buf, len, "%a, %d %b %Y %H:%M:%S %z", &tm, c_locale);
	freelocale(c_locale);
	return 0;
}

/* The left part of a Message-ID ("time.random") and its domain. */
static int
message_id(const char *sender, time_t now, char *buf, size_t len,
	   const char **ret_domain)
{
	unsigned char rnd[12];
	const char *domain;
	int n;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -EIO;
	domain = strrchr(sender, '@');
	*ret_domain = domain != NULL ? domain + 1 : "localhost";
	n = snprintf(buf, len, "%lld.", (long long)now);
	if (n < 0 || (size_t)n + 2 * sizeof(rnd) >= len)
		return -EINVAL;
	sspr_hex_encode(rnd, sizeof(rnd), buf + n);
	return 0;
}

int
sspr_mail_build(const struct sspr_mail *mail, const char *sender, time_t now,
		char **ret_msg)
{
	char msgid[64];
	char date[64];
	const char *domain = NULL;
	const char *cte = NULL;
	char *subject = NULL;
	char *body = NULL;
	char *msg = NULL;
	size_t body_len = 0;
	size_t lines;
	size_t size;
	size_t used;
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

	r = mail_date(now, date, sizeof(date));
	if (r == 0)
		r = message_id(sender, now, msgid, sizeof(msgid), &domain);
	if (r < 0)
		goto out;

	r = body_encode(mail->body, lines, &body, &body_len, &cte);
	if (r < 0)
		goto out;
	size = 512 + strlen(date) + strlen(sender) + strlen(mail->to) +
	       strlen(subject) + strlen(msgid) + strlen(domain) + body_len + 1;
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
		     "Content-Transfer-Encoding: %s\r\n"
		     "Auto-Submitted: auto-generated\r\n"
		     "\r\n",
		     date, sender, mail->to, subject, msgid, domain, cte);
	if (n < 0 || (size_t)n >= size) {
		r = -EINVAL;
		goto out;
	}
	used = (size_t)n;
	memcpy(msg + used, body, body_len + 1);
	*ret_msg = msg;
	msg = NULL;
	r = 0;
out:
	free(subject);
	sspr_free_secret(body);
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
