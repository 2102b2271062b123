/* safefile: reading a file whole, and atomic replacement of a file. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "owner.h"
#include "sspr/common/safefile.h"

static char dir[] = "/tmp/sspr-safefile-test.XXXXXX";

/* The whole content of path, or "" when it cannot be read. */
static const char *
content(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "re");
	size_t n;

	buf[0] = '\0';
	if (f == NULL)
		return buf;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Names in dir that are not "." or ".."; the temporary files included. */
static int
entries(void)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
test_replace(void)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/file", dir);
	CHECK(sspr_write_file_atomic(path, "one\n", 4, 0600, 0) == 0);
	CHECK_STR(content(path), "one\n");
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600);
	CHECK(sspr_write_file_atomic(path, "two, longer\n", 12, 0640, 0) == 0);
	CHECK_STR(content(path), "two, longer\n");
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640);
	/* no temporary file is left beside it */
	CHECK(entries() == 1);
	CHECK(sspr_write_file_atomic(path, NULL, 0, 0600, 0) == 0);
	CHECK(stat(path, &st) == 0 && st.st_size == 0);
	CHECK(unlink(path) == 0);
}

static void
test_noreplace(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/key", dir);
	CHECK(sspr_write_file_atomic(path, "first", 5, 0600,
				     SSPR_WRITE_NOREPLACE) == 0);
	CHECK(sspr_write_file_atomic(path, "second", 6, 0600,
				     SSPR_WRITE_NOREPLACE) == -EEXIST);
	CHECK_STR(content(path), "first");
	CHECK(entries() == 1);
	CHECK(unlink(path) == 0);
}

/*
 * Read back whole; -EFBIG past max_size. What was read must begin with
 * want (when it is given), and be NUL-terminated.
 */
static int
read_back(const char *path, size_t max_size, const char *want, size_t *ret_len)
{
	char *buf = NULL;
	int r;

	*ret_len = 0;
	r = sspr_read_file(path, SSPR_FILE_TRUSTED, max_size, &buf, ret_len);
	if (r == 0) {
		CHECK(buf[*ret_len] == '\0');
		CHECK(strlen(buf) == *ret_len);
		if (want != NULL)
			CHECK(strncmp(buf, want, strlen(want)) == 0);
		free(buf);
	}
	return r;
}

/* The first line of path as stdio reads it, or "". */
static void
first_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (f != NULL) {
		if (fgets(buf, (int)size, f) == NULL)
			buf[0] = '\0';
		fclose(f);
	}
}

static void
test_read_whole(void)
{
	char path[PATH_MAX];
	char name[256];
	size_t len;

	snprintf(path, sizeof(path), "%s/conf", dir);
	CHECK(sspr_write_file_atomic(path, "0123456789\n", 11, 0644, 0) == 0);
	CHECK(read_back(path, 11, "0123456789\n", &len) == 0 && len == 11);
	CHECK(read_back(path, 64 * 1024, "0123456789\n", &len) == 0 &&
	      len == 11);
	CHECK(read_back(path, 10, NULL, &len) == -EFBIG);
	CHECK(sspr_write_file_atomic(path, NULL, 0, 0644, 0) == 0);
	CHECK(read_back(path, 10, "", &len) == 0 && len == 0);
	CHECK(unlink(path) == 0);
	/*
	 * A file that is longer than fstat() says, as one that grows while
	 * it is read: /proc reports size 0. Read whole, up to max_size, and
	 * what came before the buffer grew kept: the first line ("Name:")
	 * is what stdio reads too.
	 */
	first_line("/proc/self/status", name, sizeof(name));
	CHECK(strncmp(name, "Name:", 5) == 0);
	CHECK(read_back("/proc/self/status", 64 * 1024, name, &len) == 0 &&
	      len > 100);
	CHECK(read_back("/proc/self/status", 16, NULL, &len) == -EFBIG);
}

static void
test_refuses(void)
{
	char path[PATH_MAX];

	CHECK(sspr_write_file_atomic("relative", "x", 1, 0600, 0) == -EINVAL);
	CHECK(sspr_write_file_atomic(NULL, "x", 1, 0600, 0) == -EINVAL);
	snprintf(path, sizeof(path), "%s/", dir);
	CHECK(sspr_write_file_atomic(path, "x", 1, 0600, 0) == -EINVAL);
	snprintf(path, sizeof(path), "%s/no-such-dir/file", dir);
	CHECK(sspr_write_file_atomic(path, "x", 1, 0600, 0) == -ENOENT);
	/* a directory in the way: rename fails, nothing is left behind */
	snprintf(path, sizeof(path), "%s/sub", dir);
	CHECK(mkdir(path, 0700) == 0);
	CHECK(sspr_write_file_atomic(path, "x", 1, 0600, 0) == -EISDIR);
	CHECK(entries() == 1);
	CHECK(rmdir(path) == 0);
	CHECK(entries() == 0);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_replace);
	RUN(test_noreplace);
	RUN(test_refuses);
	RUN(test_read_whole);
	rmdir(dir);
	CHECK_EXIT();
}
