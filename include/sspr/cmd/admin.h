/*
 * sspr admin VERB ...: root looks after the records of all users, one
 * function per verb, each called with a struct admin_call.
 */
#ifndef SSPR_CMD_ADMIN_H
#define SSPR_CMD_ADMIN_H

#include <stdbool.h>

#include "sspr/cmd/verbs.h"

/* What a verb is called with. */
struct admin_call {
	int argc;	  /* words after the verb, without a last --json */
	char **argv;	  /* those words */
	const char *user; /* argv[0] for a verb on one user, else NULL */
	bool json;	  /* --json came last */
};

/* sspr admin ...: argv[0] is the verb. An exit status. */
int cmd_admin(struct ctx *c, int argc, char **argv);

/* sspr admin unlock USER (admin_unlock.c). */
int cmd_admin_unlock(struct ctx *c, const struct admin_call *a);

#endif
