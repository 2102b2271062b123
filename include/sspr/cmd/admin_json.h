/*
 * The --json output of "sspr admin list" and "sspr admin show" (schema
 * in sspr(1), "JSON OUTPUT"): states, counts and times, never a secret.
 */
#ifndef SSPR_CMD_ADMIN_JSON_H
#define SSPR_CMD_ADMIN_JSON_H

#include <stdbool.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "sspr/cmd/verbs.h"
#include "sspr/common/store.h"

#define JSON_VERSION 1

/* A time as Unix seconds, null for none (0). */
bool json_time(cJSON *obj, const char *key, time_t t);

/* The "unfinished_change" member: null, or what load_journal() found. */
bool json_journal(const struct ctx *c, const char *user, cJSON *obj);

/* Print and free obj; EXIT_FAIL when anything went missing on the way. */
int json_print(cJSON *obj, bool ok);

/* One user of "admin list --json": r is the record's load result. */
bool json_list_entry(cJSON *users, const char *name, bool has_record, int r,
		     const struct sspr_record *rec, bool pending);

/* sspr admin show USER --json: an exit status. */
int json_show(const struct ctx *c, const char *user);

#endif
