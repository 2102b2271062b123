/*
 * Reading files that pam_sspr must trust: the configuration, secrets it
 * names, store records. A file that an attacker could have written or read
 * is refused instead of used.
 */
#ifndef SSPR_SAFEFILE_H
#define SSPR_SAFEFILE_H

#include <stddef.h>
#include <sys/types.h>

enum sspr_file_trust {
	/* root-owned, not writable by group or others (configuration) */
	SSPR_FILE_TRUSTED,
	/* root-owned, no access at all for group or others (secrets) */
	SSPR_FILE_SECRET,
};

/*
 * Read a whole regular file into a NUL-terminated buffer that the caller
 * frees with sspr_freezero(buf, len + 1). The path must be absolute and
 * the last component must not be a symbolic link.
 * Returns 0 or: -ENOENT, -ELOOP (symlink), -EINVAL (relative path, not a
 * regular file), -EPERM (owner or mode too loose), -EFBIG (over max_size),
 * other -errno from the system.
 */
int sspr_read_file(const char *path, enum sspr_file_trust trust,
		   size_t max_size, char **ret_buf, size_t *ret_len);

/*
 * The owner trusted files and directories must have: root (owner.c).
 * Unit tests that run unprivileged link their own in its place.
 */
uid_t sspr_trusted_uid(void);

/* Check owner and mode of an open file; 0 or -EPERM/-EINVAL. */
int sspr_check_fd(int fd, enum sspr_file_trust trust);

/*
 * Flags for sspr_write_file_atomic(). NOREPLACE: link() the new file into
 * place instead of rename(), so an existing path is left alone (-EEXIST).
 */
#define SSPR_WRITE_NOREPLACE 0x1u

/*
 * Write len bytes of data as path, whole or not at all: a temporary file
 * ".<name>.XXXXXX" beside path (O_CLOEXEC), fchmod to mode, every byte
 * written, fsync, then rename() over path (or link(), see above) and an
 * fsync of the directory. On an error the temporary file is unlinked and
 * path is as it was. data is only read: wiping it stays the caller's job.
 * Returns 0, -EEXIST (NOREPLACE and path exists), -EINVAL (path not
 * absolute), -ENAMETOOLONG or another -errno.
 */
int sspr_write_file_atomic(const char *path, const void *data, size_t len,
			   mode_t mode, unsigned flags);

/* fsync a directory, so that a rename or unlink in it lasts; 0 or -errno. */
int sspr_fsync_dir(const char *dir);

/*
 * Open path for writing, creating it 0600, the way every root-only file
 * of ours is opened: no symbolic link, close-on-exec, never a
 * controlling terminal, then refused unless sspr_check_fd() finds it
 * SSPR_FILE_SECRET. flags adds O_APPEND, O_TRUNC or O_RDWR. Returns the
 * descriptor, or -ELOOP, -EPERM (owner or mode too loose), -errno.
 */
int sspr_open_secret(const char *path, int flags);

/* Every byte of buf to fd, again after EINTR; 0 or -errno. */
int sspr_write_all(int fd, const void *buf, size_t len);

/*
 * Remove path, which lives in dir, so that the removal lasts (an fsync of
 * dir). A path that is not there is no error: 0 or -errno.
 */
int sspr_remove_durably(const char *dir, const char *path);

/*
 * A short English explanation of an error from sspr_read_file
 * (common/errors.c: sspr_strerror(SSPR_ABOUT_FILE, err)).
 */
const char *sspr_file_strerror(int err);

#endif
