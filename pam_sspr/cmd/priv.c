/*
 * Privileges and process hygiene of the sspr command: the caller's ids,
 * raising to root and back, and what a setuid program must not inherit
 * (environment, closed standard descriptors, core dumps).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sspr/cmd/output.h"
#include "sspr/cmd/priv.h"

#define SAFE_PATH "/usr/sbin:/usr/bin:/sbin:/bin"

/*
 * Process-wide on purpose: priv_raise() and priv_lower() are handed to
 * the enrollment code as plain hooks, and a setuid program has one set
 * of ids.
 */
static uid_t caller_uid;
static gid_t caller_gid;
static bool privileged; /* installed setuid and caller is not root */

/* --- privileges -------------------------------------------------------- */

int
priv_raise(void)
{
	if (!privileged)
		return 0;
	/* Half raised is worse than failed: never go on like that. */
	if (seteuid(0) < 0 || setegid(0) < 0)
		_exit(EXIT_FAIL);
	return 0;
}

void
priv_lower(void)
{
	if (!privileged)
		return;
	/* Failing to drop would leave us root: stop rather than go on. */
	if (setegid(caller_gid) < 0 || seteuid(caller_uid) < 0)
		_exit(EXIT_FAIL);
}

int
priv_init(void)
{
	static const struct rlimit no_core = { 0, 0 };
	static const struct rlimit no_limit = { RLIM_INFINITY, RLIM_INFINITY };

	caller_uid = getuid();
	caller_gid = getgid();
	if (caller_uid == 0)
		return 0;
	if (geteuid() != 0)
		return -EPERM;
	privileged = true;
	/*
	 * Never dump a core with the store's contents in it. The dumpable
	 * flag is reset on every uid change, the core size limit is not.
	 */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	setrlimit(RLIMIT_CORE, &no_core);
	/*
	 * The caller's file size limit must not kill a store write half-way
	 * (leaving its temporary file): writes fail cleanly instead.
	 */
	setrlimit(RLIMIT_FSIZE, &no_limit);
	signal(SIGXFSZ, SIG_IGN);
	if (setresgid((gid_t)-1, caller_gid, 0) < 0 ||
	    setresuid((uid_t)-1, caller_uid, 0) < 0)
		return -errno;
	return 0;
}

/* --- environment ------------------------------------------------------- */

static bool
safe_value(const char *v)
{
	size_t n = 0;

	for (; *v != '\0'; v++, n++) {
		unsigned char c = (unsigned char)*v;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-' || c == '@' || c == '+'))
			return false;
	}
	return n > 0 && n <= 64;
}

void
sanitize_environment(void)
{
	extern char **environ;
	char *keep[32];
	size_t nkeep = 0;
	char **e;
	size_t i;

	for (e = environ; e != NULL && *e != NULL && nkeep < 32; e++) {
		const char *eq = strchr(*e, '=');
		size_t klen;

		if (eq == NULL)
			continue;
		klen = (size_t)(eq - *e);
		if (!((klen == 4 && strncmp(*e, "TERM", 4) == 0) ||
		      (klen == 4 && strncmp(*e, "LANG", 4) == 0) ||
		      (klen > 3 && strncmp(*e, "LC_", 3) == 0 && klen < 24)))
			continue;
		if (!safe_value(eq + 1))
			continue;
		keep[nkeep] = strdup(*e);
		if (keep[nkeep] != NULL)
			nkeep++;
	}
	clearenv();
	setenv("PATH", SAFE_PATH, 1);
	for (i = 0; i < nkeep; i++) {
		putenv(keep[i]); /* the string becomes the environment */
	}
}

int
sanitize_fds(void)
{
	int fd;

	for (;;) {
		fd = open("/dev/null", O_RDWR);
		if (fd < 0)
			return -errno;
		if (fd > 2) {
			close(fd);
			return 0;
		}
	}
}

uid_t
priv_caller_uid(void)
{
	return caller_uid;
}
