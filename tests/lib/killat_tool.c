/*
 * killat_tool: run a command under ptrace and kill it at an exact point,
 * for the kill-matrix tests of the journal of intent.
 *
 *   killat_tool [-t PATTERN] [-k K] [-l LOG] -- CMD [ARG...]
 *
 * Traces CMD and every process it starts. Counting starts at the first
 * open() that creates a file whose path contains PATTERN (without -t: at
 * once); from there every state-changing system call (writes to files
 * and sockets, fsync, rename, unlink, link, flock and fcntl locks,
 * connect, sends, truncate, chmod, chown, creating opens) is one point,
 * numbered from 1. With -k K the process making the K-th one is killed
 * with SIGKILL on entry to it, so points 1..K-1 happened and K did not.
 * LOG gets one line per point: "K PID NAME DETAIL". Writes to pipes and
 * terminals (the conversation) and to syslog (/dev/log) change nothing a
 * test checks and are not counted.
 *
 * Exit status: CMD's, or 137 when it was killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

enum kind { K_FD, K_PATH, K_PATH2, K_OPEN, K_OPENAT, K_FCNTL, K_AT };

struct sc {
	long nr;
	const char *name;
	enum kind kind;
};

static const struct sc counted[] = {
	{ SYS_write, "write", K_FD },
	{ SYS_pwrite64, "pwrite64", K_FD },
	{ SYS_writev, "writev", K_FD },
	{ SYS_pwritev, "pwritev", K_FD },
	{ SYS_fsync, "fsync", K_FD },
	{ SYS_fdatasync, "fdatasync", K_FD },
	{ SYS_ftruncate, "ftruncate", K_FD },
	{ SYS_fchmod, "fchmod", K_FD },
	{ SYS_fchown, "fchown", K_FD },
	{ SYS_flock, "flock", K_FD },
	{ SYS_fcntl, "fcntl", K_FCNTL },
	{ SYS_connect, "connect", K_FD },
	{ SYS_sendto, "sendto", K_FD },
	{ SYS_sendmsg, "sendmsg", K_FD },
	{ SYS_sendmmsg, "sendmmsg", K_FD },
	{ SYS_openat, "openat", K_OPENAT },
	{ SYS_renameat, "renameat", K_AT },
	{ SYS_renameat2, "renameat2", K_AT },
	{ SYS_unlinkat, "unlinkat", K_AT },
	{ SYS_linkat, "linkat", K_AT },
	{ SYS_fchmodat, "fchmodat", K_AT },
	{ SYS_fchownat, "fchownat", K_AT },
	{ SYS_truncate, "truncate", K_PATH },
#ifdef SYS_open
	{ SYS_open, "open", K_OPEN },
	{ SYS_creat, "creat", K_PATH },
	{ SYS_rename, "rename", K_PATH2 },
	{ SYS_unlink, "unlink", K_PATH },
	{ SYS_link, "link", K_PATH2 },
	{ SYS_chmod, "chmod", K_PATH },
	{ SYS_chown, "chown", K_PATH },
#endif
};

/* A NUL-terminated string of the tracee, page by page. */
static void
peek_string(pid_t pid, unsigned long addr, char *buf, size_t size)
{
	size_t got = 0;

	buf[0] = '\0';
	while (addr != 0 && got + 1 < size) {
		size_t page_left = 4096 - (addr % 4096);
		size_t want = size - 1 - got;
		struct iovec local, remote;
		ssize_t n;

		if (want > page_left)
			want = page_left;
		local.iov_base = buf + got;
		local.iov_len = want;
		remote.iov_base = (void *)addr;
		remote.iov_len = want;
		n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		if (n <= 0)
			break;
		buf[got + (size_t)n] = '\0';
		if (memchr(buf + got, '\0', (size_t)n) != NULL)
			return;
		got += (size_t)n;
		addr += (unsigned long)n;
	}
	buf[got] = '\0';
}

static void
fd_target(pid_t pid, unsigned long fd, char *buf, size_t size)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/fd/%lu", (int)pid, fd);
	n = readlink(link, buf, size - 1);
	buf[n > 0 ? (size_t)n : 0] = '\0';
}

/* Sockets connected to /dev/log, by their "socket:[inode]" name. */
static char log_sockets[64][32];
static size_t n_log_sockets;

static bool
is_log_socket(const char *target)
{
	size_t i;

	for (i = 0; i < n_log_sockets; i++)
		if (strcmp(log_sockets[i], target) == 0)
			return true;
	return false;
}

/* A connect() to /dev/log: remember the socket, do not count it. */
static bool
connects_to_log(pid_t pid, const __uint64_t *a, const char *target)
{
	struct sockaddr_un sun;
	struct iovec local = { &sun, sizeof(sun) };
	struct iovec remote;
	size_t len = a[2] < sizeof(sun) ? (size_t)a[2] : sizeof(sun);

	memset(&sun, 0, sizeof(sun));
	remote.iov_base = (void *)(unsigned long)a[1];
	remote.iov_len = len;
	local.iov_len = len;
	if (process_vm_readv(pid, &local, 1, &remote, 1, 0) < 0 ||
	    sun.sun_family != AF_UNIX ||
	    strncmp(sun.sun_path, "/dev/log", sizeof(sun.sun_path)) != 0)
		return false;
	/* "socket:[inode]" always fits */
	if (!is_log_socket(target) && strlen(target) < sizeof(log_sockets[0]) &&
	    n_log_sockets < sizeof(log_sockets) / sizeof(log_sockets[0]))
		memcpy(log_sockets[n_log_sockets++], target,
		       strlen(target) + 1);
	return true;
}

/* Writes to the conversation (pipes, terminals, /dev/null) change nothing. */
static bool
harmless_target(const char *target)
{
	return strncmp(target, "pipe:", 5) == 0 ||
	       strncmp(target, "/dev/", 5) == 0;
}

/*
 * Is this entry one of ours? Fills detail; *created says whether an open
 * creates (the trigger).
 */
static const struct sc *
classify(pid_t pid, const struct __ptrace_syscall_info *si, char *detail,
	 size_t size, bool *creating)
{
	const struct sc *sc = NULL;
	const __uint64_t *a = si->entry.args;
	char p1[PATH_MAX], p2[PATH_MAX];
	size_t i;

	*creating = false;
	for (i = 0; i < sizeof(counted) / sizeof(counted[0]); i++)
		if ((__uint64_t)counted[i].nr == si->entry.nr)
			sc = &counted[i];
	if (sc == NULL)
		return NULL;
	detail[0] = '\0';
	switch (sc->kind) {
	case K_FD:
		fd_target(pid, (unsigned long)a[0], detail, size);
		if ((sc->nr == SYS_write || sc->nr == SYS_writev ||
		     sc->nr == SYS_pwrite64 || sc->nr == SYS_pwritev) &&
		    harmless_target(detail))
			return NULL;
		if (sc->nr == SYS_connect && connects_to_log(pid, a, detail))
			return NULL;
		if (sc->nr != SYS_connect && is_log_socket(detail))
			return NULL;
		return sc;
	case K_FCNTL:
		/* only the locks: F_SETLK, F_SETLKW, F_OFD_SETLK(W) */
		if (a[1] != F_SETLK && a[1] != F_SETLKW && a[1] != 37 &&
		    a[1] != 38)
			return NULL;
		fd_target(pid, (unsigned long)a[0], detail, size);
		return sc;
	case K_OPEN:
	case K_OPENAT: {
		__uint64_t flags = sc->kind == K_OPEN ? a[1] : a[2];

		if ((flags & (O_CREAT | O_TRUNC)) == 0)
			return NULL;
		peek_string(pid,
			    (unsigned long)(sc->kind == K_OPEN ? a[0] : a[1]),
			    detail, size);
		*creating = (flags & O_CREAT) != 0;
		return sc;
	}
	case K_PATH:
		peek_string(pid, (unsigned long)a[0], detail, size);
		return sc;
	case K_PATH2:
		peek_string(pid, (unsigned long)a[0], p1, sizeof(p1));
		peek_string(pid, (unsigned long)a[1], p2, sizeof(p2));
		snprintf(detail, size, "%s -> %s", p1, p2);
		return sc;
	case K_AT:
		peek_string(pid, (unsigned long)a[1], p1, sizeof(p1));
		if (sc->nr == SYS_renameat || sc->nr == SYS_renameat2 ||
		    sc->nr == SYS_linkat) {
			peek_string(pid, (unsigned long)a[3], p2, sizeof(p2));
			snprintf(detail, size, "%s -> %s", p1, p2);
		} else {
			snprintf(detail, size, "%s", p1);
		}
		return sc;
	}
	return NULL;
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: killat_tool [-t PATTERN] [-k K] [-l LOG] -- CMD...\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *pattern = NULL;
	const char *logpath = NULL;
	unsigned long kill_at = 0;
	unsigned long count = 0;
	bool started;
	bool killed = false;
	FILE *log = NULL;
	int status = 0;
	int result = 0;
	pid_t child;
	int opt;

	while ((opt = getopt(argc, argv, "+t:k:l:")) != -1) {
		switch (opt) {
		case 't':
			pattern = optarg;
			break;
		case 'k':
			kill_at = strtoul(optarg, NULL, 10);
			break;
		case 'l':
			logpath = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	if (logpath != NULL) {
		log = fopen(logpath, "we");
		if (log == NULL) {
			perror(logpath);
			return 2;
		}
	}
	started = pattern == NULL;
	child = fork();
	if (child < 0) {
		perror("fork");
		return 2;
	}
	if (child == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
			_exit(126);
		raise(SIGSTOP);
		execvp(argv[optind], argv + optind);
		_exit(127);
	}
	if (waitpid(child, &status, 0) != child || !WIFSTOPPED(status)) {
		fprintf(stderr, "killat_tool: the child did not stop\n");
		return 2;
	}
	ptrace(PTRACE_SETOPTIONS, child, NULL,
	       (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK |
			      PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
			      PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL));
	ptrace(PTRACE_SYSCALL, child, NULL, NULL);

	for (;;) {
		pid_t pid = waitpid(-1, &status, __WALL);
		int sig = 0;

		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break; /* no tracee left */
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			if (pid == child)
				result = WIFEXITED(status)
					     ? WEXITSTATUS(status)
					     : 128 + WTERMSIG(status);
			continue;
		}
		if (!WIFSTOPPED(status))
			continue;
		if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
			struct __ptrace_syscall_info si;
			char detail[2 * PATH_MAX + 8];
			const struct sc *sc;
			bool creating;

			if (ptrace(PTRACE_GET_SYSCALL_INFO, pid,
				   (void *)sizeof(si), &si) > 0 &&
			    si.op == PTRACE_SYSCALL_INFO_ENTRY &&
			    (sc = classify(pid, &si, detail, sizeof(detail),
					   &creating)) != NULL) {
				if (!started && creating &&
				    strstr(detail, pattern) != NULL)
					started = true;
				if (started) {
					count++;
					if (log != NULL) {
						fprintf(log, "%lu %d %s %s\n",
							count, (int)pid,
							sc->name, detail);
						fflush(log);
					}
					if (count == kill_at) {
						kill(pid, SIGKILL);
						killed = true;
					}
				}
			}
		} else if (WSTOPSIG(status) == SIGTRAP && (status >> 16) != 0) {
			sig = 0; /* a ptrace event: fork, exec */
		} else if (WSTOPSIG(status) != SIGSTOP) {
			sig = WSTOPSIG(status);
		}
		ptrace(PTRACE_SYSCALL, pid, NULL, (void *)(long)sig);
	}
	if (log != NULL)
		fclose(log);
	if (killed && result == 0)
		result = 137;
	return result;
}
