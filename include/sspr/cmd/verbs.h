/*
 * The verbs of the sspr command that any user runs on their own record
 * (status, enroll, remove), and what the admin verbs share with them.
 */
#ifndef SSPR_CMD_VERBS_H
#define SSPR_CMD_VERBS_H

#include <stdbool.h>
#include <stddef.h>

#include "sspr/cmd/tty_ui.h"
#include "sspr/common/config.h"
#include "sspr/common/store.h"
#include "sspr/common/ui.h"

/* One run of the command. */
struct ctx {
	struct sspr_cfg cfg;
	char *user; /* the caller */
	bool root;
	struct sspr_tty tty;
	struct sspr_ui ui;
};

/* Load a record with privileges; -ENOENT is an empty record. */
int load_record(const struct ctx *c, const char *user, struct sspr_record *rec);

/* Whether w names a method: "email" or "totp". */
bool method_word(const char *w);

/*
 * Remove one method ("email", "totp") or, with NULL, the whole record.
 * *ret_email gets the backup address registered before (NULL: none),
 * to be told of the change.
 */
int remove_method(struct ctx *c, const char *user, const char *method,
		  char **ret_email);

/* Mail the notice of a removal; log gets what was mailed. */
void notify_removed(struct ctx *c, const char *user, const char *method,
		    const char *email, bool by_admin, char *log, size_t loglen);

/* sspr status, sspr enroll email ADDRESS|totp, sspr remove email|totp. */
int cmd_status(struct ctx *c, int argc, char **argv);
int cmd_enroll(struct ctx *c, int argc, char **argv);
int cmd_remove(struct ctx *c, int argc, char **argv);

#endif
