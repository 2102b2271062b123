/* Opening configuration, secret and state files without trusting them. */
#include "sspr/common/safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sspr/common/util.h"

int
sspr_check_fd(int fd, enum sspr_file_trust trust)
{
	struct stat st;
	mode_t forbidden;

	if (fstat(fd, &st) != 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	forbidden = trust == SSPR_FILE_SECRET ? (S_IRWXG | S_IRWXO)
					      : (S_IWGRP | S_IWOTH);
	if (st.st_uid != sspr_trusted_uid() || (st.st_mode & forbidden) != 0)
		return -EPERM;
	return 0;
}

/*
 * A bigger buffer for a file that grew while it was read: a copy and a
 * wipe, not realloc(), which would leave the old bytes in freed memory.
 */
static char *
grow(char *buf, size_t len, size_t old_size, size_t new_size)
{
	char *bigger = malloc(new_size);

	if (bigger != NULL)
		memcpy(bigger, buf, len);
	sspr_freezero(buf, old_size);
	return bigger;
}

/*
 * The buffer fits what fstat() reports and one byte more, which tells a
 * file that grew while it was read; only then does it go to max_size.
 * Not max_size at once: every login reads sspr.conf and a record of a
 * few hundred bytes each, and 64 KiB blocks for them are memory touched
 * for nothing (freeing one also makes malloc consolidate its free lists).
 */
static int
read_all(int fd, size_t max_size, char **ret_buf, size_t *ret_len)
{
	struct stat st;
	char *buf;
	size_t size;
	size_t len = 0;

	if (fstat(fd, &st) != 0)
		return -errno;
	if (st.st_size < 0 || (size_t)st.st_size > max_size)
		return -EFBIG;
	size = (size_t)st.st_size + 2;
	buf = malloc(size);
	if (buf == NULL)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == size - 1) {
			buf = grow(buf, len, size, max_size + 2);
			size = max_size + 2;
			if (buf == NULL)
				return -ENOMEM;
		}
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			sspr_freezero(buf, size);
			return -e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max_size) {
			sspr_freezero(buf, size);
			return -EFBIG;
		}
	}
	buf[len] = '\0';
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

int
sspr_read_file(const char *path, enum sspr_file_trust trust, size_t max_size,
	       char **ret_buf, size_t *ret_len)
{
	int fd;
	int r;

	if (path == NULL || path[0] != '/')
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	r = sspr_check_fd(fd, trust);
	if (r == 0)
		r = read_all(fd, max_size, ret_buf, ret_len);
	close(fd);
	return r;
}

int
sspr_open_secret(const char *path, int flags)
{
	int fd;
	int r;

	fd = open(path,
		  (flags & O_RDWR ? 0 : O_WRONLY) | flags | O_CREAT |
		      O_CLOEXEC | O_NOFOLLOW | O_NOCTTY,
		  0600);
	if (fd < 0)
		return -errno;
	r = sspr_check_fd(fd, SSPR_FILE_SECRET);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int
sspr_write_all(int fd, const void *data, size_t len)
{
	const char *buf = data;

	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int
sspr_fsync_dir(const char *dir)
{
	int fd;
	int r = 0;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fsync(fd) != 0)
		r = -errno;
	close(fd);
	return r;
}

int
sspr_remove_durably(const char *dir, const char *path)
{
	if (unlink(path) != 0)
		return errno == ENOENT ? 0 : -errno;
	return sspr_fsync_dir(dir);
}

int
sspr_write_file_atomic(const char *path, const void *data, size_t len,
		       mode_t mode, unsigned flags)
{
	char dir[PATH_MAX];
	char tmp[PATH_MAX];
	const char *base;
	size_t dlen;
	int fd;
	int n;
	int r;

	if (path == NULL || path[0] != '/' || (data == NULL && len > 0))
		return -EINVAL;
	base = strrchr(path, '/') + 1;
	if (*base == '\0')
		return -EINVAL;
	/* "/x" lives in "/", which is the one directory ending in '/' */
	dlen = base - path > 1 ? (size_t)(base - path - 1) : 1;
	if (dlen >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, dlen);
	dir[dlen] = '\0';
	n = snprintf(tmp, sizeof(tmp), "%.*s.%s.XXXXXX", (int)(base - path),
		     path, base);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;

	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = fchmod(fd, mode) == 0 ? 0 : -errno;
	if (r == 0)
		r = sspr_write_all(fd, data, len);
	if (r == 0 && fsync(fd) != 0)
		r = -errno;
	if (close(fd) != 0 && r == 0)
		r = -errno;
	if (r == 0 && (flags & SSPR_WRITE_NOREPLACE) != 0)
		r = link(tmp, path) == 0 ? 0 : -errno;
	else if (r == 0)
		r = rename(tmp, path) == 0 ? 0 : -errno;
	/* After a failure, or a link(), the temporary name is one too many. */
	if (r < 0 || (flags & SSPR_WRITE_NOREPLACE) != 0)
		unlink(tmp);
	if (r < 0)
		return r;
	return sspr_fsync_dir(dir);
}
