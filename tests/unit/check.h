/*
 * A tiny test harness for the unit tests: each TEST prints one
 * "PASS: name" or "FAIL: name" line that tests/run.sh counts.
 */
#ifndef SSPR_TEST_CHECK_H
#define SSPR_TEST_CHECK_H

#undef NDEBUG
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures;
static int check_total_failed;

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "  %s:%d: check failed: %s\n",     \
				__FILE__, __LINE__, #cond);                \
			check_failures++;                                  \
		}                                                          \
	} while (0)

#define CHECK_STR(a, b)                                                    \
	do {                                                               \
		const char *check_a_ = (a), *check_b_ = (b);               \
		if (check_a_ == NULL || check_b_ == NULL ||                \
		    strcmp(check_a_, check_b_) != 0) {                     \
			fprintf(stderr, "  %s:%d: '%s' != '%s'\n",         \
				__FILE__, __LINE__,                        \
				check_a_ ? check_a_ : "(null)",            \
				check_b_ ? check_b_ : "(null)");           \
			check_failures++;                                  \
		}                                                          \
	} while (0)

#define RUN(fn)                                                            \
	do {                                                               \
		check_failures = 0;                                        \
		fn();                                                      \
		printf("%s: %s\n", check_failures ? "FAIL" : "PASS", #fn); \
		fflush(stdout);                                            \
		if (check_failures)                                        \
			check_total_failed++;                              \
	} while (0)

#define CHECK_EXIT() return check_total_failed ? 1 : 0

#endif
