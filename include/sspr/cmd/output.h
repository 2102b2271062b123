/* What the sspr command tells its caller: exit status, usage, errors. */
#ifndef SSPR_CMD_OUTPUT_H
#define SSPR_CMD_OUTPUT_H

#include <stdio.h>

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_AUTH = 3,
	EXIT_DENIED = 4,
};

/* The command's synopsis, to f. */
void usage(FILE *f);

/* "sspr: " and the message on stderr, after what stdout holds. */
void __attribute__((format(printf, 1, 2))) fail(const char *fmt, ...);

#endif
