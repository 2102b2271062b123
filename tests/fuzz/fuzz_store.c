/*
 * Store records on arbitrary bytes: the input is written as a user's
 * record file in a private root-owned 0700 directory and loaded with
 * sspr_store_load(). Properties: a load that fails leaves the record
 * empty; a record that loads can be saved, and loading what was saved
 * gives an equal record.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "../lib/record_equal.h"
#include "fuzz_state.h"
#include "sspr/common/store.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const names[] = { "u-fuzz", "u-again", NULL };

	(void)argc;
	(void)argv;
	fuzz_state_init(names);
	return 0;
}

static bool
record_empty(const struct sspr_record *rec)
{
	static const struct sspr_record zero;

	return memcmp(rec, &zero, sizeof(zero)) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sspr_record rec;
	struct sspr_record again;
	int r;

	if (size > SSPR_STORE_MAX_SIZE + 16)
		return 0;
	fuzz_state_write("u-fuzz", data, size);
	r = sspr_store_load(fuzz_state_dir, "fuzz", &rec);
	FUZZ_ASSERT(r == 0 || r == -EBADMSG || r == -ENOMEM);
	if (r < 0) {
		FUZZ_ASSERT(record_empty(&rec));
		return 0;
	}
	r = sspr_store_save(fuzz_state_dir, "again", &rec);
	FUZZ_ASSERT(r == 0);
	r = sspr_store_load(fuzz_state_dir, "again", &again);
	FUZZ_ASSERT(r == 0);
	FUZZ_ASSERT(records_equal(&rec, &again));
	sspr_record_done(&again);
	sspr_record_done(&rec);
	return 0;
}
