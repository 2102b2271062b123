/* E-mail codes: uniform digits, hashed storage, limits, binding. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "owner.h"
#include "sspr/auth/otp_code.h"
#include "sspr/common/config.h"
#include "sspr/common/store.h"
#include "sspr/common/util.h"

#define T0 ((time_t)1700000000)

static char dir[] = "/tmp/sspr-code-test.XXXXXX";
static struct sspr_cfg cfg;

static void
setup_cfg(void)
{
	CHECK(sspr_cfg_defaults(&cfg) == 0);
	free(cfg.state_dir);
	cfg.state_dir = sspr_strdup(dir);
	cfg.code_length = 8;
	cfg.code_lifetime = 600;
	cfg.code_attempts = 3;
	cfg.resend_interval = 60;
	cfg.resend_per_hour = 5;
}

/* Forget the send accounting so the next issue is always allowed. */
static void
allow_send(struct sspr_record *rec)
{
	rec->reset_code.sent = 0;
	rec->reset_code.sends_window_start = 0;
	rec->reset_code.sends_in_window = 0;
}

static char *
issue(struct sspr_record *rec, const char *user, const char *purpose,
      time_t now)
{
	char *code = NULL;
	int r;

	r = sspr_code_issue(&cfg, rec, user, purpose, "a@example.org", now,
			    &code);
	CHECK(r == 0);
	if (r != 0)
		fprintf(stderr, "  issue: %s\n", strerror(-r));
	return code;
}

static double
chi_square(const unsigned counts[10], unsigned n)
{
	double expect = n / 10.0;
	double chi = 0;
	int d;

	for (d = 0; d < 10; d++)
		chi += (counts[d] - expect) * (counts[d] - expect) / expect;
	return chi;
}

/*
 * 20000 codes of 8 digits. For 9 degrees of freedom, chi-square above
 * 45 has probability about 1e-6 and above 60 about 1e-9: per position
 * we allow 60, for all 160000 digits pooled 50 (a modulo-bias generator,
 * bytes % 10 without rejection, averages about 70 there).
 */
static void
test_distribution(void)
{
	static unsigned counts[8][10];
	unsigned pooled[10] = { 0 };
	struct sspr_record rec = { 0 };
	const unsigned n = 20000;
	double worst = 0;
	unsigned i;
	unsigned p;
	int d;

	for (i = 0; i < n; i++) {
		char *code;

		allow_send(&rec);
		code = issue(&rec, "alice", "reset", T0);
		if (code == NULL)
			return;
		CHECK(strlen(code) == 8);
		for (p = 0; p < 8 && code[p] != '\0'; p++) {
			CHECK(code[p] >= '0' && code[p] <= '9');
			counts[p][code[p] - '0']++;
		}
		sspr_free_secret(code);
	}
	for (p = 0; p < 8; p++) {
		double chi = chi_square(counts[p], n);

		if (chi > worst)
			worst = chi;
		CHECK(chi < 60);
		for (d = 0; d < 10; d++)
			pooled[d] += counts[p][d];
	}
	CHECK(chi_square(pooled, 8 * n) < 50);
	printf("  chi-square: worst position %.1f, pooled %.1f (df 9)\n",
	       worst, chi_square(pooled, 8 * n));
	sspr_record_done(&rec);
}

static void
test_length(void)
{
	struct sspr_record rec = { 0 };
	unsigned len;
	int i;

	for (len = 6; len <= 8; len++) {
		cfg.code_length = len;
		for (i = 0; i < 50; i++) {
			char *code;

			allow_send(&rec);
			code = issue(&rec, "alice", "reset", T0);
			CHECK(code != NULL && strlen(code) == len &&
			      strspn(code, "0123456789") == len);
			CHECK(sspr_code_verify(&cfg, &rec, "alice", "reset",
					       code, T0 + 1) == 0);
			sspr_free_secret(code);
		}
	}
	cfg.code_length = 5;
	allow_send(&rec);
	{
		char *code = NULL;

		CHECK(sspr_code_issue(&cfg, &rec, "alice", "reset",
				      "a@example.org", T0, &code) == -EINVAL);
		CHECK(code == NULL);
	}
	cfg.code_length = 8;
	sspr_record_done(&rec);
}

static void
test_only_hash_stored(void)
{
	struct sspr_record rec = { 0 };
	struct sspr_record back;
	char p[PATH_MAX];
	char text[SSPR_STORE_MAX_SIZE + 1];
	struct stat st;
	ssize_t n;
	char *code;
	int fd;

	code = issue(&rec, "bob", "reset", T0);
	if (code == NULL)
		return;
	CHECK(rec.reset_code.hash != NULL && strlen(rec.reset_code.hash) == 64);
	CHECK(strstr(rec.reset_code.hash, code) == NULL);
	CHECK(sspr_store_save(dir, "bob", &rec) == 0);

	snprintf(p, sizeof(p), "%s/u-bob", dir);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	CHECK(n > 0);
	text[n > 0 ? n : 0] = '\0';
	CHECK(strstr(text, code) == NULL);
	CHECK(strstr(text, "code_hash = ") != NULL);
	/* the slot says the purpose: no code_purpose key is written */
	CHECK(strstr(text, "code_purpose") == NULL);
	CHECK(strstr(text, "code_address = a@example.org\n") != NULL);

	/* the host key: 32 bytes, root's (here: the test's), mode 0600 */
	snprintf(p, sizeof(p), "%s/code.key", dir);
	CHECK(lstat(p, &st) == 0 && S_ISREG(st.st_mode) &&
	      st.st_size == 32 && (st.st_mode & 07777) == 0600 &&
	      st.st_uid == geteuid());

	/* what was saved verifies after a reload */
	CHECK(sspr_store_load(dir, "bob", &back) == 0);
	CHECK(sspr_code_verify(&cfg, &back, "bob", "reset", code, T0 + 5) ==
	      0);
	sspr_record_done(&back);
	sspr_free_secret(code);
	sspr_record_done(&rec);
	CHECK(sspr_store_remove(dir, "bob") == 0);
}

static void
test_expiry(void)
{
	struct sspr_record rec = { 0 };
	char *code = issue(&rec, "alice", "reset", T0);

	if (code == NULL)
		return;
	CHECK(rec.reset_code.expires == T0 + 600);
	CHECK(sspr_code_pending(&rec, "reset", T0 + 599) == 1);
	CHECK(sspr_code_pending(&rec, "reset", T0 + 600) == 0);
	CHECK(sspr_code_verify(&cfg, &rec, "alice", "reset", code, T0 + 600) ==
	      -ETIMEDOUT);
	CHECK(sspr_code_verify(&cfg, &rec, "alice", "reset", code,
			       T0 + 100000) == -ETIMEDOUT);
	/* an expired try costs nothing */
	CHECK(rec.reset_code.attempts_left == 3);
	CHECK(sspr_code_verify(&cfg, &rec, "alice", "reset", code, T0 + 599) ==
	      0);
	sspr_free_secret(code);
	sspr_record_done(&rec);
}

static void
test_attempts(void)
{
	struct sspr_record rec = { 0 };
	char wrong[16];
	char *code = issue(&rec, "alice", "reset", T0);
	unsigned i;

	if (code == NULL)
		return;
	/* a wrong code of the right shape: change the last digit */
	snprintf(wrong, sizeof(wrong), "%s", code);
	wrong[7] = wrong[7] == '9' ? '0' : (char)(wrong[7] + 1);
	for (i = 0; i < cfg.code_attempts; i++) {
		CHECK(sspr_code_verify(&cfg, &rec, "alice", "reset", wrong,
				       T0 + 1) == -EACCES);
		CHECK(rec.reset_code.attempts_left == cfg.code_attempts - i - 1);
	}
	/* used up: the right code no longer works either */
	CHECK(sspr_code_pending(&rec, "reset", T0 + 2) == 0);
	CHECK(sspr_code_verify(&cfg, &rec, "alice", "reset", code, T0 + 2) ==
	      -EMLINK);
	CHECK(sspr_code_verify(&cfg, &rec, "alice", "reset", code, T0 + 2) ==
	      -EMLINK);
	sspr_free_secret(code);

	/* malformed input counts as a wrong try */
	allow_send(&rec);
	code = issue(&rec, "alice", "reset", T0);
	CHECK(sspr_code_verify(&cfg, &rec, "alice", "reset", "abc", T0 + 1) ==
	      -EACCES);
	CHECK(sspr_code_verify(&cfg, &rec, "alice", "reset", "", T0 + 1) ==
	      -EACCES);
	CHECK(rec.reset_code.attempts_left == 1);
	/* spaces around and one in the middle are fine */
	if (code != NULL) {
		char typed[32];

		snprintf(typed, sizeof(typed), " %.4s %s\n", code, code + 4);
		CHECK(sspr_code_verify(&cfg, &rec, "alice", "reset", typed,
				       T0 + 1) == 0);
	}
	sspr_free_secret(code);
	sspr_record_done(&rec);
}

static void
test_single_use(void)
{
	struct sspr_record rec = { 0 };
	char *code = issue(&rec, "alice", "reset", T0);

	if (code == NULL)
		return;
	CHECK(sspr_code_verify(&cfg, &rec, "alice", "reset", code, T0 + 1) ==
	      0);
	CHECK(rec.reset_code.hash == NULL && rec.reset_code.address == NULL);
	CHECK(sspr_code_pending(&rec, "reset", T0 + 1) == 0);
	CHECK(sspr_code_verify(&cfg, &rec, "alice", "reset", code, T0 + 2) ==
	      -ENOENT);
	/* a new code replaces the old one */
	sspr_free_secret(code);
	allow_send(&rec);
	code = issue(&rec, "alice", "reset", T0);
	{
		char *second;

		allow_send(&rec);
		second = issue(&rec, "alice", "reset", T0 + 1);
		if (code != NULL && second != NULL &&
		    strcmp(code, second) != 0)
			CHECK(sspr_code_verify(&cfg, &rec, "alice", "reset",
					       code, T0 + 2) == -EACCES);
		CHECK(sspr_code_verify(&cfg, &rec, "alice", "reset", second,
				       T0 + 2) == 0);
		sspr_free_secret(second);
	}
	sspr_free_secret(code);
	sspr_record_done(&rec);
}

static void
test_binding(void)
{
	struct sspr_record rec = { 0 };
	char *code = issue(&rec, "alice", "enroll", T0);

	if (code == NULL)
		return;
	CHECK(sspr_code_pending(&rec, "enroll", T0) == 1);
	CHECK(sspr_code_pending(&rec, "reset", T0) == 0);
	/* an enrollment code does not reset a password */
	CHECK(sspr_code_verify(&cfg, &rec, "alice", "reset", code, T0 + 1) ==
	      -ENOENT);
	/* nor does moving it to the reset slot help: the hash binds it */
	rec.reset_code.hash = sspr_strdup(rec.enroll_code.hash);
	rec.reset_code.expires = rec.enroll_code.expires;
	rec.reset_code.attempts_left = 1;
	CHECK(sspr_code_verify(&cfg, &rec, "alice", "reset", code, T0 + 1) ==
	      -EACCES);
	/* another user's record with alice's hash copied in */
	CHECK(sspr_code_verify(&cfg, &rec, "mallory", "enroll", code,
			       T0 + 1) == -EACCES);
	CHECK(sspr_code_verify(&cfg, &rec, "alice", "enroll", code, T0 + 1) ==
	      0);
	CHECK(sspr_code_verify(&cfg, &rec, "../x", "enroll", code, T0 + 1) ==
	      -EINVAL);
	CHECK(sspr_code_verify(&cfg, &rec, "alice", "other", code, T0 + 1) ==
	      -EINVAL);
	sspr_free_secret(code);
	sspr_record_done(&rec);
}

/*
 * Reset and enrollment codes have a slot each: asking for one neither
 * replaces, burns nor delays the other.
 */
static void
test_separate_slots(void)
{
	struct sspr_record rec = { 0 };
	char *enroll = issue(&rec, "alice", "enroll", T0);
	char *reset = NULL;
	unsigned wait = 0;
	unsigned i;

	if (enroll == NULL)
		return;
	/* a reset right after an enrollment mail is not told to wait */
	CHECK(sspr_code_may_send(&cfg, &rec, "enroll", T0 + 1, &wait) ==
	      -EAGAIN);
	CHECK(sspr_code_may_send(&cfg, &rec, "reset", T0 + 1, &wait) == 0);
	reset = issue(&rec, "alice", "reset", T0 + 1);
	CHECK(sspr_code_pending(&rec, "enroll", T0 + 2) == 1);
	/* wrong reset codes burn only the reset code */
	for (i = 0; i < cfg.code_attempts; i++)
		CHECK(sspr_code_verify(&cfg, &rec, "alice", "reset", "00000000",
				       T0 + 2) == -EACCES);
	CHECK(rec.enroll_code.attempts_left == cfg.code_attempts);
	/* a whole hour's reset budget leaves the enrollment one alone */
	rec.reset_code.sends_in_window = cfg.resend_per_hour;
	CHECK(sspr_code_may_send(&cfg, &rec, "reset", T0 + 100, &wait) ==
	      -EAGAIN);
	CHECK(sspr_code_may_send(&cfg, &rec, "enroll", T0 + 100, &wait) == 0);
	CHECK(sspr_code_verify(&cfg, &rec, "alice", "enroll", enroll,
			       T0 + 100) == 0);
	CHECK(sspr_code_may_send(&cfg, &rec, "other", T0, &wait) == -EINVAL);
	sspr_free_secret(enroll);
	sspr_free_secret(reset);
	sspr_record_done(&rec);
}

/* A used, expired, burnt or unsent code never delays a new one. */
static void
test_spent_codes_do_not_delay(void)
{
	struct sspr_record rec = { 0 };
	unsigned wait = 0;
	char *code;
	unsigned i;

	/* used: the send is given back */
	code = issue(&rec, "alice", "enroll", T0);
	CHECK(rec.enroll_code.sends_in_window == 1);
	CHECK(sspr_code_verify(&cfg, &rec, "alice", "enroll", code, T0 + 5) ==
	      0);
	CHECK(rec.enroll_code.sends_in_window == 0);
	CHECK(sspr_code_may_send(&cfg, &rec, "enroll", T0 + 6, &wait) == 0);
	sspr_free_secret(code);

	/* expired */
	cfg.code_lifetime = 30;
	code = issue(&rec, "alice", "reset", T0);
	CHECK(sspr_code_may_send(&cfg, &rec, "reset", T0 + 29, &wait) ==
	      -EAGAIN);
	CHECK(sspr_code_may_send(&cfg, &rec, "reset", T0 + 30, &wait) == 0);
	cfg.code_lifetime = 600;
	sspr_free_secret(code);

	/* no attempts left */
	code = issue(&rec, "alice", "reset", T0 + 100);
	for (i = 0; i < cfg.code_attempts; i++)
		CHECK(sspr_code_verify(&cfg, &rec, "alice", "reset", "00000000",
				       T0 + 101) == -EACCES);
	CHECK(sspr_code_may_send(&cfg, &rec, "reset", T0 + 102, &wait) == 0);
	sspr_free_secret(code);

	/* could not be sent: gone, and its send given back */
	code = issue(&rec, "alice", "reset", T0 + 200);
	CHECK(rec.reset_code.sends_in_window == 3);
	sspr_code_unsent(&rec, "reset", "other@example.org");
	CHECK(rec.reset_code.hash != NULL);
	sspr_code_unsent(&rec, "reset", "a@example.org");
	CHECK(rec.reset_code.hash == NULL);
	CHECK(rec.reset_code.sends_in_window == 2);
	CHECK(sspr_code_may_send(&cfg, &rec, "reset", T0 + 201, &wait) == 0);
	sspr_free_secret(code);
	sspr_record_done(&rec);
}

static void
test_resend_limits(void)
{
	struct sspr_record rec = { 0 };
	unsigned wait = 0;
	char *code = NULL;
	int i;

	CHECK(sspr_code_may_send(&cfg, &rec, "reset", T0, &wait) == 0);
	code = issue(&rec, "alice", "reset", T0);
	sspr_free_secret(code);
	CHECK(sspr_code_may_send(&cfg, &rec, "reset", T0 + 10, &wait) == -EAGAIN);
	CHECK(wait == 50);
	code = NULL;
	CHECK(sspr_code_issue(&cfg, &rec, "alice", "reset", "a@example.org",
			      T0 + 10, &code) == -EAGAIN);
	CHECK(code == NULL);
	/* a clock that went back waits the full interval, no more */
	CHECK(sspr_code_may_send(&cfg, &rec, "reset", T0 - 86400, &wait) == -EAGAIN);
	CHECK(wait == 60);
	CHECK(sspr_code_may_send(&cfg, &rec, "reset", T0 + 60, &wait) == 0);

	/* five per hour: sends at T0, +60, ..., +240, the sixth waits */
	for (i = 1; i < 5; i++) {
		code = issue(&rec, "alice", "reset", T0 + 60 * i);
		sspr_free_secret(code);
	}
	CHECK(rec.reset_code.sends_in_window == 5);
	CHECK(sspr_code_may_send(&cfg, &rec, "reset", T0 + 300, &wait) == -EAGAIN);
	CHECK(wait == 3600 - 300);
	CHECK(sspr_code_may_send(&cfg, &rec, "reset", T0 + 3599, &wait) == -EAGAIN);
	CHECK(wait == 1);
	CHECK(sspr_code_may_send(&cfg, &rec, "reset", T0 + 3600, &wait) == 0);
	code = issue(&rec, "alice", "reset", T0 + 3600);
	sspr_free_secret(code);
	CHECK(rec.reset_code.sends_window_start == T0 + 3600 && rec.reset_code.sends_in_window == 1);

	/* no interval configured: only the hourly cap */
	cfg.resend_interval = 0;
	for (i = 1; i < 5; i++) {
		code = issue(&rec, "alice", "reset", T0 + 3600 + i);
		sspr_free_secret(code);
	}
	CHECK(sspr_code_may_send(&cfg, &rec, "reset", T0 + 3610, &wait) == -EAGAIN);
	CHECK(wait == 3590);
	cfg.resend_interval = 60;

	/* the limits survive a save and a load */
	CHECK(sspr_store_save(dir, "alice", &rec) == 0);
	sspr_record_done(&rec);
	CHECK(sspr_store_load(dir, "alice", &rec) == 0);
	CHECK(sspr_code_may_send(&cfg, &rec, "reset", T0 + 3610, &wait) == -EAGAIN);
	sspr_record_done(&rec);
	CHECK(sspr_store_remove(dir, "alice") == 0);
}

/* A code issued and saved by one process is checked by another. */
static void
test_two_processes(void)
{
	struct sspr_record rec;
	char code[16] = "";
	int pipefd[2];
	pid_t pid;
	int status = -1;
	ssize_t n;

	CHECK(pipe(pipefd) == 0);
	pid = fork();
	if (pid == 0) {
		struct sspr_record r = { 0 };
		char *c = NULL;
		int fd;

		close(pipefd[0]);
		fd = sspr_store_lock(dir, "carol");
		if (fd < 0 ||
		    sspr_code_issue(&cfg, &r, "carol", "reset",
				    "c@example.org", T0, &c) != 0 ||
		    sspr_store_save(dir, "carol", &r) != 0)
			_exit(1);
		sspr_store_unlock(fd);
		if (write(pipefd[1], c, strlen(c)) != (ssize_t)strlen(c))
			_exit(2);
		_exit(0);
	}
	CHECK(pid > 0);
	close(pipefd[1]);
	n = read(pipefd[0], code, sizeof(code) - 1);
	close(pipefd[0]);
	CHECK(n == 8);
	code[n > 0 ? n : 0] = '\0';
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0);

	CHECK(sspr_store_load(dir, "carol", &rec) == 0);
	CHECK(sspr_code_pending(&rec, "reset", T0 + 30) == 1);
	CHECK(sspr_code_verify(&cfg, &rec, "carol", "reset", code, T0 + 30) ==
	      0);
	CHECK(sspr_store_save(dir, "carol", &rec) == 0);
	sspr_record_done(&rec);
	/* consumed for good */
	CHECK(sspr_store_load(dir, "carol", &rec) == 0);
	CHECK(sspr_code_verify(&cfg, &rec, "carol", "reset", code, T0 + 31) ==
	      -ENOENT);
	sspr_record_done(&rec);
	CHECK(sspr_store_remove(dir, "carol") == 0);
}

/*
 * Four processes make the first code in a fresh directory at once: one
 * host key wins and every code verifies against it.
 */
static void
test_key_race(void)
{
	char sub[PATH_MAX];
	char *saved_dir = cfg.state_dir;
	char codes[4][16];
	struct sspr_record recs[4];
	pid_t pids[4];
	int pipes[4][2];
	int i;

	snprintf(sub, sizeof(sub), "%s/race", dir);
	CHECK(mkdir(sub, 0700) == 0);
	cfg.state_dir = sub;
	for (i = 0; i < 4; i++) {
		CHECK(pipe(pipes[i]) == 0);
		pids[i] = fork();
		if (pids[i] == 0) {
			struct sspr_record r = { 0 };
			char user[16];
			char *c = NULL;

			snprintf(user, sizeof(user), "u%d", i);
			if (sspr_code_issue(&cfg, &r, user, "reset",
					    "x@example.org", T0, &c) != 0 ||
			    sspr_store_save(sub, user, &r) != 0 ||
			    write(pipes[i][1], c, 8) != 8)
				_exit(1);
			_exit(0);
		}
		close(pipes[i][1]);
	}
	for (i = 0; i < 4; i++) {
		char user[16];
		int status = -1;
		ssize_t n = read(pipes[i][0], codes[i], 8);

		close(pipes[i][0]);
		CHECK(n == 8);
		codes[i][n == 8 ? 8 : 0] = '\0';
		CHECK(waitpid(pids[i], &status, 0) == pids[i] &&
		      WIFEXITED(status) && WEXITSTATUS(status) == 0);
		snprintf(user, sizeof(user), "u%d", i);
		CHECK(sspr_store_load(sub, user, &recs[i]) == 0);
		CHECK(sspr_code_verify(&cfg, &recs[i], user, "reset",
				       codes[i], T0 + 1) == 0);
		sspr_record_done(&recs[i]);
	}
	cfg.state_dir = saved_dir;
}

/* A host key that is not trustworthy stops everything. */
static void
test_host_key_trust(void)
{
	struct sspr_record rec = { 0 };
	char key[PATH_MAX];
	char *code;
	int fd;

	code = issue(&rec, "alice", "reset", T0);
	snprintf(key, sizeof(key), "%s/code.key", dir);

	CHECK(chmod(key, 0640) == 0);
	CHECK(sspr_code_verify(&cfg, &rec, "alice", "reset", code, T0 + 1) ==
	      -EPERM);
	/* an error is not a wrong try */
	CHECK(rec.reset_code.attempts_left == 3);
	CHECK(chmod(key, 0600) == 0);
	test_foreign_begin(key);
	CHECK(sspr_code_verify(&cfg, &rec, "alice", "reset", code, T0 + 1) ==
	      -EPERM);
	test_foreign_end(key);

	CHECK(truncate(key, 31) == 0);
	CHECK(sspr_code_verify(&cfg, &rec, "alice", "reset", code, T0 + 1) ==
	      -EBADMSG);

	/* a symlink in its place */
	CHECK(unlink(key) == 0);
	CHECK(symlink("/etc/hostname", key) == 0);
	CHECK(sspr_code_verify(&cfg, &rec, "alice", "reset", code, T0 + 1) ==
	      -ELOOP);
	CHECK(unlink(key) == 0);

	/* a new key (the old one is lost): old codes no longer match */
	CHECK(sspr_code_verify(&cfg, &rec, "alice", "reset", code, T0 + 1) ==
	      -EACCES);
	fd = open(key, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);

	/* a loose state directory */
	CHECK(chmod(dir, 0775) == 0);
	CHECK(sspr_code_verify(&cfg, &rec, "alice", "reset", code, T0 + 1) ==
	      -EPERM);
	CHECK(chmod(dir, 0700) == 0);
	sspr_free_secret(code);
	sspr_record_done(&rec);
}

int
main(void)
{
	char cmd[PATH_MAX + 16];
	int rc;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	setup_cfg();
	RUN(test_distribution);
	RUN(test_length);
	RUN(test_only_hash_stored);
	RUN(test_expiry);
	RUN(test_attempts);
	RUN(test_single_use);
	RUN(test_binding);
	RUN(test_separate_slots);
	RUN(test_spent_codes_do_not_delay);
	RUN(test_resend_limits);
	RUN(test_two_processes);
	RUN(test_key_race);
	RUN(test_host_key_trust);
	sspr_cfg_done(&cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	rc = system(cmd);
	(void)rc;
	CHECK_EXIT();
}
