/*
 * "sspr admin test" (include/sspr/cmd/admin_test.h): every check that a
 * reset depends on, read-only, with what to do when one fails.
 *
 * Order: configuration, state_dir, Microsoft 365 sign-in and the
 * application permissions its token carries (mail through Graph needs
 * them; admin_test_m365.c), the mail transport (admin_test_mail.c), the
 * text message transport (admin_test_sms.c), then
 * the given user: local account, UPN, Microsoft 365 account, registered
 * email (admin_test_user.c).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sspr/cmd/admin_test.h"
#include "sspr/cmd/admin_test_m365.h"
#include "sspr/cmd/admin_test_mail.h"
#include "sspr/cmd/admin_test_out.h"
#include "sspr/cmd/admin_test_sms.h"
#include "sspr/cmd/admin_test_user.h"
#include "sspr/common/config.h"
#include "sspr/common/store.h"
#include "sspr/m365/graph.h"

void
sspr_admin_test_config_failed(const char *err, bool json, FILE *out)
{
	struct run t = { .out = out };

	out_begin(&t, json);
	out_failed(&t, "configuration: %s", err);
	out_note(&t, "fix:",
		 "correct it (every key is in sspr.conf(5)) and run \"sspr "
		 "admin test\" again");
	(void)out_end(&t);
}

static void
check_config(struct run *t)
{
	const char *path =
	    t->cfg->conf_path != NULL ? t->cfg->conf_path : SSPR_CONF_PATH;

	if (access(path, F_OK) == 0)
		out_ok(t, "configuration %s", path);
	else
		out_ok(t,
		       "configuration: %s does not exist, built-in defaults "
		       "apply",
		       path);
}

static void
check_state_dir(struct run *t)
{
	const char *dir = t->cfg->state_dir;
	int r;

	r = sspr_store_check_dir(dir);
	if (r == 0) {
		out_ok(t,
		       "state_dir %s: a directory owned by root that others "
		       "cannot write",
		       dir);
		return;
	}
	out_failed(t, "state_dir %s: %s", dir != NULL ? dir : "(unset)",
		   r == -ENOENT	   ? "does not exist"
		   : r == -ELOOP   ? "is a symbolic link"
		   : r == -ENOTDIR ? "is not a directory"
		   : r == -EPERM   ? "not owned by root, or writable by group "
				     "or others"
		   : r == -EINVAL  ? "not an absolute path"
				   : strerror(-r));
	if (r == -ENOENT || r == -EPERM)
		out_note(t, "fix:", "install -d -m 0700 -o root -g root %s",
			 dir);
	else
		out_note(t, "fix:",
			 "set state_dir to an absolute path of a "
			 "root-only directory (default /var/lib/sspr)");
}

unsigned
sspr_admin_test_run(const struct sspr_cfg *cfg,
		    const struct sspr_admin_test *opts, FILE *out)
{
	struct run t = { .out = out, .cfg = cfg };
	/* --send-to: a number (+...) gets a text message, else a mail. */
	bool number = opts->send_to != NULL && opts->send_to[0] == '+';

	out_begin(&t, opts->json);
	t.fresh = *cfg;
	t.fresh.state_dir = NULL;
	check_config(&t);
	check_state_dir(&t);
	check_sign_in(&t);
	check_mail(&t, number ? NULL : opts->send_to);
	check_sms(&t, number ? opts->send_to : NULL);
	if (opts->user != NULL) {
		check_local_user(&t, opts->user);
		check_m365_user(&t, opts->user);
	}
	if (t.graph_open)
		sspr_graph_close(&t.g);
	return out_end(&t);
}
