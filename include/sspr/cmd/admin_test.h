/*
 * "sspr admin test": check a configuration end to end without changing
 * anything, and say for each problem what to do about it.
 *
 * One line per check on out: "OK    what", "FAIL  what: why" followed by
 * indented "      fix: ..." lines, or "INFO  ..." for something that was
 * not checked or not used (never counted as a failure). With json, one
 * JSON object instead, the same checks (sspr(1), "JSON OUTPUT").
 *
 * Nothing is changed: no password, no store record, no token cache (the
 * checks always sign in afresh, so a cached token cannot hide a wrong
 * secret, and the cache of a running system is neither read nor
 * replaced). The only requests are the token request and Graph GETs; the
 * SMTP check stops after EHLO, STARTTLS and AUTH. A mail is sent only
 * when send_to asks for one.
 */
#ifndef SSPR_ADMIN_TEST_H
#define SSPR_ADMIN_TEST_H

#include <stdbool.h>
#include <stdio.h>

#include "sspr/common/config.h"

struct sspr_admin_test {
	const char *user; /* local user to check, or NULL */
	/* a test mail (or text message, "+...") here, or NULL */
	const char *send_to;
	bool json; /* --json: one JSON object */
};

/*
 * Run every check against a configuration that loaded. Returns the
 * number of failed checks: 0 when everything that was checked is fine.
 */
unsigned sspr_admin_test_run(const struct sspr_cfg *cfg,
			     const struct sspr_admin_test *opts, FILE *out);

/* The failure line for a configuration that did not load (err says why). */
void sspr_admin_test_config_failed(const char *err, bool json, FILE *out);

#endif
