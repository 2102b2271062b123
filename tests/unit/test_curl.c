/*
 * The one libcurl policy (sspr/net/curl.h): the errno contract that
 * change/sync.c decides on (nothing sent vs maybe sent), and the
 * hardening refusing what it must without any network.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sspr/common/config.h"
#include "sspr/net/curl.h"
#include "sspr/net/smtp.h"

static void
test_errno_contract(void)
{
	/* Nothing was sent: a PATCH certainly did not happen. */
	CHECK(sspr_curl_errno(CURLE_COULDNT_RESOLVE_HOST) == -ECONNREFUSED);
	CHECK(sspr_curl_errno(CURLE_COULDNT_CONNECT) == -ECONNREFUSED);
	CHECK(sspr_curl_errno(CURLE_PEER_FAILED_VERIFICATION) == -EPROTO);
	CHECK(sspr_curl_errno(CURLE_SSL_CONNECT_ERROR) == -EPROTO);
	CHECK(sspr_curl_errno(CURLE_USE_SSL_FAILED) == -EPROTO);
	/* Maybe sent. */
	CHECK(sspr_curl_errno(CURLE_OPERATION_TIMEDOUT) == -ETIMEDOUT);
	CHECK(sspr_curl_errno(CURLE_SEND_ERROR) == -ECONNRESET);
	CHECK(sspr_curl_errno(CURLE_RECV_ERROR) == -ECONNRESET);
	CHECK(sspr_curl_errno(CURLE_GOT_NOTHING) == -ECONNRESET);
	CHECK(sspr_curl_errno(CURLE_LOGIN_DENIED) == -EACCES);
	CHECK(sspr_curl_errno(CURLE_OUT_OF_MEMORY) == -ENOMEM);
	CHECK(sspr_curl_errno(CURLE_UNSUPPORTED_PROTOCOL) == -EINVAL);
	CHECK(sspr_curl_errno(CURLE_OK) == 0);
	CHECK(sspr_curl_errno(CURLE_WEIRD_SERVER_REPLY) == -EIO);
}

/* Only the named schemes: file:// and http:// never run. */
static void
test_harden_protocols(void)
{
	const char *urls[] = { "file:///etc/passwd", "http://127.0.0.1:1/" };
	char errbuf[CURL_ERROR_SIZE];
	size_t i;

	CHECK(sspr_curl_global_init() == 0);
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		CURL *curl = curl_easy_init();

		CHECK(curl != NULL);
		if (curl == NULL)
			return;
		CHECK(sspr_curl_harden(curl, NULL, "https", 1000, 2000,
				       errbuf) == 0);
		CHECK(curl_easy_setopt(curl, CURLOPT_URL, urls[i]) == CURLE_OK);
		CHECK(sspr_curl_errno(curl_easy_perform(curl)) == -EINVAL);
		curl_easy_cleanup(curl);
	}
}

/* A closed port: "could not connect", reported as nothing sent. */
static void
test_smtp_refused(void)
{
	struct sspr_cfg cfg;
	char err[256] = "";

	CHECK(sspr_cfg_defaults(&cfg) == 0);
	cfg.smtp_url = strdup("smtp://127.0.0.1:1");
	CHECK(sspr_smtp_check(&cfg, err, sizeof(err)) == -ECONNREFUSED);
	CHECK(strstr(err, "smtp://127.0.0.1:1") != NULL);
	free(cfg.smtp_url);
	cfg.smtp_url = NULL;
	CHECK(sspr_smtp_check(&cfg, err, sizeof(err)) == -ENOTCONN);
	sspr_cfg_done(&cfg);
}

int
main(void)
{
	RUN(test_errno_contract);
	RUN(test_harden_protocols);
	RUN(test_smtp_refused);
	CHECK_EXIT();
}
