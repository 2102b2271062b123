/*
 * Journal entries on arbitrary bytes: the input is written as a user's
 * entry in a private root-owned 0700 directory and loaded with
 * sspr_journal_load(). Properties: a load that fails leaves the entry
 * zeroed; an entry that loads can be saved, and loading what was saved
 * gives the same entry.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz_state.h"
#include "sspr/common/journal.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const names[] = { "j-fuzz", "j-again", NULL };

	(void)argc;
	(void)argv;
	fuzz_state_init(names);
	return 0;
}

static bool
same(const struct sspr_journal *a, const struct sspr_journal *b)
{
	return a->path == b->path && a->stage == b->stage &&
	       a->started == b->started && a->sent == b->sent &&
	       a->has_new == b->has_new &&
	       sspr_shadow_fields_eq(&a->old_local, &b->old_local) &&
	       (!a->has_new ||
		sspr_shadow_fields_eq(&a->new_local, &b->new_local));
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
	fuzz_state_write("j-fuzz", data, size);
	r = sspr_journal_load(fuzz_state_dir, "fuzz", &j);
	FUZZ_ASSERT(r == 0 || r == -EBADMSG || r == -ENOMEM);
	if (r < 0) {
		FUZZ_ASSERT(memcmp(&j, &zero, sizeof(j)) == 0);
		return 0;
	}
	r = sspr_journal_save(fuzz_state_dir, "again", &j);
	FUZZ_ASSERT(r == 0);
	r = sspr_journal_load(fuzz_state_dir, "again", &again);
	FUZZ_ASSERT(r == 0);
	FUZZ_ASSERT(same(&j, &again));
	return 0;
}
