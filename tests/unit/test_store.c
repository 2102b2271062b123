/* Store: round trip, names, corruption, trust checks, locking. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../lib/record_equal.h"
#include "check.h"
#include "files.h"
#include "owner.h"
#include "sspr/common/config.h"
#include "sspr/common/store.h"
#include "sspr/common/util.h"

static char dir[] = "/tmp/sspr-store-test.XXXXXX";

static void
path_of(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

static void
write_raw(const char *name, const char *text, size_t len, mode_t mode)
{
	char p[PATH_MAX];

	path_of(p, sizeof(p), name);
	test_write_file(p, text, len, mode);
}

static char *
read_raw(const char *name, size_t *ret_len)
{
	char p[PATH_MAX];
	char *buf;
	FILE *f;
	size_t n;

	path_of(p, sizeof(p), name);
	f = fopen(p, "re");
	if (f == NULL)
		return NULL;
	buf = calloc(1, SSPR_STORE_MAX_SIZE + 1);
	n = fread(buf, 1, SSPR_STORE_MAX_SIZE, f);
	fclose(f);
	*ret_len = n;
	return buf;
}

static void
full_record(struct sspr_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->email = sspr_strdup("alice.backup+x@example.org");
	rec->phone = sspr_strdup("+819012345678");
	rec->totp_secret = sspr_strdup("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
	rec->totp_algorithm = SSPR_TOTP_SHA512;
	rec->totp_digits = 8;
	rec->totp_period = 30;
	rec->totp_last_step = 56666666;
	rec->reset_code.hash = sspr_strdup("0123456789abcdef0123456789abcdef"
					   "0123456789abcdef0123456789abcdef");
	rec->reset_code.address = sspr_strdup("a@example.org");
	rec->reset_code.expires = 1700000600;
	rec->reset_code.attempts_left = 3;
	rec->reset_code.sent = 1700000000;
	rec->reset_code.sends_window_start = 1699999000;
	rec->reset_code.sends_in_window = 2;
	rec->enroll_code.hash = sspr_strdup("fedcba9876543210fedcba9876543210"
					    "fedcba9876543210fedcba9876543210");
	/* a code sent by text message: the slot holds the number */
	rec->enroll_code.address = sspr_strdup("+447700900123");
	rec->enroll_code.expires = 1700000700;
	rec->enroll_code.attempts_left = 2;
	rec->enroll_code.sent = 1700000100;
	rec->enroll_code.sends_window_start = 1700000100;
	rec->enroll_code.sends_in_window = 1;
	rec->failures = 4;
	rec->failure_first = 1699990000;
	rec->locked_until = 1700009999;
	rec->lockouts = 3;
	rec->day_failures = 7;
	rec->day_first = 1699980000;
	rec->remind_after = 1800000000;
	rec->sync_pending = 1700000123;
	rec->admin_request_sent = 1700000456;
}

static int
count_entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	for (;;) {
		de = readdir(d);
		if (de == NULL)
			break;
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	}
	closedir(d);
	return n;
}

static void
test_round_trip(void)
{
	struct sspr_record in;
	struct sspr_record out;
	struct stat st;
	char p[PATH_MAX];
	size_t len = 0;
	char *text;

	full_record(&in);
	CHECK(sspr_store_save(dir, "alice", &in) == 0);
	CHECK(sspr_store_load(dir, "alice", &out) == 0);
	CHECK(records_equal(&in, &out));
	CHECK(sspr_record_method_count(&out, SSPR_METHOD_EMAIL |
					      SSPR_METHOD_TOTP) == 2);
	CHECK(sspr_record_method_count(&out, SSPR_METHOD_TOTP) == 1);
	CHECK(sspr_record_method_count(&out, 0) == 0);

	path_of(p, sizeof(p), "u-alice");
	CHECK(lstat(p, &st) == 0 && S_ISREG(st.st_mode) &&
	      (st.st_mode & 07777) == 0600 && st.st_uid == geteuid());
	text = read_raw("u-alice", &len);
	CHECK(text != NULL && strncmp(text, "version = 1\n", 12) == 0);
	CHECK(text != NULL && strstr(text, "totp_algorithm = sha512\n"));
	free(text);
	/* only the record: no temporary file left behind */
	CHECK(count_entries() == 1);

	/* clearing a slot drops its pending code and nothing else */
	sspr_code_slot_clear(&in.reset_code);
	CHECK(in.reset_code.hash == NULL && in.reset_code.address == NULL &&
	      in.reset_code.expires == 0 && in.reset_code.attempts_left == 0);
	CHECK(in.enroll_code.hash != NULL);
	CHECK(sspr_store_save(dir, "alice", &in) == 0);
	sspr_record_done(&out);
	CHECK(sspr_store_load(dir, "alice", &out) == 0);
	CHECK(records_equal(&in, &out));
	CHECK(out.reset_code.sends_in_window == 2 && out.email != NULL);

	/* an empty record is a valid record */
	sspr_record_done(&in);
	memset(&in, 0, sizeof(in));
	CHECK(in.email == NULL);
	CHECK(sspr_store_save(dir, "alice", &in) == 0);
	sspr_record_done(&out);
	CHECK(sspr_store_load(dir, "alice", &out) == 0);
	CHECK(records_equal(&in, &out));
	CHECK(sspr_record_method_count(&out, ~0u) == 0);
	sspr_record_done(&out);

	/* record_done wipes and empties */
	full_record(&in);
	sspr_record_done(&in);
	CHECK(in.email == NULL && in.totp_secret == NULL && in.failures == 0);
	sspr_record_done(&in);	/* twice is fine */

	CHECK(sspr_store_remove(dir, "alice") == 0);
	CHECK(sspr_store_remove(dir, "alice") == 0);
	CHECK(sspr_store_load(dir, "alice", &out) == -ENOENT);
	CHECK(out.email == NULL && out.failures == 0);
}

/* sspr_store_open_locked / close_locked: one locked load-modify-save. */
static void
test_locked_step(void)
{
	struct sspr_record rec;
	struct sspr_record out;
	char p[PATH_MAX];
	int lock = -1;
	int fd;

	/* a missing record is an empty one */
	CHECK(sspr_store_open_locked(dir, "carol", &rec, &lock) == 0);
	CHECK(lock >= 0 && rec.email == NULL && rec.failures == 0);
	rec.failures = 3;
	rec.failure_first = 1700000000;
	CHECK(sspr_store_close_locked(dir, "carol", &rec, lock, true) == 0);
	sspr_record_done(&rec);
	CHECK(sspr_store_load(dir, "carol", &out) == 0);
	CHECK(out.failures == 3 && out.failure_first == 1700000000);
	sspr_record_done(&out);

	/* save = false changes nothing; the lock is free again either way */
	CHECK(sspr_store_open_locked(dir, "carol", &rec, &lock) == 0);
	CHECK(rec.failures == 3);
	rec.failures = 9;
	CHECK(sspr_store_close_locked(dir, "carol", &rec, lock, false) == 0);
	sspr_record_done(&rec);
	CHECK(sspr_store_load(dir, "carol", &out) == 0);
	CHECK(out.failures == 3);
	sspr_record_done(&out);
	fd = sspr_store_lock(dir, "carol");
	CHECK(fd >= 0);
	sspr_store_unlock(fd);

	/* a damaged record: the error, an empty record, the lock released */
	write_raw("u-carol", "version = 1\nfailures = x\n", 25, 0600);
	lock = -1;
	CHECK(sspr_store_open_locked(dir, "carol", &rec, &lock) == -EBADMSG);
	CHECK(lock == -1 && rec.email == NULL && rec.failures == 0);
	fd = sspr_store_lock(dir, "carol");
	CHECK(fd >= 0);
	sspr_store_unlock(fd);
	CHECK(sspr_store_open_locked(dir, "../x", &rec, &lock) == -EINVAL);
	CHECK(sspr_store_remove(dir, "carol") == 0);
	/* the lock file stays by design; the later tests count entries */
	path_of(p, sizeof(p), "u-carol.lock");
	CHECK(unlink(p) == 0);
	CHECK(count_entries() == 0);
}

static void
test_names(void)
{
	static const char *const good[] = {
		"alice", "a", "Bob.Smith", "svc_backup", "x-y", "user@dom.example",
		"0123456789012345678901234567890123456789012345678901234567890123",
	};
	static const char *const bad[] = {
		"", "../../etc/shadow", "/", "a/b", ".", "..", ".hidden", "-rf",
		"a b", "a\nb", "tab\t", "émile", "a:b", "a*", "alice.lock",
		"01234567890123456789012345678901234567890123456789012345678901234",
	};
	struct sspr_record rec;
	size_t i;

	for (i = 0; i < SSPR_ARRAY_SIZE(good); i++)
		CHECK(sspr_store_name_ok(good[i]));
	for (i = 0; i < SSPR_ARRAY_SIZE(bad); i++) {
		CHECK(!sspr_store_name_ok(bad[i]));
		CHECK(sspr_store_load(dir, bad[i], &rec) == -EINVAL);
		memset(&rec, 0, sizeof(rec));
		CHECK(sspr_store_save(dir, bad[i], &rec) == -EINVAL);
		CHECK(sspr_store_lock(dir, bad[i]) == -EINVAL);
		CHECK(sspr_store_remove(dir, bad[i]) == -EINVAL);
	}
	CHECK(!sspr_store_name_ok(NULL));
	/* an embedded NUL just ends the name: "a" */
	CHECK(sspr_store_name_ok("a\0/../x"));
	/* nothing escaped the directory */
	CHECK(count_entries() == 0);
}

/* Each of these must be refused as corrupted, never read as empty. */
static void
test_corrupted(void)
{
	static const char *const bad[] = {
		"",
		"\n",
		"email = a@example.org\n",			/* no version */
		"email = a@example.org\nversion = 1\n",	/* not first */
		"version = 2\n",
		"version = 01x\n",
		"version = 1\nversion = 1\n",
		"version = 1\nfoo = bar\n",
		"version = 1\nEmail = a@example.org\n",
		"version = 1\nemail = a@example.org\nemail = b@example.org\n",
		"version = 1\nemail = a b@example.org\n",
		"version = 1\nemail = a\rb@example.org\n",
		"version = 1\nemail = nobody\n",
		"version = 1\nphone = 09012345678\n",
		"version = 1\nphone = +81 9012345678\n",
		"version = 1\nphone = a@example.org\n",
		"version = 1\nemail =\n",
		"version = 1\nfailures = -1\n",
		"version = 1\nfailures = 1x\n",
		"version = 1\nfailures = 0x10\n",
		"version = 1\nfailures = \n",
		"version = 1\nfailures = 99999999999999999999999\n",
		"version = 1\nlocked_until = 1.5\n",
		"version = 1\ntotp_secret = GEZDGNBVGY3TQOJQ1EZDGNBV\n"
		"totp_digits = 6\ntotp_period = 30\n",
		"version = 1\ntotp_secret = gezdgnbvgy3tqojqgezdgnbv\n"
		"totp_digits = 6\ntotp_period = 30\n",
		"version = 1\ntotp_secret = GEZ\n"
		"totp_digits = 6\ntotp_period = 30\n",
		"version = 1\ntotp_secret = GEZDGNBVGY3TQOJQG\n"	/* 17 */
		"totp_digits = 6\ntotp_period = 30\n",
		"version = 1\ntotp_secret = GEZDGNBVGY3TQOJQ\n",	/* no digits */
		"version = 1\ntotp_secret = GEZDGNBVGY3TQOJQ\n"
		"totp_digits = 9\ntotp_period = 30\n",
		"version = 1\ntotp_algorithm = md5\n",
		"version = 1\ncode_hash = 0123\n",
		"version = 1\ncode_hash = 0123456789ABCDEF0123456789abcdef"
		"0123456789abcdef0123456789abcdef\n"
		"code_purpose = reset\ncode_expires = 5\n",
		"version = 1\ncode_hash = 0123456789abcdef0123456789abcdef"
		"0123456789abcdef0123456789abcdef\n",	/* no expiry */
		"version = 1\ncode_purpose = Reset!\n",
		"version = 1\ncode_purpose = reset\ncode_purpose = reset\n",
		"version = 1\nenroll_code_hash = 0123456789abcdef0123456789abcdef"
		"0123456789abcdef0123456789abcdef\n",	/* no expiry */
		/* an old enrollment code and one in the new slot */
		"version = 1\ncode_hash = 0123456789abcdef0123456789abcdef"
		"0123456789abcdef0123456789abcdef\ncode_purpose = enroll\n"
		"code_expires = 5\nenroll_code_hash = 0123456789abcdef01234567"
		"89abcdef0123456789abcdef0123456789abcdef\n"
		"enroll_code_expires = 5\n",
		"version = 1\nfailures = 3",			/* cut short */
		"version = 1\nno equals sign\n",
	};
	static const char with_nul[] = "version = 1\nemail = a@example.org\0\n";
	struct sspr_record rec;
	size_t i;

	for (i = 0; i <= SSPR_ARRAY_SIZE(bad); i++) {
		bool last = i == SSPR_ARRAY_SIZE(bad);
		const char *text = last ? with_nul : bad[i];
		size_t len = last ? sizeof(with_nul) - 1 : strlen(bad[i]);
		int r;

		write_raw("u-bob", text, len, 0600);
		r = sspr_store_load(dir, "bob", &rec);
		CHECK(r == -EBADMSG);
		if (r != -EBADMSG)
			fprintf(stderr, "  case %zu: %d\n", i, r);
		CHECK(rec.email == NULL && rec.totp_secret == NULL);
	}

	/* a comment and blank lines are tolerated, like sspr.conf */
	write_raw("u-bob",
		  "version = 1\n# note\n\nemail = b@example.org\n",
		  strlen("version = 1\n# note\n\nemail = b@example.org\n"),
		  0600);
	CHECK(sspr_store_load(dir, "bob", &rec) == 0);
	CHECK_STR(rec.email, "b@example.org");
	sspr_record_done(&rec);

	/* too big */
	{
		char *big = malloc(SSPR_STORE_MAX_SIZE + 100);

		memset(big, '#', SSPR_STORE_MAX_SIZE + 100);
		memcpy(big, "version = 1\n", 12);
		big[SSPR_STORE_MAX_SIZE + 99] = '\n';
		write_raw("u-bob", big, SSPR_STORE_MAX_SIZE + 100, 0600);
		CHECK(sspr_store_load(dir, "bob", &rec) == -EBADMSG);
		free(big);
	}
	{
		char p[PATH_MAX];

		path_of(p, sizeof(p), "u-bob");
		unlink(p);
	}
}

/* What a save refuses to write, leaving the old record alone. */
/* Records written before the slots split still load, codes and all. */
static void
test_old_records(void)
{
	static const char hash[] = "0123456789abcdef0123456789abcdef"
				   "0123456789abcdef0123456789abcdef";
	static const char old_enroll[] =
	    "version = 1\nemail = a@example.org\n"
	    "code_hash = 0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef\n"
	    "code_purpose = enroll\ncode_address = new@example.org\n"
	    "code_expires = 1700000600\ncode_attempts_left = 2\n"
	    "code_sent = 1700000000\nsends_window_start = 1700000000\n"
	    "sends_in_window = 1\nfailures = 2\n";
	static const char old_reset[] =
	    "version = 1\ncode_hash = 0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef\n"
	    "code_purpose = reset\ncode_address = a@example.org\n"
	    "code_expires = 1700000600\ncode_attempts_left = 3\n"
	    "code_sent = 1700000000\n";
	struct sspr_record rec;
	char *text;
	size_t len = 0;

	write_raw("u-olga", old_enroll, sizeof(old_enroll) - 1, 0600);
	CHECK(sspr_store_load(dir, "olga", &rec) == 0);
	CHECK(rec.reset_code.hash == NULL && rec.reset_code.sent == 0);
	CHECK_STR(rec.enroll_code.hash, hash);
	CHECK_STR(rec.enroll_code.address, "new@example.org");
	CHECK(rec.enroll_code.expires == 1700000600 &&
	      rec.enroll_code.attempts_left == 2 &&
	      rec.enroll_code.sent == 1700000000);
	CHECK(rec.failures == 2);
	/* saved again in today's keys, without code_purpose */
	CHECK(sspr_store_save(dir, "olga", &rec) == 0);
	sspr_record_done(&rec);
	text = read_raw("u-olga", &len);
	CHECK(text != NULL && strstr(text, "enroll_code_hash = ") != NULL &&
	      strstr(text, "code_purpose") == NULL &&
	      strstr(text, "\ncode_hash") == NULL);
	free(text);
	CHECK(sspr_store_load(dir, "olga", &rec) == 0);
	CHECK_STR(rec.enroll_code.hash, hash);
	sspr_record_done(&rec);

	write_raw("u-olga", old_reset, sizeof(old_reset) - 1, 0600);
	CHECK(sspr_store_load(dir, "olga", &rec) == 0);
	CHECK_STR(rec.reset_code.hash, hash);
	CHECK(rec.reset_code.attempts_left == 3 && rec.enroll_code.hash == NULL);
	sspr_record_done(&rec);
	CHECK(sspr_store_remove(dir, "olga") == 0);
}

static void
test_save_refuses(void)
{
	struct sspr_record rec;
	struct sspr_record back;

	full_record(&rec);
	CHECK(sspr_store_save(dir, "carol", &rec) == 0);

	free(rec.email);
	rec.email = sspr_strdup("a@example.org\nfailures = 0");
	CHECK(sspr_store_save(dir, "carol", &rec) == -EINVAL);
	free(rec.email);
	rec.email = sspr_strdup("a@example.org # x");
	CHECK(sspr_store_save(dir, "carol", &rec) == -EINVAL);
	free(rec.email);
	rec.email = sspr_strdup("a@example.org");

	rec.totp_digits = 0;
	CHECK(sspr_store_save(dir, "carol", &rec) == -EINVAL);
	rec.totp_digits = 8;
	rec.totp_algorithm = 3;
	CHECK(sspr_store_save(dir, "carol", &rec) == -EINVAL);
	rec.totp_algorithm = SSPR_TOTP_SHA1;
	rec.reset_code.expires = -5;
	CHECK(sspr_store_save(dir, "carol", &rec) == -EINVAL);
	rec.reset_code.expires = 0;	/* hash without expiry */
	CHECK(sspr_store_save(dir, "carol", &rec) == -EINVAL);
	rec.reset_code.expires = 1;
	rec.enroll_code.expires = 0;
	CHECK(sspr_store_save(dir, "carol", &rec) == -EINVAL);
	rec.enroll_code.expires = 1;

	CHECK(sspr_store_load(dir, "carol", &back) == 0);
	CHECK_STR(back.email, "alice.backup+x@example.org");
	CHECK(count_entries() == 1);
	sspr_record_done(&back);
	sspr_record_done(&rec);
	CHECK(sspr_store_remove(dir, "carol") == 0);
}

static int
at_line_boundary(const char *text, size_t off)
{
	return off > 0 && text[off - 1] == '\n';
}

/*
 * Cut a valid record at every offset. A load either refuses it, or the
 * cut fell on a line boundary and the record read back is exactly the
 * kept lines: saving it again reproduces the truncated text.
 */
static void
test_truncation(void)
{
	struct sspr_record rec;
	size_t len = 0;
	size_t off;
	char *text;
	int accepted = 0;

	full_record(&rec);
	CHECK(sspr_store_save(dir, "dave", &rec) == 0);
	sspr_record_done(&rec);
	text = read_raw("u-dave", &len);
	CHECK(text != NULL && len > 100);
	if (text == NULL)
		return;
	for (off = 0; off < len; off++) {
		int r;

		write_raw("u-dave", text, off, 0600);
		r = sspr_store_load(dir, "dave", &rec);
		CHECK(r == 0 || r == -EBADMSG);
		if (r == 0) {
			size_t n = 0;
			char *again;

			accepted++;
			CHECK(at_line_boundary(text, off));
			CHECK(sspr_store_save(dir, "dave", &rec) == 0);
			again = read_raw("u-dave", &n);
			CHECK(again != NULL && n == off &&
			      memcmp(again, text, off) == 0);
			free(again);
			sspr_record_done(&rec);
		} else {
			CHECK(rec.email == NULL && rec.totp_secret == NULL);
		}
	}
	/* some prefixes are whole records ("version = 1\n" at least) */
	CHECK(accepted >= 1);
	free(text);
	CHECK(sspr_store_remove(dir, "dave") == 0);
}

static void
test_trust(void)
{
	struct sspr_record rec;
	char p[PATH_MAX];
	char target[PATH_MAX];

	full_record(&rec);
	CHECK(sspr_store_save(dir, "erin", &rec) == 0);
	sspr_record_done(&rec);
	path_of(p, sizeof(p), "u-erin");

	CHECK(chmod(p, 0644) == 0);
	CHECK(sspr_store_load(dir, "erin", &rec) == -EPERM);
	CHECK(rec.email == NULL);
	CHECK(chmod(p, 0640) == 0);
	CHECK(sspr_store_load(dir, "erin", &rec) == -EPERM);
	CHECK(chmod(p, 0600) == 0);
	CHECK(sspr_store_load(dir, "erin", &rec) == 0);
	sspr_record_done(&rec);

	test_foreign_begin(p);
	CHECK(sspr_store_load(dir, "erin", &rec) == -EPERM);
	test_foreign_end(p);

	/* directory: group or other writable, not root's, a symlink */
	CHECK(sspr_store_check_dir(dir) == 0);
	CHECK(chmod(dir, 0770) == 0);
	CHECK(sspr_store_check_dir(dir) == -EPERM);
	CHECK(sspr_store_load(dir, "erin", &rec) == -EPERM);
	CHECK(sspr_store_save(dir, "erin", &rec) == -EPERM);
	CHECK(sspr_store_lock(dir, "erin") == -EPERM);
	CHECK(chmod(dir, 0702) == 0);
	CHECK(sspr_store_check_dir(dir) == -EPERM);
	CHECK(chmod(dir, 0755) == 0);
	CHECK(sspr_store_check_dir(dir) == 0);
	CHECK(chmod(dir, 0700) == 0);
	test_foreign_begin(dir);
	CHECK(sspr_store_check_dir(dir) == -EPERM);
	CHECK(sspr_store_load(dir, "erin", &rec) == -EPERM);
	test_foreign_end(dir);
	CHECK(sspr_store_check_dir("relative/dir") == -EINVAL);
	CHECK(sspr_store_check_dir(p) == -ENOTDIR);
	snprintf(target, sizeof(target), "%s.link", dir);
	unlink(target);
	CHECK(symlink(dir, target) == 0);
	CHECK(sspr_store_check_dir(target) == -ELOOP);
	CHECK(sspr_store_load(target, "erin", &rec) == -ELOOP);
	unlink(target);

	/* a record that is a symlink to a valid record */
	CHECK(sspr_store_remove(dir, "erin") == 0);
	full_record(&rec);
	CHECK(sspr_store_save(dir, "frank", &rec) == 0);
	sspr_record_done(&rec);
	path_of(target, sizeof(target), "u-frank");
	CHECK(symlink(target, p) == 0);
	CHECK(sspr_store_load(dir, "erin", &rec) == -ELOOP);
	CHECK(rec.email == NULL);
	unlink(p);

	/* a directory where the record should be */
	CHECK(mkdir(p, 0700) == 0);
	CHECK(sspr_store_load(dir, "erin", &rec) < 0);
	CHECK(rec.email == NULL);
	rmdir(p);
	CHECK(sspr_store_remove(dir, "frank") == 0);
}

static void
test_list(void)
{
	struct sspr_record rec;
	char **names = NULL;
	size_t n = 99;
	size_t i;
	int fd;

	memset(&rec, 0, sizeof(rec));
	CHECK(sspr_store_list(dir, &names, &n) == 0);
	CHECK(n == 0);
	free(names);

	CHECK(sspr_store_save(dir, "zed", &rec) == 0);
	CHECK(sspr_store_save(dir, "amy", &rec) == 0);
	fd = sspr_store_lock(dir, "amy");
	CHECK(fd >= 0);
	sspr_store_unlock(fd);
	fd = sspr_store_lock(dir, "lockonly");
	CHECK(fd >= 0);
	sspr_store_unlock(fd);
	write_raw(".u-amy.XXXXXX", "x", 1, 0600);
	write_raw("code.key", "x", 1, 0600);
	write_raw("u-", "x", 1, 0600);
	write_raw("u-.x", "x", 1, 0600);

	CHECK(sspr_store_list(dir, &names, &n) == 0);
	CHECK(n == 2);
	if (n == 2) {
		CHECK_STR(names[0], "amy");
		CHECK_STR(names[1], "zed");
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	CHECK(chmod(dir, 0777) == 0);
	CHECK(sspr_store_list(dir, &names, &n) == -EPERM);
	CHECK(chmod(dir, 0700) == 0);

	/* clean the directory for the next test */
	{
		static const char *const junk[] = {
			"u-zed", "u-amy", "u-amy.lock", "u-lockonly.lock",
			".u-amy.XXXXXX", "code.key", "u-", "u-.x",
		};
		char p[PATH_MAX];

		for (i = 0; i < SSPR_ARRAY_SIZE(junk); i++) {
			path_of(p, sizeof(p), junk[i]);
			CHECK(unlink(p) == 0);
		}
	}
	CHECK(count_entries() == 0);
}

/* Four processes, fifty locked read-modify-write cycles each. */
static void
test_concurrent_writers(void)
{
	struct sspr_record rec;
	pid_t pids[4];
	int i;

	memset(&rec, 0, sizeof(rec));
	CHECK(sspr_store_save(dir, "gina", &rec) == 0);
	for (i = 0; i < 4; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			int k;

			for (k = 0; k < 50; k++) {
				struct sspr_record r;
				int fd = sspr_store_lock(dir, "gina");

				if (fd < 0)
					_exit(2);
				if (sspr_store_load(dir, "gina", &r) != 0)
					_exit(3);
				r.failures++;
				if (sspr_store_save(dir, "gina", &r) != 0)
					_exit(4);
				sspr_record_done(&r);
				sspr_store_unlock(fd);
			}
			_exit(0);
		}
		CHECK(pids[i] > 0);
	}
	for (i = 0; i < 4; i++) {
		int status = -1;

		if (pids[i] <= 0)
			continue;
		CHECK(waitpid(pids[i], &status, 0) == pids[i]);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	CHECK(sspr_store_load(dir, "gina", &rec) == 0);
	CHECK(rec.failures == 200);
	if (rec.failures != 200)
		fprintf(stderr, "  failures = %u\n", rec.failures);
	sspr_record_done(&rec);
}

/* A lock held elsewhere: give up after about five seconds. */
static void
test_lock_timeout(void)
{
	struct timespec t0;
	struct timespec t1;
	int pipefd[2];
	pid_t pid;
	char c = 0;
	int fd;
	double secs;

	CHECK(pipe(pipefd) == 0);
	pid = fork();
	if (pid == 0) {
		int lfd = sspr_store_lock(dir, "gina");

		if (write(pipefd[1], lfd >= 0 ? "y" : "n", 1) != 1)
			_exit(1);
		/* hold the lock until the parent kills us */
		for (;;)
			pause();
	}
	CHECK(pid > 0);
	close(pipefd[1]);
	CHECK(read(pipefd[0], &c, 1) == 1 && c == 'y');
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fd = sspr_store_lock(dir, "gina");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	CHECK(fd == -ETIMEDOUT);
	CHECK(secs >= 4.5 && secs < 15);
	/* another user's lock is independent */
	fd = sspr_store_lock(dir, "hank");
	CHECK(fd >= 0);
	sspr_store_unlock(fd);
	close(pipefd[0]);
	if (pid > 0)
		kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* free again once the holder is gone */
	fd = sspr_store_lock(dir, "gina");
	CHECK(fd >= 0);
	sspr_store_unlock(fd);
}

static void
cleanup(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_round_trip);
	RUN(test_locked_step);
	RUN(test_names);
	RUN(test_corrupted);
	RUN(test_old_records);
	RUN(test_save_refuses);
	RUN(test_truncation);
	RUN(test_trust);
	RUN(test_list);
	RUN(test_concurrent_writers);
	RUN(test_lock_timeout);
	cleanup();
	CHECK_EXIT();
}
