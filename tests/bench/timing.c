/*
 * Wall-clock timing for "make bench": paired, interleaved runs whose
 * medians are compared as ratios within one run (this machine is noisy,
 * so absolute numbers mean little).
 *
 *   timing exec N NAME INPUT COMMAND [NAME INPUT COMMAND ...]
 *	Runs every COMMAND (split on spaces) N times, in turn: A B C A B C
 *	..., each with INPUT as its standard input and its output thrown
 *	away. Prints "NAME median_us min_us exit_status" per command; a
 *	command whose exit status changes between runs is an error.
 *
 *   timing dlopen N NAME PATH [NAME PATH ...]
 *	dlopen(PATH, RTLD_NOW) in a fresh child process, in turn, N times
 *	each. Prints "NAME median_us min_us" per library. This program is
 *	linked with libpam, as every process that loads a module is.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#define MAX_CASES 8
#define MAX_ARGS 32
#define MAX_RUNS 1000

extern char **environ;

struct bench_case {
	const char *name;
	const char *arg;	/* input file (exec) or library (dlopen) */
	char *argv[MAX_ARGS + 1];
	uint64_t us[MAX_RUNS];
	int status;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a;
	uint64_t y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
report(struct bench_case *c, unsigned runs, int with_status)
{
	uint64_t median;

	qsort(c->us, runs, sizeof(c->us[0]), cmp_u64);
	if (runs % 2 == 1)
		median = c->us[runs / 2];
	else
		median = (c->us[runs / 2 - 1] + c->us[runs / 2]) / 2;
	if (with_status)
		printf("%s %llu %llu %d\n", c->name,
		       (unsigned long long)median,
		       (unsigned long long)c->us[0], c->status);
	else
		printf("%s %llu %llu\n", c->name, (unsigned long long)median,
		       (unsigned long long)c->us[0]);
}

/* Split a command line on spaces, in place. */
static int
split_command(char *line, char **argv)
{
	size_t n = 0;
	char *save = NULL;
	char *word;

	for (word = strtok_r(line, " ", &save); word != NULL;
	     word = strtok_r(NULL, " ", &save)) {
		if (n == MAX_ARGS)
			return -E2BIG;
		argv[n++] = word;
	}
	argv[n] = NULL;
	return n > 0 ? 0 : -EINVAL;
}

/* One run of c's command; its time in microseconds, or -1. */
static int
run_command(struct bench_case *c, uint64_t *ret_us)
{
	posix_spawn_file_actions_t fa;
	uint64_t t0;
	pid_t pid;
	int status;
	int r;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, c->arg, O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	t0 = now_ns();
	r = posix_spawn(&pid, c->argv[0], &fa, NULL, c->argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0) {
		fprintf(stderr, "timing: %s: %s\n", c->argv[0], strerror(r));
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	*ret_us = (now_ns() - t0) / 1000;
	if (!WIFEXITED(status)) {
		fprintf(stderr, "timing: %s: killed by a signal\n", c->name);
		return -1;
	}
	return WEXITSTATUS(status);
}

/* dlopen c's library in a child; its time in microseconds, or -1. */
static int
time_dlopen(struct bench_case *c, uint64_t *ret_us)
{
	uint64_t us = 0;
	int fds[2];
	pid_t pid;
	int status;
	ssize_t n;

	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		uint64_t t0 = now_ns();
		void *h = dlopen(c->arg, RTLD_NOW | RTLD_LOCAL);
		uint64_t t = (now_ns() - t0) / 1000;

		if (h == NULL) {
			fprintf(stderr, "timing: %s\n", dlerror());
			_exit(1);
		}
		if (write(fds[1], &t, sizeof(t)) != (ssize_t)sizeof(t))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	n = read(fds[0], &us, sizeof(us));
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (n != (ssize_t)sizeof(us) || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return -1;
	*ret_us = us;
	return 0;
}

static int
usage(void)
{
	fprintf(stderr, "usage: timing exec N NAME INPUT COMMAND ...\n"
			"       timing dlopen N NAME PATH ...\n");
	return 2;
}

int
main(int argc, char **argv)
{
	static struct bench_case cases[MAX_CASES];
	unsigned long runs;
	size_t ncases = 0;
	int exec_mode;
	int per_case;
	unsigned i;
	size_t k;
	int a;

	if (argc < 3)
		return usage();
	exec_mode = strcmp(argv[1], "exec") == 0;
	if (!exec_mode && strcmp(argv[1], "dlopen") != 0)
		return usage();
	runs = strtoul(argv[2], NULL, 10);
	if (runs == 0 || runs > MAX_RUNS)
		return usage();
	per_case = exec_mode ? 3 : 2;
	if ((argc - 3) % per_case != 0 || argc == 3)
		return usage();
	for (a = 3; a < argc; a += per_case) {
		struct bench_case *c = &cases[ncases];

		if (ncases == MAX_CASES)
			return usage();
		c->name = argv[a];
		c->arg = argv[a + 1];
		if (exec_mode && split_command(argv[a + 2], c->argv) < 0)
			return usage();
		ncases++;
	}

	/* Keep libpam mapped, as in any process that loads a module. */
	(void)pam_strerror(NULL, PAM_SUCCESS);
	for (i = 0; i < runs; i++) {
		for (k = 0; k < ncases; k++) {
			struct bench_case *c = &cases[k];
			int r;

			if (exec_mode)
				r = run_command(c, &c->us[i]);
			else
				r = time_dlopen(c, &c->us[i]);
			if (r < 0) {
				fprintf(stderr, "timing: %s failed\n",
					c->name);
				return 1;
			}
			if (i > 0 && r != c->status) {
				fprintf(stderr,
					"timing: %s: exit status %d, "
					"then %d\n",
					c->name, c->status, r);
				return 1;
			}
			c->status = r;
		}
	}
	for (k = 0; k < ncases; k++)
		report(&cases[k], (unsigned)runs, exec_mode);
	return 0;
}
