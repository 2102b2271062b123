/*
 * For the harnesses that load per-user files (records, journal entries):
 * a private state directory, root-owned and 0700 as the loaders demand,
 * made once, with the input written as one user's file in it, and
 * removed at exit with the files the harness named.
 */
#ifndef SSPR_FUZZ_STATE_H
#define SSPR_FUZZ_STATE_H

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

static char fuzz_state_dir[256];
static const char *const *fuzz_state_names; /* files to remove at exit */

static inline void
fuzz_state_cleanup(void)
{
	char path[300];
	size_t i;

	for (i = 0; fuzz_state_names[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/%s", fuzz_state_dir,
			 fuzz_state_names[i]);
		unlink(path);
	}
	rmdir(fuzz_state_dir);
}

/* names: the files the harness makes there, NULL-terminated. */
static inline void
fuzz_state_init(const char *const *names)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(fuzz_state_dir, sizeof(fuzz_state_dir), "%s/sspr-fuzz-XXXXXX",
		 tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(fuzz_state_dir) == NULL || chmod(fuzz_state_dir, 0700) != 0)
		abort();
	fuzz_state_names = names;
	atexit(fuzz_state_cleanup);
}

/* The input as the file name in the directory, mode 0600. */
static inline void
fuzz_state_write(const char *name, const uint8_t *data, size_t size)
{
	char path[300];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fuzz_state_dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FUZZ_ASSERT(fd >= 0);
	FUZZ_ASSERT(size == 0 || write(fd, data, size) == (ssize_t)size);
	close(fd);
}

#endif
