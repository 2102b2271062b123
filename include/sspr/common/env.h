/*
 * The process environment that libcurl, OpenSSL and the libraries below
 * them get to read. A PAM host may run as root on behalf of someone else
 * (setuid passwd and su keep the caller's environment), and libcurl reads
 * some variables with plain getenv(): SSLKEYLOGFILE makes it open a file
 * as root and write TLS secrets into it. So the heavy library only ever
 * runs with those variables hidden, and the host gets its environment
 * back unchanged afterwards.
 */
#ifndef SSPR_ENV_H
#define SSPR_ENV_H

#include <stdbool.h>

struct sspr_env {
	char **saved; /* the host's environ while hidden */
	char **clean; /* ours, or NULL when the static empty one is used */
	bool active;
};

/*
 * Is this "NAME=value" entry one that can steer the network and TLS
 * libraries (proxies, key logs, CA stores, library configuration)?
 */
bool sspr_env_steers_libraries(const char *entry);

/*
 * Point environ at a copy of the host's array without those entries. The
 * strings themselves are shared, not copied, so no value is duplicated
 * and nothing needs wiping. Never fails: without memory the libraries see
 * an empty environment. Calls nest.
 */
void sspr_env_scrub(struct sspr_env *env);

/* Give the host its own environment back; fine when not scrubbed. */
void sspr_env_restore(struct sspr_env *env);

#endif
