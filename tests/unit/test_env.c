/*
 * The environment the heavy libraries see (sspr/common/env.h): what is hidden,
 * that the host gets exactly its own back, and that libcurl's start-up
 * no longer opens $SSLKEYLOGFILE.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "sspr/common/env.h"
#include "sspr/net/curl.h"

extern char **environ;

static void
test_names(void)
{
	static const char *const hidden[] = {
		"SSLKEYLOGFILE=/etc/nologin",
		"http_proxy=http://127.0.0.1:1",
		"HTTPS_PROXY=x",
		"https_proxy=x",
		"ALL_PROXY=x",
		"all_proxy=x",
		"NO_PROXY=*",
		"no_proxy=*",
		"CURL_SSL_BACKEND=gnutls",
		"CURL_HOME=/tmp",
		"OPENSSL_CONF=/tmp/x.cnf",
		"OPENSSL_ia32cap=0",
		"SSL_CERT_FILE=/tmp/ca.pem",
		"SSL_CERT_DIR=/tmp",
		"KRB5_TRACE=/etc/nologin",
		"RES_OPTIONS=debug",
	};
	static const char *const kept[] = {
		"PATH=/usr/bin", "LANG=C.UTF-8", "TERM=xterm",	"HOME=/root",
		"TZ=UTC",	 "PROXY=x",	 "NOPROXY_X=1", "LC_ALL=C",
	};
	size_t i;

	for (i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		if (!sspr_env_steers_libraries(hidden[i]))
			fprintf(stderr, "  not hidden: %s\n", hidden[i]);
		CHECK(sspr_env_steers_libraries(hidden[i]));
	}
	for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		if (sspr_env_steers_libraries(kept[i]))
			fprintf(stderr, "  hidden: %s\n", kept[i]);
		CHECK(!sspr_env_steers_libraries(kept[i]));
	}
}

static void
test_scrub_restore(void)
{
	struct sspr_env outer;
	struct sspr_env inner;
	char **before;

	CHECK(setenv("SSLKEYLOGFILE", "/tmp/k", 1) == 0);
	CHECK(setenv("https_proxy", "http://127.0.0.1:9", 1) == 0);
	CHECK(setenv("SSPR_TEST_KEEP", "yes", 1) == 0);
	before = environ;

	sspr_env_scrub(&outer);
	CHECK(getenv("SSLKEYLOGFILE") == NULL);
	CHECK(getenv("https_proxy") == NULL);
	CHECK(getenv("SSPR_TEST_KEEP") != NULL);
	/* Calls nest. */
	sspr_env_scrub(&inner);
	CHECK(getenv("SSPR_TEST_KEEP") != NULL);
	CHECK(getenv("SSLKEYLOGFILE") == NULL);
	sspr_env_restore(&inner);
	CHECK(getenv("SSLKEYLOGFILE") == NULL);
	sspr_env_restore(&outer);

	/* The host's very array and strings, as they were. */
	CHECK(environ == before);
	CHECK(getenv("SSLKEYLOGFILE") != NULL &&
	      strcmp(getenv("SSLKEYLOGFILE"), "/tmp/k") == 0);
	CHECK(getenv("https_proxy") != NULL);
	/* A second restore, or one without a scrub, changes nothing. */
	sspr_env_restore(&outer);
	CHECK(environ == before);
	unsetenv("SSLKEYLOGFILE");
	unsetenv("https_proxy");
	unsetenv("SSPR_TEST_KEEP");
}

static void
test_curl_keylog(void)
{
	char dir[] = "/tmp/sspr-env.XXXXXX";
	char path[64];
	struct stat st;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/keys", dir);
	CHECK(setenv("SSLKEYLOGFILE", path, 1) == 0);
	CHECK(sspr_curl_global_init() == 0);
	/* libcurl would have opened (created) it during its start-up. */
	CHECK(stat(path, &st) < 0 && errno == ENOENT);
	CHECK(getenv("SSLKEYLOGFILE") != NULL);
	unsetenv("SSLKEYLOGFILE");
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	RUN(test_names);
	RUN(test_scrub_restore);
	RUN(test_curl_keylog);
	CHECK_EXIT();
}
