/*
 * The audit log: JSON Lines an admin's tools can read, written with one
 * write() per line on an O_APPEND descriptor (atomic among appenders on
 * a local file system). Plain libc: the lean module writes it too.
 */
#include "sspr/common/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <syslog.h>

#include "sspr/common/safefile.h"

#define FIELD_MAX 256
#define LINE_MAX_BYTES 4096

struct out {
	char *buf;
	size_t len;
	size_t used;
	bool full;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->full || o->used + n >= o->len) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->used, s, n);
	o->used += n;
	o->buf[o->used] = '\0';
}

static void
put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at s (1-4), 0 when it is not one. */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n;
	size_t i;
	unsigned cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	cp = s[0] & (0x7fu >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* s as a JSON string, escaped for a reader that trusts nothing. */
static void
put_json(struct out *o, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t taken = 0;
	char esc[8];

	if (s == NULL) {
		put_str(o, "null");
		return;
	}
	put_str(o, "\"");
	while (*p != '\0' && taken < FIELD_MAX) {
		size_t n = *p < 0x80 ? 1 : utf8_len(p);

		if (n == 0) {
			put_str(o, "\\ufffd");
			n = 1;
		} else if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			put(o, esc, 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			put_str(o, esc);
		} else if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0) {
			/* C1 controls (U+0080-U+009F) steer terminals too. */
			snprintf(esc, sizeof(esc), "\\u%04x", p[1]);
			put_str(o, esc);
		} else {
			put(o, (const char *)p, n);
		}
		p += n;
		taken += n;
	}
	put_str(o, "\"");
}

static void
put_field(struct out *o, const char *name, const char *value)
{
	put_str(o, ",\"");
	put_str(o, name);
	put_str(o, "\":");
	put_json(o, value);
}

int
sspr_audit_format(const struct sspr_audit_event *ev, const char *host,
		  time_t now, char *buf, size_t len)
{
	struct out o = { buf, len, 0, false };
	char when[sizeof("2026-12-01T00:00:00Z")];
	struct tm tm;
	size_t i;

	if (len == 0)
		return -ENOSPC;
	buf[0] = '\0';
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return -EINVAL;
	put_str(&o, "{\"time\":");
	put_json(&o, when);
	put_field(&o, "host", host);
	put_field(&o, "service", ev->service);
	put_field(&o, "tty", ev->tty);
	put_field(&o, "user", ev->user);
	put_field(&o, "event", ev->event);
	put_field(&o, "method", ev->method);
	put_field(&o, "result", ev->result);
	put_field(&o, "reason", ev->reason);
	put_str(&o, ",\"request_ids\":[");
	for (i = 0; i < SSPR_AUDIT_IDS_MAX && ev->request_ids[i] != NULL; i++) {
		if (i > 0)
			put_str(&o, ",");
		put_json(&o, ev->request_ids[i]);
	}
	put_str(&o, "]}");
	return o.full ? -ENOSPC : (int)o.used;
}

int
sspr_audit_write(const char *path, const struct sspr_audit_event *ev,
		 time_t now)
{
	char host[HOST_NAME_MAX + 1] = "";
	char line[LINE_MAX_BYTES];
	ssize_t w;
	int fd;
	int n;
	int r;

	if (gethostname(host, sizeof(host)) < 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	n = sspr_audit_format(ev, host, now, line, sizeof(line) - 1);
	if (n < 0)
		return n;
	line[n++] = '\n';
	/* Who may read it learns who reset when: root only. */
	fd = sspr_open_secret(path, O_APPEND);
	if (fd < 0)
		return fd;
	w = write(fd, line, (size_t)n);
	r = w == n ? 0 : w < 0 ? -errno : -EIO;
	close(fd);
	return r;
}

static const char *
pam_item(pam_handle_t *pamh, int item)
{
	const void *value = NULL;

	if (pamh == NULL || pam_get_item(pamh, item, &value) != PAM_SUCCESS)
		return NULL;
	return value;
}

void
sspr_audit(pam_handle_t *pamh, const struct sspr_cfg *cfg,
	   struct sspr_audit_event *ev)
{
	int r;

	if (cfg->audit_log == NULL)
		return;
	if (ev->service == NULL)
		ev->service = pam_item(pamh, PAM_SERVICE);
	if (ev->tty == NULL)
		ev->tty = pam_item(pamh, PAM_TTY);
	r = sspr_audit_write(cfg->audit_log, ev, time(NULL));
	if (r == 0)
		return;
	if (pamh != NULL)
		pam_syslog(pamh, LOG_ERR, "cannot write the audit log %s: %s",
			   cfg->audit_log, strerror(-r));
	else
		syslog(LOG_AUTHPRIV | LOG_ERR,
		       "cannot write the audit log %s: %s", cfg->audit_log,
		       strerror(-r));
}
