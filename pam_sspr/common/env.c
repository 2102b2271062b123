/*
 * Hiding the caller's environment from the network and TLS libraries.
 *
 * The entries are hidden by pointing environ at a filtered copy of the
 * array for the time the heavy library runs, not by unsetenv(): the
 * host's own array and strings are never changed or freed, so giving it
 * back is one assignment and no value is ever copied (nothing to wipe).
 * Always done, not only under AT_SECURE: setuid passwd and su run as
 * root with the caller's variables, and the reset needs none of them.
 */
#include "sspr/common/env.h"

#include <stdlib.h>
#include <string.h>

#include "sspr/common/util.h"

extern char **environ;

/* What libcurl, OpenSSL and their helpers read (names, ASCII case). */
static const char *const prefixes[] = {
	"CURL_",     /* CURL_SSL_BACKEND, CURL_HOME, ... */
	"OPENSSL_",  /* OPENSSL_CONF, OPENSSL_MODULES, OPENSSL_ia32cap, ... */
	"SSL_",	     /* SSL_CERT_FILE, SSL_CERT_DIR */
	"SSLKEYLOG", /* SSLKEYLOGFILE: TLS secrets written to a file */
	"KRB5",	     /* GSSAPI below libcurl: KRB5_CONFIG, KRB5_TRACE */
	"GNUTLS_",   /* libraries below libcurl that use GnuTLS */
};

static const char *const names[] = {
	"QLOGDIR",     /* HTTP/3 logs written to a directory */
	"CTLOG_FILE",  /* OpenSSL's certificate transparency logs */
	"RANDFILE",    /* OpenSSL's seed file */
	"LOCALDOMAIN", /* the resolver's search list */
	"RES_OPTIONS", /* the resolver's options */
	"HOSTALIASES", /* the resolver's host name aliases */
};

bool
sspr_env_steers_libraries(const char *entry)
{
	size_t n = strcspn(entry, "=");
	size_t i;

	for (i = 0; i < SSPR_ARRAY_SIZE(prefixes); i++) {
		size_t p = strlen(prefixes[i]);

		if (n >= p && sspr_ascii_ncasecmp(entry, prefixes[i], p) == 0)
			return true;
	}
	for (i = 0; i < SSPR_ARRAY_SIZE(names); i++)
		if (n == strlen(names[i]) &&
		    sspr_ascii_ncasecmp(entry, names[i], n) == 0)
			return true;
	/* http_proxy, HTTPS_PROXY, all_proxy, NO_PROXY, socks... */
	return n >= 6 && sspr_ascii_ncasecmp(entry + n - 6, "_proxy", 6) == 0;
}

void
sspr_env_scrub(struct sspr_env *env)
{
	static char *empty[] = { NULL };
	char **host = environ;
	size_t count = 0;
	size_t kept = 0;
	size_t i;

	*env = (struct sspr_env){ .saved = host, .active = true };
	for (i = 0; host != NULL && host[i] != NULL; i++)
		count++;
	env->clean = calloc(count + 1, sizeof(*env->clean));
	if (env->clean == NULL) {
		/* Safe either way: without memory, nothing at all. */
		environ = empty;
		return;
	}
	for (i = 0; i < count; i++)
		if (!sspr_env_steers_libraries(host[i]))
			env->clean[kept++] = host[i];
	env->clean[kept] = NULL;
	environ = env->clean;
}

void
sspr_env_restore(struct sspr_env *env)
{
	if (env == NULL || !env->active)
		return;
	environ = env->saved;
	free(env->clean);
	*env = (struct sspr_env){ .active = false };
}
