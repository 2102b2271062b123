/*
 * The --json output of "sspr admin list" and "sspr admin show" (schema
 * in sspr(1), "JSON OUTPUT").
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "sspr/auth/ratelimit.h"
#include "sspr/cmd/admin_journal.h"
#include "sspr/cmd/admin_json.h"
#include "sspr/cmd/output.h"
#include "sspr/cmd/priv.h"
#include "sspr/cmd/verbs.h"
#include "sspr/common/config.h"
#include "sspr/common/errors.h"
#include "sspr/common/i18n.h"
#include "sspr/common/journal.h"
#include "sspr/common/store.h"
#include "sspr/common/util.h"

bool
json_time(cJSON *obj, const char *key, time_t t)
{
	return (t != 0 ? cJSON_AddNumberToObject(obj, key, (double)t)
		       : cJSON_AddNullToObject(obj, key)) != NULL;
}

static bool
json_bool(cJSON *obj, const char *key, bool b)
{
	return cJSON_AddBoolToObject(obj, key, b) != NULL;
}

int
json_print(cJSON *obj, bool ok)
{
	char *text = ok && obj != NULL ? cJSON_Print(obj) : NULL;

	cJSON_Delete(obj);
	if (text == NULL) {
		fail("%s", strerror(ENOMEM));
		return EXIT_FAIL;
	}
	printf("%s\n", text);
	cJSON_free(text);
	return EXIT_OK;
}

bool
json_journal(const struct ctx *c, const char *user, cJSON *obj)
{
	static const char *const local_word[] = {
		[LOCAL_UNKNOWN] = "unknown",
		[LOCAL_OLD] = "old",
		[LOCAL_NEW] = "new",
		[LOCAL_CHANGED] = "changed",
	};
	struct sspr_journal j;
	enum local_side local;
	cJSON *o;
	bool ok;
	int r;

	r = load_journal(c, user, &j, &local);
	if (r == -ENOENT)
		return cJSON_AddNullToObject(obj, "unfinished_change") != NULL;
	o = cJSON_AddObjectToObject(obj, "unfinished_change");
	if (o == NULL)
		return false;
	if (r < 0)
		return cJSON_AddStringToObject(o, "error",
					       sspr_store_strerror(r)) != NULL;
	ok = cJSON_AddStringToObject(o, "kind",
				     sspr_journal_path_name(j.path)) != NULL &&
	     cJSON_AddStringToObject(
		 o, "stage", sspr_journal_stage_name(j.stage)) != NULL &&
	     json_time(o, "started", j.started) &&
	     json_time(o, "sent", j.sent) &&
	     cJSON_AddStringToObject(o, "this_host", local_word[local]) !=
		 NULL &&
	     cJSON_AddStringToObject(o, "microsoft365",
				     j.stage == SSPR_JOURNAL_PREPARED ||
					     j.stage == SSPR_JOURNAL_REFUSED
					 ? "old"
					 : "unknown") != NULL;
	sspr_wipe(&j, sizeof(j));
	return ok;
}

/*
 * sspr admin show USER --json: the record's state, never a secret (no
 * key, no code hash, no address: booleans, counts and times).
 */
int
json_show(const struct ctx *c, const char *user)
{
	struct sspr_record rec = { 0 };
	time_t now = time(NULL);
	bool has_totp;
	cJSON *o;
	bool ok;
	int r;

	r = priv_raise();
	if (r == 0) {
		r = sspr_store_load(c->cfg.state_dir, user, &rec);
		priv_lower();
	}
	if (r < 0 && r != -ENOENT) {
		fail(_("cannot read the record of %s: %s"), user,
		     sspr_store_strerror(r));
		return EXIT_FAIL;
	}
	has_totp = rec.totp_secret != NULL;
	o = cJSON_CreateObject();
	ok =
	    o != NULL && cJSON_AddNumberToObject(o, "version", JSON_VERSION) &&
	    cJSON_AddStringToObject(o, "user", user) != NULL &&
	    json_bool(o, "record", r == 0) &&
	    json_bool(o, "email", rec.email != NULL) &&
	    json_bool(o, "sms", rec.phone != NULL) &&
	    json_bool(o, "totp", has_totp) &&
	    (has_totp ? cJSON_AddStringToObject(
			    o, "totp_algorithm",
			    sspr_cfg_choice_name("totp_algorithm",
						 rec.totp_algorithm)) != NULL &&
			    cJSON_AddNumberToObject(o, "totp_digits",
						    rec.totp_digits) != NULL
		      : cJSON_AddNullToObject(o, "totp_algorithm") != NULL &&
			    cJSON_AddNullToObject(o, "totp_digits") != NULL) &&
	    json_time(o, "reset_code_until",
		      rec.reset_code.hash != NULL ? rec.reset_code.expires
						  : 0) &&
	    json_time(o, "enroll_code_until",
		      rec.enroll_code.hash != NULL ? rec.enroll_code.expires
						   : 0) &&
	    cJSON_AddNumberToObject(o, "failures", rec.failures) != NULL &&
	    json_bool(o, "locked", sspr_is_locked(&rec, now)) &&
	    json_time(o, "locked_until", rec.locked_until) &&
	    cJSON_AddNumberToObject(o, "lockouts", rec.lockouts) != NULL &&
	    cJSON_AddNumberToObject(o, "day_failures", rec.day_failures) !=
		NULL &&
	    json_time(o, "remind_after", rec.remind_after) &&
	    json_time(o, "confirmed_at", rec.confirmed_at) &&
	    json_time(o, "unfinished_sync", rec.sync_pending) &&
	    json_journal(c, user, o);
	sspr_record_done(&rec);
	return json_print(o, ok);
}

bool
json_list_entry(cJSON *users, const char *name, bool has_record, int r,
		const struct sspr_record *rec, bool pending)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || !cJSON_AddItemToArray(users, o)) {
		cJSON_Delete(o);
		return false;
	}
	return cJSON_AddStringToObject(o, "user", name) != NULL &&
	       json_bool(o, "record", has_record) &&
	       json_bool(o, "email", r == 0 && rec->email != NULL) &&
	       json_bool(o, "sms", r == 0 && rec->phone != NULL) &&
	       json_bool(o, "totp", r == 0 && rec->totp_secret != NULL) &&
	       json_bool(o, "unfinished_password_change", pending) &&
	       (r < 0 ? cJSON_AddStringToObject(o, "error",
						sspr_store_strerror(r))
		      : cJSON_AddNullToObject(o, "error")) != NULL;
}
