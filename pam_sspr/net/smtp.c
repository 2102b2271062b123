/*
 * SMTP through libcurl (include/sspr/net/smtp.h). The one secret here
 * is the SMTP password, read from smtp_password_file for each session
 * and wiped when the handle is closed; the message may hold a code and
 * is the caller's to wipe.
 */
#include "sspr/net/smtp.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sspr/common/address.h"
#include "sspr/common/safefile.h"
#include "sspr/common/util.h"
#include "sspr/net/curl.h"

#define SMTP_SECRET_MAX 4096

struct upload {
	const char *data;
	size_t len;
	size_t pos;
};

static size_t
upload_read(char *buf, size_t size, size_t nitems, void *ctx)
{
	struct upload *u = ctx;
	size_t room = size * nitems;
	size_t n = u->len - u->pos;

	if (n > room)
		n = room;
	memcpy(buf, u->data + u->pos, n);
	u->pos += n;
	return n;
}

/* The SMTP password: the file's first line, wiped by the caller. */
static int
read_smtp_password(const char *path, char **ret, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	size_t n;
	char *pw;
	int r;

	r = sspr_read_file(path, SSPR_FILE_SECRET, SMTP_SECRET_MAX, &buf, &len);
	if (r < 0) {
		snprintf(err, errlen, "smtp_password_file %s: %s", path,
			 sspr_file_strerror(r));
		return r;
	}
	n = strcspn(buf, "\r\n");
	pw = strndup(buf, n);
	sspr_freezero(buf, len + 1);
	if (pw == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	*ret = pw;
	return 0;
}

/* A libcurl handle set up for the configured SMTP server. */
struct smtp_conn {
	CURL *curl;
	char *password; /* secret, wiped on close */
	char curl_err[CURL_ERROR_SIZE];
};

static void
smtp_close(struct smtp_conn *sc)
{
	if (sc->curl != NULL)
		curl_easy_cleanup(sc->curl);
	sc->curl = NULL;
	sspr_free_secret(sc->password);
	sc->password = NULL;
}

/* The server's words when libcurl kept them, else libcurl's. */
static const char *
smtp_reason(const struct smtp_conn *sc, CURLcode c)
{
	return sc->curl_err[0] != '\0' ? sc->curl_err : curl_easy_strerror(c);
}

/* Options only SMTP has: STARTTLS, the credentials. */
static CURLcode
smtp_options(const struct sspr_cfg *cfg, struct smtp_conn *sc)
{
	CURLcode c;

	c = curl_easy_setopt(sc->curl, CURLOPT_URL, cfg->smtp_url);
	/* smtps:// is TLS from the start; smtp:// needs STARTTLS. */
	if (c == CURLE_OK &&
	    sspr_skip_prefix(cfg->smtp_url, "smtps://") == NULL)
		c = curl_easy_setopt(sc->curl, CURLOPT_USE_SSL,
				     cfg->smtp_starttls
					 ? (long)CURLUSESSL_ALL
					 : (long)CURLUSESSL_NONE);
	if (c == CURLE_OK && cfg->smtp_user != NULL)
		c = curl_easy_setopt(sc->curl, CURLOPT_USERNAME,
				     cfg->smtp_user);
	if (c == CURLE_OK && sc->password != NULL)
		c = curl_easy_setopt(sc->curl, CURLOPT_PASSWORD, sc->password);
	return c;
}

/*
 * Everything delivery and the admin's check share: smtp_url, the one
 * curl policy, timeouts, and the credentials when smtp_user is set (the
 * configuration makes sure smtp_password_file goes with it).
 */
static int
smtp_open(const struct sspr_cfg *cfg, struct smtp_conn *sc, char *err,
	  size_t errlen)
{
	CURLcode c;
	int r;

	*sc = (struct smtp_conn){ .curl = NULL };
	if (cfg->smtp_url == NULL) {
		snprintf(err, errlen, "no smtp_url is configured");
		return -ENOTCONN;
	}
	if (cfg->smtp_user != NULL && cfg->smtp_password_file != NULL) {
		r = read_smtp_password(cfg->smtp_password_file, &sc->password,
				       err, errlen);
		if (r < 0)
			return r;
	}
	if (sspr_curl_global_init() < 0) {
		snprintf(err, errlen, "libcurl failed to initialise");
		smtp_close(sc);
		return -EIO;
	}
	sc->curl = curl_easy_init();
	if (sc->curl == NULL) {
		snprintf(err, errlen, "libcurl failed to initialise");
		smtp_close(sc);
		return -ENOMEM;
	}
	r = sspr_curl_harden(sc->curl, cfg, "smtp,smtps",
			     1000UL * cfg->connect_timeout,
			     1000UL * cfg->timeout, sc->curl_err);
	if (r < 0) {
		snprintf(err, errlen, "libcurl refused an option (too old?)");
		smtp_close(sc);
		return r;
	}
	c = smtp_options(cfg, sc);
	if (c != CURLE_OK) {
		snprintf(err, errlen, "libcurl: %s", curl_easy_strerror(c));
		smtp_close(sc);
		return sspr_curl_errno(c);
	}
	return 0;
}

int
sspr_smtp_send(const struct sspr_cfg *cfg, const char *sender, const char *to,
	       const char *msg, char *err, size_t errlen)
{
	struct smtp_conn sc = { .curl = NULL };
	struct curl_slist *rcpt = NULL;
	struct upload up = { msg, strlen(msg), 0 };
	char envelope[SSPR_ADDRESS_MAX + 3];
	char rcpt_addr[SSPR_ADDRESS_MAX + 3];
	CURLcode c;
	int r;

	/* Checked by the caller; a truncated address must never be used. */
	if (strlen(sender) > SSPR_ADDRESS_MAX ||
	    strlen(to) > SSPR_ADDRESS_MAX) {
		snprintf(err, errlen, "address too long");
		return -EINVAL;
	}
	r = smtp_open(cfg, &sc, err, errlen);
	if (r < 0)
		goto out;
	snprintf(envelope, sizeof(envelope), "<%s>", sender);
	snprintf(rcpt_addr, sizeof(rcpt_addr), "<%s>", to);
	rcpt = curl_slist_append(NULL, rcpt_addr);
	if (rcpt == NULL) {
		snprintf(err, errlen, "out of memory");
		r = -ENOMEM;
		goto out;
	}
	c = curl_easy_setopt(sc.curl, CURLOPT_MAIL_FROM, envelope);
	if (c == CURLE_OK)
		c = curl_easy_setopt(sc.curl, CURLOPT_MAIL_RCPT, rcpt);
	if (c == CURLE_OK)
		c = curl_easy_setopt(sc.curl, CURLOPT_UPLOAD, 1L);
	if (c == CURLE_OK)
		c = curl_easy_setopt(sc.curl, CURLOPT_READFUNCTION,
				     upload_read);
	if (c == CURLE_OK)
		c = curl_easy_setopt(sc.curl, CURLOPT_READDATA, &up);
	if (c == CURLE_OK)
		c = curl_easy_setopt(sc.curl, CURLOPT_INFILESIZE_LARGE,
				     (curl_off_t)up.len);
	if (c != CURLE_OK) {
		snprintf(err, errlen, "libcurl: %s", curl_easy_strerror(c));
		r = sspr_curl_errno(c);
		goto out;
	}
	c = curl_easy_perform(sc.curl);
	if (c != CURLE_OK) {
		snprintf(err, errlen, "SMTP delivery failed: %s",
			 smtp_reason(&sc, c));
		r = sspr_curl_errno(c);
		goto out;
	}
	r = 0;
out:
	smtp_close(&sc);
	curl_slist_free_all(rcpt);
	return r;
}

int
sspr_smtp_check(const struct sspr_cfg *cfg, char *err, size_t errlen)
{
	struct smtp_conn sc = { .curl = NULL };
	CURLcode c;
	int r;

	r = smtp_open(cfg, &sc, err, errlen);
	if (r < 0)
		return r;
	/*
	 * CONNECT_ONLY ends the transfer after libcurl's SMTP connect
	 * phase: greeting, EHLO, STARTTLS with the certificate verified,
	 * and AUTH when credentials are set. No MAIL FROM is ever sent.
	 */
	c = curl_easy_setopt(sc.curl, CURLOPT_CONNECT_ONLY, 1L);
	if (c == CURLE_OK)
		c = curl_easy_perform(sc.curl);
	if (c != CURLE_OK) {
		snprintf(err, errlen, "SMTP server %s: %s", cfg->smtp_url,
			 smtp_reason(&sc, c));
		r = sspr_curl_errno(c);
	} else if (errlen > 0) {
		err[0] = '\0';
	}
	smtp_close(&sc);
	return r;
}
