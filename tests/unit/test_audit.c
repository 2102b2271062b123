/*
 * The audit log: lines are JSON that cJSON (an independent parser) reads
 * back to what went in, hostile input comes out escaped, and the file is
 * appended to with the owner and mode checks.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "owner.h"
#include "sspr/common/audit.h"

#define WHEN 1796169581 /* 2026-12-01T23:59:41Z */

static const char *
field(cJSON *root, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItem(root, name));
}

static void
test_format(void)
{
	struct sspr_audit_event ev = {
		.service = "login",
		.tty = "tty1",
		.user = "alice",
		.event = "reset",
		.method = "email",
		.result = "ok",
		.request_ids = { "a0c2", "b7e1", NULL },
	};
	char line[1024];
	cJSON *root;
	int n;

	n = sspr_audit_format(&ev, "host1", WHEN, line, sizeof(line));
	CHECK(n > 0 && (size_t)n == strlen(line));
	root = cJSON_Parse(line);
	CHECK(root != NULL);
	CHECK_STR(field(root, "time"), "2026-12-01T23:59:41Z");
	CHECK_STR(field(root, "host"), "host1");
	CHECK_STR(field(root, "user"), "alice");
	CHECK_STR(field(root, "event"), "reset");
	CHECK(cJSON_IsNull(cJSON_GetObjectItem(root, "reason")));
	CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(root, "request_ids")) ==
	      2);
	cJSON_Delete(root);
	CHECK(sspr_audit_format(&ev, "host1", WHEN, line, 40) == -ENOSPC);
}

static void
test_hostile(void)
{
	/* ESC, CR, a quote, DEL, a C1 CSI, bytes that are no UTF-8, kanji */
	struct sspr_audit_event ev = {
		.service = "login",
		.event = "refused",
		.result = "failed",
		.user = "a\x1b[2J\r\n\"b\x7f\xc2\x9b"
			"c\xff\xc0\xaf"
			"\xe5\xa4\xaa\xe9\x83\x8e",
	};
	char line[1024];
	cJSON *root;
	size_t i;

	CHECK(sspr_audit_format(&ev, "h", WHEN, line, sizeof(line)) > 0);
	for (i = 0; line[i] != '\0'; i++)
		CHECK((unsigned char)line[i] >= 0x20 && line[i] != 0x7f);
	CHECK(strstr(line, "\xc2\x9b") == NULL);
	root = cJSON_Parse(line);
	CHECK(root != NULL);
	CHECK_STR(field(root, "user"), "a\x1b[2J\r\n\"b\x7f\xc2\x9b"
				       "c\xef\xbf\xbd\xef\xbf\xbd"
				       "\xef\xbf\xbd\xe5\xa4\xaa\xe9\x83\x8e");
	cJSON_Delete(root);
}

static void
test_long_field(void)
{
	struct sspr_audit_event ev = { .event = "refused" };
	char user[2000];
	char line[4096];
	cJSON *root;

	memset(user, 'x', sizeof(user) - 1);
	user[sizeof(user) - 1] = '\0';
	ev.user = user;
	CHECK(sspr_audit_format(&ev, "h", WHEN, line, sizeof(line)) > 0);
	root = cJSON_Parse(line);
	CHECK(root != NULL && strlen(field(root, "user")) == 256);
	cJSON_Delete(root);
}

static void
test_write(void)
{
	struct sspr_audit_event ev = { .service = "login",
				       .user = "alice",
				       .event = "reset",
				       .result = "ok" };
	char dir[] = "/tmp/sspr-audit.XXXXXX";
	char path[64];
	char text[2048];
	struct stat st;
	ssize_t n;
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/audit.jsonl", dir);
	CHECK(sspr_audit_write(path, &ev, WHEN) == 0);
	CHECK(sspr_audit_write(path, &ev, WHEN + 1) == 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600);
	fd = open(path, O_RDONLY);
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	CHECK(n > 0);
	text[n > 0 ? n : 0] = '\0';
	CHECK(strstr(text, "23:59:41Z") != NULL);
	CHECK(strstr(text, "23:59:42Z") != NULL);
	CHECK(text[n - 1] == '\n' && strchr(text, '\n') != text + n - 1);
	/* A log others can read is refused, not written to. */
	CHECK(chmod(path, 0644) == 0);
	CHECK(sspr_audit_write(path, &ev, WHEN) == -EPERM);
	CHECK(chmod(path, 0600) == 0);
	/* So is one that someone else owns. */
	test_foreign_begin(path);
	CHECK(sspr_audit_write(path, &ev, WHEN) == -EPERM);
	test_foreign_end(path);
	CHECK(unlink(path) == 0);
	CHECK(symlink("/dev/null", path) == 0);
	CHECK(sspr_audit_write(path, &ev, WHEN) == -ELOOP);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	RUN(test_format);
	RUN(test_hostile);
	RUN(test_long_field);
	RUN(test_write);
	CHECK_EXIT();
}
