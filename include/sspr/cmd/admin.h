/*
 * sspr admin VERB ...: root looks after the records of all users. Each
 * verb is one function of this shape; argv holds the words after the
 * verb, argc of them, and json says whether --json came last.
 */
#ifndef SSPR_CMD_ADMIN_H
#define SSPR_CMD_ADMIN_H

#include <stdbool.h>

#include "sspr/cmd/verbs.h"

/* sspr admin ...: argv[0] is the verb. An exit status. */
int cmd_admin(struct ctx *c, int argc, char **argv);

/* sspr admin unlock USER (admin_unlock.c). */
int cmd_admin_unlock(struct ctx *c, int argc, char **argv, bool json);

#endif
