/*
 * A user's unfinished password change as "sspr admin show" prints it:
 * the journal, and which password this host holds now.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "sspr/change/local_password.h"
#include "sspr/cmd/admin_journal.h"
#include "sspr/cmd/priv.h"
#include "sspr/cmd/verbs.h"
#include "sspr/common/errors.h"
#include "sspr/common/journal.h"
#include "sspr/common/util.h"

void
print_time(const char *label, time_t t)
{
	char buf[64] = "-";
	struct tm tm;

	if (t != 0 && localtime_r(&t, &tm) != NULL)
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %z", &tm);
	printf("%-18s %s\n", label, buf);
}

int
load_journal(const struct ctx *c, const char *user, struct sspr_journal *j,
	     enum local_side *local)
{
	struct sspr_shadow_fields cur;
	int r;

	*local = LOCAL_UNKNOWN;
	r = priv_raise();
	if (r < 0)
		return r;
	r = sspr_journal_load(c->cfg.state_dir, user, j);
	if (r == 0 && sspr_shadow_read(user, &cur) == 0)
		*local =
		    sspr_shadow_fields_eq(&cur, &j->old_local) ? LOCAL_OLD
		    : j->has_new && sspr_shadow_fields_eq(&cur, &j->new_local)
			? LOCAL_NEW
			: LOCAL_CHANGED;
	priv_lower();
	sspr_wipe(&cur, sizeof(cur));
	return r;
}

void
print_journal(const struct ctx *c, const char *user)
{
	static const char *const local_text[] = {
		[LOCAL_UNKNOWN] = "unknown (no shadow entry)",
		[LOCAL_OLD] = "the old password",
		[LOCAL_NEW] = "the new password",
		[LOCAL_CHANGED] = "changed since (not by pam_sspr)",
	};
	struct sspr_journal j;
	enum local_side local;
	const char *remote;
	int r;

	r = load_journal(c, user, &j, &local);
	if (r == -ENOENT)
		return;
	if (r < 0) {
		printf("%-18s %s\n", "unfinished change",
		       sspr_store_strerror(r));
		return;
	}
	switch (j.stage) {
	case SSPR_JOURNAL_PREPARED:
		remote = "the old password (never sent)";
		break;
	case SSPR_JOURNAL_REFUSED:
		remote = "the old password (refused)";
		break;
	default:
		remote = "not known: sent, answer not confirmed";
		break;
	}
	printf("%-18s %s, stage %s\n", "unfinished change",
	       sspr_journal_path_name(j.path),
	       sspr_journal_stage_name(j.stage));
	print_time("  started", j.started);
	if (j.sent != 0)
		print_time("  sent", j.sent);
	printf("%-18s %s\n", "  this host", local_text[local]);
	printf("%-18s %s\n", "  Microsoft 365", remote);
	sspr_wipe(&j, sizeof(j));
}
