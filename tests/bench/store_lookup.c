/*
 * Record lookups for "make bench": is finding one user's record as cheap
 * with 100,000 records as with 10?
 *
 *   store_lookup DIR N RUNS
 *	Writes N records (u0 .. uN-1, root-only) into the empty directory
 *	DIR, then loads RUNS records picked at random with
 *	sspr_store_load(), as the module does at sign-in. Prints the
 *	median time of one lookup in nanoseconds.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sspr/common/store.h"

#define MAX_RUNS 100000

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a;
	uint64_t y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	static uint64_t ns[MAX_RUNS];
	static const char text[] = "version = 1\nemail = someone@example.org\n";
	unsigned long n;
	unsigned long runs;
	unsigned long i;
	char path[4096];

	if (argc != 4 || (n = strtoul(argv[2], NULL, 10)) == 0 ||
	    (runs = strtoul(argv[3], NULL, 10)) == 0 || runs > MAX_RUNS) {
		fprintf(stderr, "usage: store_lookup DIR N RUNS\n");
		return 2;
	}
	/* Plain writes: the lookup is measured, not the atomic save. */
	for (i = 0; i < n; i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/u-u%lu", argv[1], i);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, text, sizeof(text) - 1) < 0) {
			perror(path);
			return 1;
		}
		close(fd);
	}
	srandom(1);
	for (i = 0; i < runs; i++) {
		struct sspr_record rec = { 0 };
		char user[32];
		uint64_t t0;
		int r;

		snprintf(user, sizeof(user), "u%lu",
			 (unsigned long)random() % n);
		t0 = now_ns();
		r = sspr_store_load(argv[1], user, &rec);
		ns[i] = now_ns() - t0;
		sspr_record_done(&rec);
		if (r < 0) {
			fprintf(stderr, "store_lookup: %s: error %d\n", user,
				r);
			return 1;
		}
	}
	qsort(ns, runs, sizeof(ns[0]), cmp_u64);
	printf("%llu\n", (unsigned long long)ns[runs / 2]);
	return 0;
}
