/*
 * Per-user files under state_dir: paths, the per-user lock, reads,
 * atomic saves and listing, for the records (what they hold is
 * record.c) and for the journal (journal.c). Part of the lean module
 * (libc only): the session stage reads records to decide whether to
 * offer enrollment.
 *
 * A record is "u-<user>" in state_dir, a lock is "u-<user>.lock" beside
 * it, temporary files start with '.' so they never look like records.
 * Names ending in ".lock" are refused so a record can never be a lock.
 */
#include "sspr/common/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sspr/common/record.h"
#include "sspr/common/safefile.h"
#include "sspr/common/util.h"

#define RECORD_PREFIX "u-"
#define LOCK_SUFFIX ".lock"
#define LOCK_WAIT_MS 5000
#define LOCK_POLL_MS 10

bool
sspr_store_name_ok(const char *user)
{
	size_t len;
	size_t i;

	if (user == NULL)
		return false;
	len = strlen(user);
	if (len == 0 || len > SSPR_USER_MAX)
		return false;
	if (user[0] == '.' || user[0] == '-')
		return false;
	for (i = 0; i < len; i++) {
		char c = user[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-' || c == '@'))
			return false;
	}
	/* "u-x.lock" is the lock of user x. */
	if (len >= SSPR_LITERAL_LEN(LOCK_SUFFIX) &&
	    strcmp(user + len - SSPR_LITERAL_LEN(LOCK_SUFFIX), LOCK_SUFFIX) ==
		0)
		return false;
	return true;
}

int
sspr_store_check_dir(const char *state_dir)
{
	struct stat st;

	if (state_dir == NULL || state_dir[0] != '/')
		return -EINVAL;
	if (lstat(state_dir, &st) != 0)
		return -errno;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (st.st_uid != sspr_trusted_uid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return -EPERM;
	return 0;
}

int
sspr_store_user_path(char *buf, size_t size, const char *state_dir,
		     const char *prefix, const char *user, const char *suffix,
		     bool check_dir)
{
	const char *part[] = { state_dir, "/", prefix, user, suffix };
	size_t used = 0;
	size_t i;

	if (state_dir == NULL || !sspr_store_name_ok(user))
		return -EINVAL;
	/*
	 * Joined by hand: every login's session stage builds two of these
	 * paths, and snprintf() costs more than the rest of the lookup.
	 */
	for (i = 0; i < SSPR_ARRAY_SIZE(part); i++) {
		size_t n = strlen(part[i]);

		if (n >= size - used)
			return -ENAMETOOLONG;
		memcpy(buf + used, part[i], n);
		used += n;
	}
	buf[used] = '\0';
	return check_dir ? sspr_store_check_dir(state_dir) : 0;
}

/* A record's path, after the checks every entry point makes. */
static int
prepare(char *buf, size_t size, const char *state_dir, const char *user,
	const char *suffix)
{
	return sspr_store_user_path(buf, size, state_dir, RECORD_PREFIX, user,
				    suffix, true);
}

int
sspr_store_user_read(const char *path, size_t max, char **ret_buf,
		     size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	r = sspr_read_file(path, SSPR_FILE_SECRET, max, &buf, &len);
	if (r == -EFBIG || r == -EINVAL)
		return -EBADMSG;
	if (r < 0)
		return r;
	/* Everything we write ends in a newline: less was cut short. */
	if (len == 0 || buf[len - 1] != '\n') {
		sspr_freezero(buf, len + 1);
		return -EBADMSG;
	}
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

int
sspr_store_load(const char *state_dir, const char *user,
		struct sspr_record *rec)
{
	char path[PATH_MAX];
	char *buf = NULL;
	size_t len = 0;
	int r;

	memset(rec, 0, sizeof(*rec));
	r = prepare(path, sizeof(path), state_dir, user, "");
	if (r < 0)
		return r;
	r = sspr_store_user_read(path, SSPR_STORE_MAX_SIZE, &buf, &len);
	if (r < 0)
		return r;
	r = sspr_record_parse(buf, len, rec);
	sspr_freezero(buf, len + 1);
	return r;
}

int
sspr_store_save(const char *state_dir, const char *user,
		const struct sspr_record *rec)
{
	char path[PATH_MAX];
	char *buf;
	size_t len = 0;
	int r;

	r = prepare(path, sizeof(path), state_dir, user, "");
	if (r < 0)
		return r;
	buf = malloc(SSPR_STORE_MAX_SIZE);
	if (buf == NULL)
		return -ENOMEM;
	r = sspr_record_format(rec, buf, SSPR_STORE_MAX_SIZE, &len);
	if (r == 0)
		r = sspr_write_file_atomic(path, buf, len, 0600, 0);
	sspr_freezero(buf, SSPR_STORE_MAX_SIZE);
	return r;
}

int
sspr_store_remove(const char *state_dir, const char *user)
{
	char path[PATH_MAX];
	int r;

	r = prepare(path, sizeof(path), state_dir, user, "");
	if (r < 0)
		return r;
	/*
	 * The lock file stays: removing it would let two processes hold
	 * "the" lock on two different inodes.
	 */
	return sspr_remove_durably(state_dir, path);
}

int
sspr_store_lock_path(const char *path, unsigned wait_ms)
{
	struct timespec pause = { 0, LOCK_POLL_MS * 1000000L };
	unsigned waited = 0;
	int fd;
	int r;

	fd = sspr_open_secret(path, O_RDWR);
	if (fd < 0)
		return fd;
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			r = -errno;
			goto fail;
		}
		if (waited >= wait_ms) {
			r = -ETIMEDOUT;
			goto fail;
		}
		nanosleep(&pause, NULL);
		waited += LOCK_POLL_MS;
	}
fail:
	close(fd);
	return r;
}

int
sspr_store_user_lock(const char *state_dir, const char *prefix,
		     const char *user, unsigned wait_ms)
{
	char path[PATH_MAX];
	int r;

	r = sspr_store_user_path(path, sizeof(path), state_dir, prefix, user,
				 LOCK_SUFFIX, true);
	if (r < 0)
		return r;
	return sspr_store_lock_path(path, wait_ms);
}

int
sspr_store_lock(const char *state_dir, const char *user)
{
	return sspr_store_user_lock(state_dir, RECORD_PREFIX, user,
				    LOCK_WAIT_MS);
}

/* ".<name>.XXXXXX": a temporary file of sspr_write_file_atomic(). */
static bool
is_temp_of(const char *entry, const char *name)
{
	size_t n = strlen(name);
	size_t i;

	if (entry[0] != '.' || strncmp(entry + 1, name, n) != 0 ||
	    entry[n + 1] != '.' || strlen(entry + n + 2) != 6)
		return false;
	for (i = n + 2; entry[i] != '\0'; i++)
		if (!((entry[i] >= 'a' && entry[i] <= 'z') ||
		      (entry[i] >= 'A' && entry[i] <= 'Z') ||
		      (entry[i] >= '0' && entry[i] <= '9')))
			return false;
	return true;
}

int
sspr_store_remove_temps(const char *state_dir, const char *name)
{
	struct dirent *de;
	DIR *dir;
	int fd;
	int removed = 0;

	fd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (dir == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while ((de = readdir(dir)) != NULL)
		if (is_temp_of(de->d_name, name) &&
		    unlinkat(dirfd(dir), de->d_name, 0) == 0)
			removed++;
	closedir(dir);
	if (removed > 0)
		(void)sspr_fsync_dir(state_dir);
	return removed;
}

void
sspr_store_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

int
sspr_store_open_locked(const char *state_dir, const char *user,
		       struct sspr_record *rec, int *ret_lock)
{
	char name[SSPR_USER_MAX + sizeof(RECORD_PREFIX)];
	int lock;
	int r;

	memset(rec, 0, sizeof(*rec));
	lock = sspr_store_lock(state_dir, user);
	if (lock < 0)
		return lock;
	/*
	 * A process killed while it saved this record left its temporary
	 * copy (the TOTP key in it): nobody else writes it while we hold the
	 * lock, so it goes now.
	 */
	snprintf(name, sizeof(name), RECORD_PREFIX "%s", user);
	(void)sspr_store_remove_temps(state_dir, name);
	/* On an error the load leaves *rec empty. */
	r = sspr_store_load(state_dir, user, rec);
	if (r == -ENOENT)
		r = 0;
	if (r < 0) {
		sspr_store_unlock(lock);
		return r;
	}
	*ret_lock = lock;
	return 0;
}

int
sspr_store_close_locked(const char *state_dir, const char *user,
			const struct sspr_record *rec, int lock, bool save)
{
	int r = 0;

	if (save)
		r = sspr_store_save(state_dir, user, rec);
	sspr_store_unlock(lock);
	return r;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
sspr_store_names_free(char **names, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

/* Add a copy of name to names (count of them, room for *cap). */
static int
add_name(char ***names, size_t *count, size_t *cap, const char *name)
{
	char *copy;

	if (*count == *cap) {
		size_t ncap = *cap == 0 ? 16 : *cap * 2;
		char **n = reallocarray(*names, ncap, sizeof(*n));

		if (n == NULL)
			return -ENOMEM;
		*names = n;
		*cap = ncap;
	}
	copy = sspr_strdup(name);
	if (copy == NULL)
		return -ENOMEM;
	(*names)[(*count)++] = copy;
	return 0;
}

/* Sort names and drop repeats; the new count. */
static size_t
sort_unique(char **names, size_t count)
{
	size_t i;
	size_t j;

	if (count == 0)
		return 0;
	qsort(names, count, sizeof(*names), name_cmp);
	for (i = 1, j = 1; i < count; i++) {
		if (strcmp(names[i], names[j - 1]) == 0)
			free(names[i]);
		else
			names[j++] = names[i];
	}
	return j;
}

int
sspr_store_user_scan(const char *state_dir, sspr_store_name_fn name_of,
		     char ***ret_names, size_t *ret_count)
{
	char name[SSPR_USER_MAX + 1];
	char **names = NULL;
	size_t count = 0;
	size_t cap = 0;
	struct dirent *de;
	DIR *dir;
	int fd;
	int r;

	r = sspr_store_check_dir(state_dir);
	if (r < 0)
		return r;
	fd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (dir == NULL) {
		r = -errno;
		close(fd);
		return r;
	}
	for (;;) {
		errno = 0;
		de = readdir(dir);
		if (de == NULL) {
			r = -errno;
			break;
		}
		/* name_ok also drops the ".lock" files */
		if (!name_of(de->d_name, name, sizeof(name)) ||
		    !sspr_store_name_ok(name))
			continue;
		r = add_name(&names, &count, &cap, name);
		if (r < 0)
			break;
	}
	closedir(dir);
	if (r < 0) {
		sspr_store_names_free(names, count);
		return r;
	}
	*ret_names = names;
	*ret_count = sort_unique(names, count);
	return 0;
}

/* Copy the n bytes at s into name (size bytes) if they fit. */
static bool
take_name(const char *s, size_t n, char *name, size_t size)
{
	if (s == NULL || n >= size)
		return false;
	memcpy(name, s, n);
	name[n] = '\0';
	return true;
}

/* "u-<user>": a record. */
static bool
record_name(const char *entry, char *name, size_t size)
{
	const char *user = sspr_skip_prefix(entry, RECORD_PREFIX);

	return user != NULL && take_name(user, strlen(user), name, size);
}

/* ".u-<user>.XXXXXX": the user is what lies between. */
static bool
record_temp_name(const char *entry, char *name, size_t size)
{
	const char *user = sspr_skip_prefix(entry, "." RECORD_PREFIX);
	size_t len = user != NULL ? strlen(user) : 0;

	return len > 7 && user[len - 7] == '.' &&
	       take_name(user, len - 7, name, size);
}

int
sspr_store_sweep_all(const char *state_dir)
{
	char name[SSPR_USER_MAX + sizeof(RECORD_PREFIX)];
	char **users = NULL;
	size_t count = 0;
	size_t i;
	int lock;
	int r;

	r = sspr_store_user_scan(state_dir, record_temp_name, &users, &count);
	if (r < 0)
		return r;
	for (i = 0; i < count; i++) {
		lock = sspr_store_lock(state_dir, users[i]);
		if (lock >= 0) {
			snprintf(name, sizeof(name), RECORD_PREFIX "%s",
				 users[i]);
			(void)sspr_store_remove_temps(state_dir, name);
			sspr_store_unlock(lock);
		}
	}
	sspr_store_names_free(users, count);
	return 0;
}

int
sspr_store_list(const char *state_dir, char ***ret_names, size_t *ret_count)
{
	return sspr_store_user_scan(state_dir, record_name, ret_names,
				    ret_count);
}
