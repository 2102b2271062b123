/* Journal of intent: round trip, damage, fields, leftovers, listing. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "files.h"
#include "sspr/common/journal.h"
#include "sspr/common/store.h"

static char dir[] = "/tmp/sspr-journal-test.XXXXXX";

static void
write_raw(const char *name, const char *text)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	test_write_file(p, text, strlen(text), 0600);
}

static struct sspr_journal
sample(void)
{
	struct sspr_journal j = {
		.path = SSPR_JOURNAL_PASSWD,
		.stage = SSPR_JOURNAL_SENDING,
		.started = 1700000000,
		.sent = 1700000005,
		.has_new = true,
	};

	strcpy(j.old_local.hash, "$y$j9T$salt$oldhash");
	strcpy(j.old_local.lastchg, "19000");
	strcpy(j.new_local.hash, "$6$salt$newhash");
	strcpy(j.new_local.lastchg, "20400");
	return j;
}

static void
test_round_trip(void)
{
	struct sspr_journal j = sample();
	struct sspr_journal back;

	CHECK(!sspr_journal_exists(dir, "alice"));
	CHECK(sspr_journal_load(dir, "alice", &back) == -ENOENT);
	CHECK(sspr_journal_save(dir, "alice", &j) == 0);
	CHECK(sspr_journal_exists(dir, "alice"));
	CHECK(sspr_journal_load(dir, "alice", &back) == 0);
	CHECK(back.path == j.path && back.stage == j.stage);
	CHECK(back.started == j.started && back.sent == j.sent);
	CHECK(back.has_new);
	CHECK(sspr_shadow_fields_eq(&back.old_local, &j.old_local));
	CHECK(sspr_shadow_fields_eq(&back.new_local, &j.new_local));
	/* an empty hash (no password) and an empty day come back empty */
	j.stage = SSPR_JOURNAL_PREPARED;
	j.has_new = false;
	j.sent = 0;
	j.old_local.hash[0] = '\0';
	j.old_local.lastchg[0] = '\0';
	CHECK(sspr_journal_save(dir, "alice", &j) == 0);
	CHECK(sspr_journal_load(dir, "alice", &back) == 0);
	CHECK_STR(back.old_local.hash, "");
	CHECK(!back.has_new);
	CHECK(sspr_journal_remove(dir, "alice") == 0);
	CHECK(!sspr_journal_exists(dir, "alice"));
	CHECK(sspr_journal_remove(dir, "alice") == 0);
}

static void
test_refused_values(void)
{
	struct sspr_journal j = sample();

	/* '#' would be a comment, ':' the shadow separator */
	strcpy(j.old_local.hash, "$6$a#b");
	CHECK(sspr_journal_save(dir, "bob", &j) == -EINVAL);
	strcpy(j.old_local.hash, "x:y");
	CHECK(sspr_journal_save(dir, "bob", &j) == -EINVAL);
	j = sample();
	strcpy(j.new_local.lastchg, "12a");
	CHECK(sspr_journal_save(dir, "bob", &j) == -EINVAL);
	/* past "prepared" the new fields are needed */
	j = sample();
	j.has_new = false;
	CHECK(sspr_journal_save(dir, "bob", &j) == -EINVAL);
	CHECK(sspr_journal_save(dir, "../x", &j) == -EINVAL);
	CHECK(!sspr_journal_exists(dir, "bob"));
}

static void
test_damaged(void)
{
	struct sspr_journal j;

	write_raw("j-carol", "version = 1\npath = reset\nstage = sending\n"
			     "started = 5\nold_hash = x\nold_lastchg = 1\n");
	/* "sending" without the new fields and the time sent */
	CHECK(sspr_journal_load(dir, "carol", &j) == -EBADMSG);
	write_raw("j-carol", "version = 1\npath = reset\nstage = prepared\n"
			     "started = 5\nold_hash = x\nold_lastchg = 1");
	CHECK(sspr_journal_load(dir, "carol", &j) == -EBADMSG); /* cut short */
	write_raw("j-carol", "path = reset\nversion = 1\nstage = prepared\n"
			     "started = 5\nold_hash = x\nold_lastchg = 1\n");
	CHECK(sspr_journal_load(dir, "carol", &j) == -EBADMSG); /* order */
	write_raw("j-carol", "version = 1\npath = reset\nstage = prepared\n"
			     "started = 5\nold_hash = x\nold_lastchg = 1\n"
			     "stage = sending\n");
	CHECK(sspr_journal_load(dir, "carol", &j) == -EBADMSG); /* twice */
	write_raw("j-carol", "version = 1\npath = reset\nstage = prepared\n"
			     "started = 5\nold_hash = x\nold_lastchg = 1\n");
	CHECK(sspr_journal_load(dir, "carol", &j) == 0);
	CHECK(sspr_journal_remove(dir, "carol") == 0);
}

static void
test_leftover_and_list(void)
{
	struct sspr_journal j = sample();
	char **names = NULL;
	size_t count = 0;
	size_t i;

	/* a write that died before its rename: found, listed, removable */
	write_raw(".j-dave.new", "version = 1\n");
	CHECK(sspr_journal_exists(dir, "dave"));
	CHECK(sspr_journal_save(dir, "erin", &j) == 0);
	write_raw(".j-erin.new", "version = 1\n");
	CHECK(sspr_journal_list(dir, &names, &count) == 0);
	CHECK(count == 2);
	if (count == 2) {
		CHECK_STR(names[0], "dave");
		CHECK_STR(names[1], "erin");
	}
	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
	CHECK(sspr_journal_remove_temps(dir, "dave") == 0);
	CHECK(!sspr_journal_exists(dir, "dave"));
	CHECK(sspr_journal_remove_temps(dir, "erin") == 0);
	CHECK(sspr_journal_exists(dir, "erin"));
	CHECK(sspr_journal_remove(dir, "erin") == 0);
}

static void
test_record_leftovers(void)
{
	char p[PATH_MAX];

	write_raw(".u-frank.Ab3dE9", "version = 1\n");
	write_raw(".u-frank.x.Ab3dE9", "keep\n"); /* user "frank.x" */
	write_raw(".u-frankie.Ab3dE9", "keep\n");
	CHECK(sspr_store_remove_temps(dir, "u-frank") == 1);
	snprintf(p, sizeof(p), "%s/.u-frank.Ab3dE9", dir);
	CHECK(access(p, F_OK) != 0);
	snprintf(p, sizeof(p), "%s/.u-frank.x.Ab3dE9", dir);
	CHECK(access(p, F_OK) == 0);
	unlink(p);
	snprintf(p, sizeof(p), "%s/.u-frankie.Ab3dE9", dir);
	CHECK(access(p, F_OK) == 0);
	unlink(p);
}

int
main(void)
{
	char cmd[PATH_MAX + 16];

	if (getuid() != 0) {
		printf("SKIP: needs root (root-owned state directory)\n");
		return 77;
	}
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_round_trip);
	RUN(test_refused_values);
	RUN(test_damaged);
	RUN(test_leftover_and_list);
	RUN(test_record_leftovers);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		perror("rm");
	CHECK_EXIT();
}
