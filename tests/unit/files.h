/*
 * Writing a test's input file as a given mode, for the unit tests that
 * load files the code must refuse or accept (records, journal entries,
 * caches, maps). The file is made anew (unlinked, then created), and its
 * mode set with fchmod so the umask does not change it.
 */
#ifndef SSPR_TEST_FILES_H
#define SSPR_TEST_FILES_H

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static inline void
test_write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(fchmod(fd, mode) == 0);
	CHECK(write(fd, data, len) == (ssize_t)len);
	close(fd);
}

#endif
