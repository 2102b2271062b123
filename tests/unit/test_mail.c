/* Mail: address checks, masking, message building and the mail texts. */
#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "check.h"
#include "sspr/common/address.h"
#include "sspr/common/config.h"
#include "sspr/common/util.h"
#include "sspr/mail/mail.h"
#include "sspr/mail/text.h"

static void
test_address_ok(void)
{
	static const char *const good[] = {
		"alice@example.org",   "a.b+tag@mail.example.co.uk", "x@a.b",
		"o'brien@example.org", "first_last-1@ex-ample.org",
	};
	static const char *const bad[] = {
		"",
		"alice",
		"@example.org",
		"alice@",
		"alice@example",
		"alice@@example.org",
		"a@b@example.org",
		"al ice@example.org",
		"alice@exa mple.org",
		"alice@example.org\r\nBcc: x@y.z",
		"alice@example.org\n",
		"<alice@example.org>",
		"\"alice\"@example.org",
		"alice,bob@example.org",
		"alice;bob@example.org",
		"alice@example.org.",
		"alice@.org",
		".alice@example.org",
		"alice.@example.org",
		"al..ice@ex.org",
		"\xc3\xa9lise@example.org",
		"alice\t@example.org",
		"al#ice@example.org",
	};
	char local[80];
	char addr[400];
	size_t i;

	for (i = 0; i < SSPR_ARRAY_SIZE(good); i++) {
		if (sspr_address_ok(good[i]) != 0)
			fprintf(stderr, "  should accept '%s'\n", good[i]);
		CHECK(sspr_address_ok(good[i]) == 0);
	}
	for (i = 0; i < SSPR_ARRAY_SIZE(bad); i++) {
		if (sspr_address_ok(bad[i]) != -EINVAL)
			fprintf(stderr, "  should refuse '%s'\n", bad[i]);
		CHECK(sspr_address_ok(bad[i]) == -EINVAL);
	}
	CHECK(sspr_address_ok(NULL) == -EINVAL);

	/* Local part: 64 bytes fine, 65 not. */
	memset(local, 'a', 64);
	local[64] = '\0';
	snprintf(addr, sizeof(addr), "%s@example.org", local);
	CHECK(sspr_address_ok(addr) == 0);
	memset(local, 'a', 65);
	local[65] = '\0';
	snprintf(addr, sizeof(addr), "%s@example.org", local);
	CHECK(sspr_address_ok(addr) == -EINVAL);

	/* 254 bytes in all fine, 255 not. */
	memset(addr, 'd', sizeof(addr));
	memcpy(addr, "a@", 2);
	memcpy(addr + 250, ".org", 5);
	CHECK(strlen(addr) == 254);
	CHECK(sspr_address_ok(addr) == 0);
	memset(addr, 'd', sizeof(addr));
	memcpy(addr, "a@", 2);
	memcpy(addr + 251, ".org", 5);
	CHECK(sspr_address_ok(addr) == -EINVAL);
}

static void
test_mask(void)
{
	char *m;

	CHECK(setlocale(LC_ALL, "C.UTF-8") != NULL);
	m = sspr_address_mask("alice@example.org");
	CHECK_STR(m, "a\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2"
		     "\xe2\x80\xa2@example.org");
	free(m);
	/* Same length of mask whatever the local part's length. */
	m = sspr_address_mask("b@example.org");
	CHECK_STR(m, "b\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2"
		     "\xe2\x80\xa2@example.org");
	free(m);
	m = sspr_address_mask("averyveryverylongname@example.org");
	CHECK(m != NULL && strstr(m, "very") == NULL);
	free(m);
	/* A multi-byte first character is kept whole. */
	m = sspr_address_mask("\xc3\xa9lise@example.org");
	CHECK(m != NULL && strncmp(m, "\xc3\xa9\xe2\x80\xa2", 5) == 0);
	free(m);
	m = sspr_address_mask("nonsense");
	CHECK(m != NULL && strstr(m, "nonsense") == NULL);
	free(m);
	CHECK(sspr_address_mask(NULL) == NULL);
	CHECK(sspr_address_mask("") == NULL);
	CHECK(setlocale(LC_ALL, "C") != NULL);
}

/* A terminal that is not UTF-8 gets ASCII stars, not the bytes of •. */
static void
test_mask_ascii(void)
{
	char *m;

	CHECK(setlocale(LC_ALL, "C") != NULL);
	m = sspr_address_mask("alice@example.org");
	CHECK_STR(m, "a*****@example.org");
	free(m);
	m = sspr_address_mask("nonsense");
	CHECK_STR(m, "*****");
	free(m);
}

/* The value of header name in msg (up to CRLF), or NULL. */
static char *
header(const char *msg, const char *name)
{
	const char *p = msg;
	size_t n = strlen(name);

	while (*p != '\0' && strncmp(p, "\r\n", 2) != 0) {
		const char *eol = strstr(p, "\r\n");

		if (eol == NULL)
			return NULL;
		if (strncmp(p, name, n) == 0 && p[n] == ':' && p[n + 1] == ' ')
			return strndup(p + n + 2,
				       (size_t)(eol - p - (long)n - 2));
		p = eol + 2;
	}
	return NULL;
}

static void
test_build(void)
{
	struct sspr_mail m = {
		.to = "alice.backup@example.org",
		.subject = "Your code",
		.body = "Line one\n.\n..dots\nLast line",
	};
	char *msg = NULL;
	char *v;
	const char *body;
	const char *p;

	CHECK(sspr_mail_build(&m, "sspr@example.com", 1700000000, &msg) == 0);
	if (msg == NULL)
		return;
	v = header(msg, "From");
	CHECK_STR(v, "sspr@example.com");
	free(v);
	v = header(msg, "To");
	CHECK_STR(v, "alice.backup@example.org");
	free(v);
	v = header(msg, "Subject");
	CHECK_STR(v, "Your code");
	free(v);
	v = header(msg, "MIME-Version");
	CHECK_STR(v, "1.0");
	free(v);
	v = header(msg, "Content-Type");
	CHECK_STR(v, "text/plain; charset=UTF-8");
	free(v);
	/* ASCII goes as is (7bit). */
	v = header(msg, "Content-Transfer-Encoding");
	CHECK_STR(v, "7bit");
	free(v);
	v = header(msg, "Message-ID");
	CHECK(v != NULL && v[0] == '<' && strstr(v, "@example.com>") != NULL);
	free(v);
	/* RFC 2822 date: "Tue, 14 Nov 2023 22:13:20 +0000" in some zone. */
	v = header(msg, "Date");
	CHECK(v != NULL && strlen(v) == 31 && v[3] == ',' &&
	      strstr(v, " 2023 ") != NULL && (v[26] == '+' || v[26] == '-'));
	free(v);

	/* Body after the blank line, every line ending in CRLF. */
	body = strstr(msg, "\r\n\r\n");
	CHECK(body != NULL);
	if (body != NULL)
		CHECK_STR(body + 4, "Line one\r\n.\r\n..dots\r\nLast line\r\n");
	for (p = msg; *p != '\0'; p++)
		if (*p == '\n')
			CHECK(p > msg && p[-1] == '\r');
	sspr_free_secret(msg);
}

/*
 * Japanese: the subject in RFC 2047 words of at most 75 characters, each
 * whole characters, one to a line; the body in base64 lines of 76.
 */
static void
test_build_utf8(void)
{
	/* "パスワードのリセット" twice and more: 3 bytes a character. */
	static const char subject[] =
	    "host1 の alice のパスワードのリセット コード"
	    "（確認コードの有効期限は 10 分です）";
	struct sspr_mail m = {
		.to = "alice.backup@example.org",
		.subject = subject,
		.body = "こんにちは。\n\n確認コード: 12345678\n",
	};
	unsigned char dec[256];
	char *msg = NULL;
	const char *p;
	const char *eol;
	const char *body;
	size_t words = 0;
	int n;

	CHECK(sspr_mail_build(&m, "sspr@example.com", 1700000000, &msg) == 0);
	if (msg == NULL)
		return;
	p = strstr(msg, "\r\nSubject: ");
	CHECK(p != NULL);
	if (p == NULL)
		goto out;
	p += strlen("\r\nSubject: ");
	for (;;) {
		const char *end = strstr(p, "?=");

		CHECK(strncmp(p, "=?UTF-8?B?", 10) == 0 && end != NULL);
		if (end == NULL)
			break;
		CHECK(end + 2 - p <= 75);
		/* Each word decodes alone to whole UTF-8 characters. */
		n = EVP_DecodeBlock(dec, (const unsigned char *)p + 10,
				    (int)(end - p - 10));
		CHECK(n > 0 && (dec[0] & 0xc0) != 0x80);
		words++;
		if (strncmp(end + 2, "\r\n ", 3) != 0)
			break;
		p = end + 5;
	}
	CHECK(words >= 2);
	CHECK(strstr(msg, "\r\nContent-Transfer-Encoding: base64\r\n") != NULL);
	body = strstr(msg, "\r\n\r\n");
	CHECK(body != NULL);
	if (body == NULL)
		goto out;
	body += 4;
	eol = strstr(body, "\r\n");
	CHECK(eol != NULL && eol - body <= 76);
	if (eol == NULL)
		goto out;
	n = EVP_DecodeBlock(dec, (const unsigned char *)body,
			    (int)(eol - body));
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	CHECK(n >= (int)strlen("こんにちは。\r\n\r\n確認コード: 12345678\r\n"));
	CHECK(memcmp(dec, "こんにちは。\r\n\r\n確認コード: 12345678\r\n",
		     strlen("こんにちは。\r\n\r\n確認コード: 12345678\r\n")) ==
	      0);
out:
	sspr_free_secret(msg);
}

static void
test_build_refuses(void)
{
	struct sspr_mail m = {
		.to = "alice@example.org",
		.subject = "Hi",
		.body = "text",
	};
	char longline[1200];
	char *msg = NULL;

	m.subject = "Hi\r\nBcc: victim@example.org";
	CHECK(sspr_mail_build(&m, "a@example.com", 0, &msg) == -EINVAL);
	m.subject = "Hi\nBcc: victim@example.org";
	CHECK(sspr_mail_build(&m, "a@example.com", 0, &msg) == -EINVAL);
	m.subject = "Hi";
	CHECK(sspr_mail_build(&m, "a@example.com\r\nX: y", 0, &msg) == -EINVAL);
	m.to = "alice@example.org\r\nBcc: victim@example.org";
	CHECK(sspr_mail_build(&m, "a@example.com", 0, &msg) == -EINVAL);
	m.to = "alice@example.org";
	m.body = "bare\rcarriage return";
	CHECK(sspr_mail_build(&m, "a@example.com", 0, &msg) == -EINVAL);
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	m.body = longline;
	CHECK(sspr_mail_build(&m, "a@example.com", 0, &msg) == -EINVAL);
	CHECK(msg == NULL);

	/* A non-ASCII subject is RFC 2047 encoded, never raw. */
	m.body = "ok";
	m.subject = "Code f\xc3\xbcr alice";
	CHECK(sspr_mail_build(&m, "a@example.com", 0, &msg) == 0);
	CHECK(msg != NULL && strstr(msg, "Subject: =?UTF-8?B?") != NULL);
	CHECK(msg != NULL && strstr(msg, "\xc3\xbc") == NULL);
	sspr_free_secret(msg);
}

static void
test_sender_and_graph(void)
{
	struct sspr_cfg cfg;
	struct sspr_mail m = {
		.to = "alice@example.org",
		.subject = "s",
		.body = "b",
	};
	char buf[300];
	char err[256] = "";

	CHECK(sspr_cfg_defaults(&cfg) == 0);
	CHECK(sspr_mail_sender(&cfg, buf, sizeof(buf)) == 0);
	CHECK(strncmp(buf, "root@", 5) == 0 && strlen(buf) > 5);
	cfg.mail_from = strdup("sspr@example.com");
	CHECK(sspr_mail_sender(&cfg, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "sspr@example.com");

	/* Graph without a tenant: refused before any request. */
	cfg.mail_transport = SSPR_MAIL_GRAPH;
	CHECK(sspr_mail_send(&cfg, &m, err, sizeof(err)) < 0);
	CHECK(strstr(err, "sendMail") != NULL);

	/* No smtp_url: a clear error, no attempt. */
	cfg.mail_transport = SSPR_MAIL_SMTP;
	CHECK(sspr_mail_send(&cfg, &m, err, sizeof(err)) < 0);
	CHECK(strstr(err, "smtp_url") != NULL);

	m.to = "not an address";
	CHECK(sspr_mail_send(&cfg, &m, err, sizeof(err)) == -EINVAL);
	sspr_cfg_done(&cfg);
}

static void
test_texts(void)
{
	struct sspr_mail_event ev = {
		.user = "alice",
		.host = "ws17",
		.origin = "tty1",
		.when = 1700000000,
	};
	struct sspr_mail_text t = { NULL, NULL };
	struct sspr_mail_text u = { NULL, NULL };
	char buf[32];

	CHECK(sspr_mail_text_code(&ev, "reset", "12345678", 600, &t) == 0);
	CHECK(t.subject != NULL && strstr(t.subject, "alice") != NULL);
	CHECK(t.body != NULL && strstr(t.body, "12345678") != NULL);
	CHECK(t.body != NULL && strstr(t.body, "\"alice\"") != NULL);
	CHECK(t.body != NULL && strstr(t.body, "\"ws17\"") != NULL);
	CHECK(t.body != NULL && strstr(t.body, "tty1") != NULL);
	CHECK(t.body != NULL && strstr(t.body, " 2023 ") != NULL);
	CHECK(t.body != NULL && strstr(t.body, "10 minutes") != NULL);
	CHECK(t.body != NULL && strstr(t.body, "If this was not you") != NULL);
	sspr_mail_text_done(&t);
	CHECK(t.subject == NULL && t.body == NULL);

	CHECK(sspr_mail_text_code(&ev, "enroll", "654321", 90, &u) == 0);
	CHECK(u.body != NULL && strstr(u.body, "654321") != NULL);
	CHECK(u.body != NULL && strstr(u.body, "90 seconds") != NULL);
	CHECK(u.body != NULL && strstr(u.body, "If this was not you") != NULL);
	CHECK(u.subject != NULL && strstr(u.subject, "backup") != NULL);
	sspr_mail_text_done(&u);

	CHECK(sspr_mail_text_code(&ev, "other", "1", 60, &t) == -EINVAL);
	CHECK(sspr_mail_text_code(&ev, "reset", NULL, 60, &t) == -EINVAL);

	CHECK(sspr_mail_text_password_changed(&ev, true, &t) == 0);
	CHECK(t.body != NULL && strstr(t.body, "Microsoft 365") != NULL);
	CHECK(t.body != NULL && strstr(t.body, "If this was not you") != NULL);
	sspr_mail_text_done(&t);
	CHECK(sspr_mail_text_password_changed(&ev, false, &t) == 0);
	CHECK(t.body != NULL && strstr(t.body, "Microsoft 365") == NULL);
	sspr_mail_text_done(&t);

	CHECK(sspr_mail_text_admin_request(&ev, "No method is registered.",
					   &t) == 0);
	CHECK(t.body != NULL &&
	      strstr(t.body, "No method is registered.") != NULL);
	CHECK(t.subject != NULL && strstr(t.subject, "alice") != NULL);
	sspr_mail_text_done(&t);

	/* the lockout notice: when it ends, that someone is trying */
	CHECK(sspr_mail_text_locked(&ev, 1700086400, &t) == 0);
	CHECK(t.subject != NULL && strstr(t.subject, "alice") != NULL &&
	      strstr(t.subject, "locked") != NULL);
	CHECK(t.body != NULL && strstr(t.body, "tty1") != NULL &&
	      strstr(t.body, "locked until") != NULL &&
	      strstr(t.body, "someone is trying") != NULL &&
	      strstr(t.body, "has not been changed") != NULL);
	sspr_mail_text_done(&t);
	CHECK(sspr_mail_text_locked(&ev, 0, &t) == -EINVAL);

	/* a changed method: what changed, by whom, never a secret */
	{
		struct sspr_method_change c = { SSPR_CHANGE_EMAIL,
						SSPR_CHANGE_REPLACED, false };

		CHECK(sspr_mail_text_method_changed(
			  &ev, &c, true, "n•••••@example.org", &t) == 0);
		CHECK(t.body != NULL &&
		      strstr(t.body, "changed from this address") != NULL &&
		      strstr(t.body, "Codes now go to n•••••@example.org") !=
			  NULL &&
		      strstr(t.body, "administrator right away") != NULL &&
		      strstr(t.body, "The administrator made") == NULL);
		sspr_mail_text_done(&t);
		CHECK(sspr_mail_text_method_changed(&ev, &c, false, NULL, &t) ==
		      0);
		CHECK(t.body != NULL &&
		      strstr(t.body, "replaced the earlier") != NULL &&
		      strstr(t.body, "Codes now go") == NULL);
		sspr_mail_text_done(&t);
		c.method = SSPR_CHANGE_ALL;
		c.action = SSPR_CHANGE_REMOVED;
		c.by_admin = true;
		CHECK(sspr_mail_text_method_changed(&ev, &c, false, NULL, &t) ==
		      0);
		CHECK(t.body != NULL &&
		      strstr(t.body, "every registered method") != NULL &&
		      strstr(t.body, "The administrator made this change.") !=
			  NULL);
		sspr_mail_text_done(&t);
		CHECK(sspr_mail_text_method_changed(&ev, NULL, false, NULL,
						    &t) == -EINVAL);
	}

	/* The texts fit in a mail. */
	ev.host = NULL;
	ev.when = 0;
	CHECK(sspr_mail_text_code(&ev, "reset", "12345678", 600, &t) == 0);
	{
		struct sspr_mail m = { "a@example.org", t.subject, t.body };
		char *msg = NULL;

		CHECK(sspr_mail_build(&m, "b@example.org", time(NULL), &msg) ==
		      0);
		sspr_free_secret(msg);
	}
	sspr_mail_text_done(&t);

	CHECK_STR(sspr_mail_text_duration(600, buf, sizeof(buf)), "10 minutes");
	CHECK_STR(sspr_mail_text_duration(60, buf, sizeof(buf)), "1 minute");
	CHECK_STR(sspr_mail_text_duration(30, buf, sizeof(buf)), "30 seconds");
	CHECK_STR(sspr_mail_text_duration(150, buf, sizeof(buf)), "2 minutes");
	CHECK_STR(sspr_mail_text_duration(7200, buf, sizeof(buf)), "2 hours");
	CHECK_STR(sspr_mail_text_duration(3600, buf, sizeof(buf)),
		  "60 minutes");
}

int
main(void)
{
	RUN(test_address_ok);
	RUN(test_mask);
	RUN(test_mask_ascii);
	RUN(test_build);
	RUN(test_build_utf8);
	RUN(test_build_refuses);
	RUN(test_sender_and_graph);
	RUN(test_texts);
	CHECK_EXIT();
}
