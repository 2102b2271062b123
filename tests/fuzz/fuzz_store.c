/*
 * Store records on arbitrary bytes: the input is written as a user's
 * record file in a private root-owned 0700 directory and loaded with
 * sspr_store_load(). Properties: a load that fails leaves the record
 * empty; a record that loads can be saved, and loading what was saved
 * gives an equal record.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/record_equal.h"
#include "fuzz.h"
#include "sspr/common/store.h"

static char state_dir[256];

static void
cleanup(void)
{
	static const char *const names[] = { "u-fuzz", "u-again" };
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
write_record(const uint8_t *data, size_t size)
{
	char path[300];
	int fd;

	snprintf(path, sizeof(path), "%s/u-fuzz", state_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FUZZ_ASSERT(fd >= 0);
	FUZZ_ASSERT(size == 0 || write(fd, data, size) == (ssize_t)size);
	close(fd);
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
	write_record(data, size);
	r = sspr_store_load(state_dir, "fuzz", &rec);
	FUZZ_ASSERT(r == 0 || r == -EBADMSG || r == -ENOMEM);
	if (r < 0) {
		FUZZ_ASSERT(record_empty(&rec));
		return 0;
	}
	r = sspr_store_save(state_dir, "again", &rec);
	FUZZ_ASSERT(r == 0);
	r = sspr_store_load(state_dir, "again", &again);
	FUZZ_ASSERT(r == 0);
	FUZZ_ASSERT(records_equal(&rec, &again));
	sspr_record_done(&again);
	sspr_record_done(&rec);
	return 0;
}
