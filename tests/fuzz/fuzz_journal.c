/*
 * Journal entries on arbitrary bytes: the input is written as a user's
 * entry in a private root-owned 0700 directory and loaded with
 * sspr_journal_load(). Properties: a load that fails leaves the entry
 * zeroed; an entry that loads can be saved, and loading what was saved
 * gives the same entry.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "sspr/common/journal.h"

static char state_dir[256];

static void
cleanup(void)
{
	static const char *const names[] = { "j-fuzz", "j-again" };
	char path[300];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", state_dir, names[i]);
		unlink(path);
	}
	rmdir(state_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	snprintf(state_dir, sizeof(state_dir), "%s/sspr-fuzz-XXXXXX",
		 tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(state_dir) == NULL || chmod(state_dir, 0700) != 0)
		abort();
	atexit(cleanup);
	return 0;
}

static void
write_entry(const uint8_t *data, size_t size)
{
	char path[300];
	int fd;

	snprintf(path, sizeof(path), "%s/j-fuzz", state_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FUZZ_ASSERT(fd >= 0);
	FUZZ_ASSERT(size == 0 || write(fd, data, size) == (ssize_t)size);
	close(fd);
}

static bool
same(const struct sspr_journal *a, const struct sspr_journal *b)
{
	return a->path == b->path && a->stage == b->stage &&
	       a->started == b->started && a->sent == b->sent &&
	       a->has_new == b->has_new &&
	       sspr_shadow_fields_eq(&a->old_local, &b->old_local) &&
	       (!a->has_new || sspr_shadow_fields_eq(&a->new_local, &b->new_local));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sspr_journal zero;
	struct sspr_journal j;
	struct sspr_journal again;
	int r;

	if (size > 8192)
		return 0;
	write_entry(data, size);
	r = sspr_journal_load(state_dir, "fuzz", &j);
	FUZZ_ASSERT(r == 0 || r == -EBADMSG || r == -ENOMEM);
	if (r < 0) {
		FUZZ_ASSERT(memcmp(&j, &zero, sizeof(j)) == 0);
		return 0;
	}
	r = sspr_journal_save(state_dir, "again", &j);
	FUZZ_ASSERT(r == 0);
	r = sspr_journal_load(state_dir, "again", &again);
	FUZZ_ASSERT(r == 0);
	FUZZ_ASSERT(same(&j, &again));
	return 0;
}
