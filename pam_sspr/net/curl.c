/*
 * The one libcurl policy (include/sspr/net/curl.h).
 *
 * Why each option: only the named schemes, so a URL from the
 * configuration cannot turn a request into file:// or a redirect into
 * anything else; peer and host name always verified, TLS 1.2 or later;
 * when ca_file is set it replaces the system store, so a private CA
 * cannot be bypassed by a public one; no proxy from the environment (a
 * setuid caller such as passwd or su must not be able to route the
 * request; the variables are hidden as well, see sspr/common/env.h); no
 * signals (libcurl would otherwise use SIGALRM for name resolution
 * timeouts inside the PAM host); sockets close-on-exec, because a kept
 * connection stays open across the local password change, whose stack
 * may run programs (pam_exec, helpers).
 */
#include "sspr/net/curl.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>

#include "sspr/common/env.h"

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void
global_init_once(void)
{
	struct sspr_env env;

	/*
	 * libcurl and OpenSSL read most of their environment here (libcurl
	 * opens $SSLKEYLOGFILE now, with plain getenv). The module already
	 * hides it around all of sspr-flow.so; this covers every other
	 * caller of the library too.
	 *
	 * Never paired with curl_global_cleanup(): the PAM host may use
	 * libcurl or OpenSSL itself, and cleaning up under it is unsafe.
	 */
	sspr_env_scrub(&env);
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	sspr_env_restore(&env);
}

int
sspr_curl_global_init(void)
{
	if (pthread_once(&global_once, global_init_once) != 0)
		return -EIO;
	return global_rc == CURLE_OK ? 0 : -EIO;
}

/* libcurl opens its sockets without close-on-exec. */
static int
sockopt_cb(void *ctx, curl_socket_t fd, curlsocktype purpose)
{
	int flags = fcntl(fd, F_GETFD);

	(void)ctx;
	(void)purpose;
	if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0)
		return CURL_SOCKOPT_ERROR;
	return CURL_SOCKOPT_OK;
}

int
sspr_curl_harden(CURL *curl, const struct sspr_cfg *cfg, const char *protocols,
		 unsigned long connect_timeout_ms, unsigned long timeout_ms,
		 char *errbuf)
{
	CURLcode rc = CURLE_OK;

#define SET(opt, val)                                                          \
	do {                                                                   \
		if (rc == CURLE_OK)                                            \
			rc = curl_easy_setopt(curl, opt, val);                 \
	} while (0)
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_PROTOCOLS_STR, protocols);
	SET(CURLOPT_REDIR_PROTOCOLS_STR, protocols);
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (cfg != NULL && cfg->ca_file != NULL) {
		SET(CURLOPT_CAINFO, cfg->ca_file);
		SET(CURLOPT_CAPATH, (char *)NULL);
	}
	SET(CURLOPT_PROXY, "");
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_SOCKOPTFUNCTION, sockopt_cb);
	SET(CURLOPT_CONNECTTIMEOUT_MS, (long)connect_timeout_ms);
	SET(CURLOPT_TIMEOUT_MS, (long)timeout_ms);
#undef SET
	return rc == CURLE_OK ? 0 : -EIO;
}

int
sspr_curl_errno(CURLcode rc)
{
	switch (rc) {
	case CURLE_OK:
		return 0;
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	/* A name that does not resolve: certainly nothing was sent. */
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return -ECONNRESET;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_USE_SSL_FAILED:
		return -EPROTO;
	case CURLE_LOGIN_DENIED:
		return -EACCES;
	case CURLE_FILESIZE_EXCEEDED:
		return -EFBIG;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return -EINVAL;
	default:
		return -EIO;
	}
}
