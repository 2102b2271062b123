/* safefile: atomic replacement of a file. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
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
	CHECK(sspr_write_file_atomic(path, "two, longer\n", 12, 0640, 0) ==
	      0);
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
	rmdir(dir);
	CHECK_EXIT();
}
