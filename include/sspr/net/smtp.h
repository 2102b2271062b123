/*
 * SMTP through libcurl, with the one policy of sspr/net/curl.h: smtp://
 * with STARTTLS required (unless smtp_starttls = no) or smtps://, the
 * certificate always verified, and AUTH when smtp_user is set. The
 * settings were checked by sspr_cfg_finish().
 */
#ifndef SSPR_SMTP_H
#define SSPR_SMTP_H

#include <stddef.h>

#include "sspr/common/config.h"

/*
 * Deliver msg (a whole RFC 5322 message, CRLF line ends) from the
 * envelope sender to one recipient, both bare addresses. Returns 0,
 * -ENOTCONN (no smtp_url), an error of reading smtp_password_file, or
 * one of sspr_curl_errno() (-EACCES when AUTH was refused); err gets one
 * line for the admin's log (never a secret).
 */
int sspr_smtp_send(const struct sspr_cfg *cfg, const char *sender,
		   const char *to, const char *msg, char *err, size_t errlen);

/*
 * Check the server without sending anything: the greeting, EHLO,
 * STARTTLS or TLS with the certificate verified, and AUTH when smtp_user
 * is set; then hang up. Returns and err as sspr_smtp_send().
 */
int sspr_smtp_check(const struct sspr_cfg *cfg, char *err, size_t errlen);

#endif
