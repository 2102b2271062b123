/*
 * The one libcurl policy of pam_sspr, for HTTPS (Microsoft 365) and SMTP
 * alike: global initialisation, the hardening every easy handle gets,
 * and the one mapping of a libcurl result to a negative errno.
 */
#ifndef SSPR_CURL_H
#define SSPR_CURL_H

#include <curl/curl.h>

#include "sspr/common/config.h"

/*
 * curl_global_init() once per process, safe from threaded hosts, with
 * the environment hidden while libcurl and OpenSSL read it. Returns 0 or
 * -EIO.
 */
int sspr_curl_global_init(void);

/*
 * Set the hardening on curl: only the given protocols (also for a
 * redirect, which is never followed), peer and host name verified, TLS
 * 1.2 or later, cfg's ca_file instead of the system store when set, no
 * proxy from the environment, no signals, close-on-exec sockets, the two
 * timeouts (milliseconds; 0 is libcurl's default) and errbuf
 * (CURL_ERROR_SIZE bytes) for libcurl's message. cfg may be NULL.
 * Returns 0 or -EIO (libcurl refused an option: too old).
 */
int sspr_curl_harden(CURL *curl, const struct sspr_cfg *cfg,
		     const char *protocols, unsigned long connect_timeout_ms,
		     unsigned long timeout_ms, char *errbuf);

/*
 * The errno for a libcurl result. Callers decide on it whether a request
 * may have been carried out, so each value promises this much:
 *   0             CURLE_OK
 *   -ECONNREFUSED nothing was sent: the name did not resolve or no
 *                 connection could be made
 *   -EPROTO       nothing was sent: TLS did not come up (an untrusted or
 *                 wrong certificate, no STARTTLS)
 *   -ETIMEDOUT    the time ran out; the request may have been sent
 *   -ECONNRESET   the connection failed after it came up; the request
 *                 may have been sent and carried out
 *   -EACCES       the server refused the login (SMTP AUTH)
 *   -EFBIG        the reply was too large
 *   -EINVAL       a URL or protocol libcurl cannot use; nothing was sent
 *   -ENOMEM       out of memory
 *   -EIO          anything else; the request may have been sent
 */
int sspr_curl_errno(CURLcode rc);

#endif
