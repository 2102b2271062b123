/*
 * The state of one "sspr admin test" run and its lines of output (the
 * format is in admin_test.h), or with --json one JSON object: each check
 * file reports through these, never to out itself.
 */
#ifndef SSPR_CMD_ADMIN_TEST_OUT_H
#define SSPR_CMD_ADMIN_TEST_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "sspr/common/config.h"
#include "sspr/m365/graph.h"

#define TEXT_MAX 1024
#define ENTRA "Microsoft Entra admin center"
#define ROLE_NAME "User Administrator"

struct run {
	FILE *out;
	unsigned failed;
	const struct sspr_cfg *cfg;
	/* cfg without state_dir: no token cache is read or written */
	struct sspr_cfg fresh;
	struct sspr_graph g;
	bool graph_open;
	bool signed_in;
	/* --json: one object of the checks so far */
	bool json;
	cJSON *checks;
	bool json_broken; /* out of memory on the way */
};

/* Start the output: lines, or with json one object at out_end(). */
void out_begin(struct run *t, bool json);

/*
 * End it: the summary line, or the JSON object. The number of failed
 * checks (one more when the JSON object could not be made).
 */
unsigned out_end(struct run *t);

/* "OK", "INFO" and "FAIL" lines; a FAIL counts in t->failed. */
void __attribute__((format(printf, 2, 3)))
out_ok(struct run *t, const char *fmt, ...);
void __attribute__((format(printf, 2, 3)))
out_info(struct run *t, const char *fmt, ...);
void __attribute__((format(printf, 2, 3)))
out_failed(struct run *t, const char *fmt, ...);

/* An indented line under a FAIL: "fix:", "detail:" or a continuation. */
void __attribute__((format(printf, 3, 4)))
out_note(struct run *t, const char *label, const char *fmt, ...);

/* How to grant an application permission, in the Entra admin center. */
void out_fix_permission(struct run *t, const char *names);

/* The directory role the app needs besides its permissions. */
void out_fix_role(struct run *t);

/* A "detail:" line with what Graph answered to what. */
void out_detail_graph(struct run *t, const struct sspr_graph_result *res,
		      const char *what);

#endif
