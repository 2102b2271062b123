/*
 * The audit log as "sspr admin report" reads it: one JSON object a line
 * (include/sspr/common/audit.h). Anyone who can make pam_sspr write a
 * line chooses some of its bytes (a user name, a tty), and the file may
 * have been damaged or cut short, so nothing of a line is ever printed:
 * lines are counted, and what is not an audit line is counted as such.
 *
 * The files logrotate moved away (path.1, path.2, ... as
 * conf/logrotate.d/sspr keeps them, uncompressed) are read too, so that
 * --since reaches back as far as the log does.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "sspr/cmd/admin_report.h"
#include "sspr/cmd/priv.h"
#include "sspr/common/safefile.h"
#include "sspr/common/util.h"

/* Longer than any line sspr_audit_write() writes (4096 bytes). */
#define LINE_BYTES 8192
/* More than the 52 weeks conf/logrotate.d/sspr keeps. */
#define ROTATED_MAX 100

static const char *
member(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static bool
is(const char *s, const char *want)
{
	return s != NULL && strcmp(s, want) == 0;
}

/* "2026-12-01T00:00:00Z" as Unix seconds; -1 for anything else. */
static time_t
line_time(const char *s)
{
	struct tm tm = { 0 };
	const char *end;

	if (s == NULL || strlen(s) != sizeof("2026-12-01T00:00:00Z") - 1)
		return -1;
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	return timegm(&tm);
}

/* Count one line (len bytes, no newline). */
static void
count_line(const char *line, size_t len, time_t since, struct report_audit *a)
{
	cJSON *o = cJSON_ParseWithLength(line, len);
	const char *event = member(o, "event");
	time_t t = line_time(member(o, "time"));

	if (!cJSON_IsObject(o) || event == NULL || t < 0) {
		a->unreadable++;
		goto out;
	}
	if (a->first == 0 || t < a->first)
		a->first = t;
	if (t < since)
		goto out;
	if (is(event, "reset") && is(member(o, "result"), "ok"))
		a->resets++;
	else if (is(event, "reset"))
		a->failed++;
	else if (is(event, "lockout"))
		a->lockouts++;
out:
	cJSON_Delete(o);
}

/* Every line of f; one too long is skipped to its end and counted. */
static void
count_lines(FILE *f, time_t since, struct report_audit *a)
{
	char line[LINE_BYTES];
	bool skipping = false;
	size_t len;

	while (fgets(line, sizeof(line), f) != NULL) {
		len = strlen(line);
		if (len == 0 || line[len - 1] != '\n') {
			/*
			 * Too long, a NUL inside, or cut short at the end:
			 * the whole line up to its newline is one bad line.
			 */
			if (!skipping)
				a->unreadable++;
			skipping = true;
			continue;
		}
		if (skipping) {
			skipping = false;
			continue;
		}
		count_line(line, len - 1, since, a);
	}
}

/*
 * The files read so far: logrotate may rename them while the report
 * runs, and the file read as the log may then come round again as .1.
 */
struct seen {
	struct {
		dev_t dev;
		ino_t ino;
	} file[ROTATED_MAX + 1];
	size_t n;
};

/* True when fd is a file already counted; else it is noted as read. */
static bool
seen_before(struct seen *seen, int fd)
{
	struct stat st;
	size_t i;

	if (fstat(fd, &st) != 0)
		return false;
	for (i = 0; i < seen->n; i++)
		if (seen->file[i].dev == st.st_dev &&
		    seen->file[i].ino == st.st_ino)
			return true;
	if (seen->n < SSPR_ARRAY_SIZE(seen->file)) {
		seen->file[seen->n].dev = st.st_dev;
		seen->file[seen->n].ino = st.st_ino;
		seen->n++;
	}
	return false;
}

/* One file of the log; -ENOENT when it does not exist. */
static int
read_file(const char *path, time_t since, struct report_audit *a,
	  struct seen *seen)
{
	FILE *f = NULL;
	int fd;
	int r;

	r = priv_raise();
	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	priv_lower();
	if (fd < 0)
		return -errno;
	/* Lines others could have written would be evidence of nothing. */
	r = sspr_check_fd(fd, SSPR_FILE_TRUSTED);
	if (r == 0 && seen_before(seen, fd)) {
		close(fd);
		return 0;
	}
	if (r == 0) {
		f = fdopen(fd, "r");
		r = f == NULL ? -errno : 0;
	}
	if (f == NULL) {
		close(fd);
		return r;
	}
	count_lines(f, since, a);
	if (ferror(f))
		r = -EIO;
	fclose(f);
	return r;
}

int
report_audit(const char *path, time_t since, struct report_audit *a)
{
	struct seen seen = { .n = 0 };
	char rotated[PATH_MAX];
	const char *at = path; /* the file being read */
	unsigned i;
	int r;

	memset(a, 0, sizeof(*a));
	/* A log that does not exist yet is empty. */
	r = read_file(path, since, a, &seen);
	if (r == -ENOENT)
		r = 0;
	/* Then the rotated files, up to the first that is missing. */
	for (i = 1; r == 0 && i <= ROTATED_MAX; i++) {
		if ((size_t)snprintf(rotated, sizeof(rotated), "%s.%u", path,
				     i) >= sizeof(rotated))
			break;
		at = rotated;
		r = read_file(rotated, since, a, &seen);
		if (r == -ENOENT) {
			r = 0;
			break;
		}
	}
	a->error = r;
	if (r < 0)
		(void)sspr_strlcpy(a->error_path, at, sizeof(a->error_path));
	return r;
}
