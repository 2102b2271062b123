/*
 * Reading the JSON that the Microsoft identity platform and Microsoft
 * Graph send back (shapes in graph.md). Every field is type-checked; a
 * body that does not have the documented shape is -EBADMSG, never a
 * guess. Kept apart from the network code so it can be tested and fuzzed
 * on its own.
 */
#ifndef SSPR_GRAPH_JSON_H
#define SSPR_GRAPH_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "sspr/m365/upn.h"

/* Longest access token accepted (real ones are a few KiB). */
#define SSPR_TOKEN_MAX (32 * 1024)
/* Longest token lifetime accepted, seconds. */
#define SSPR_TOKEN_MAX_LIFETIME (48 * 3600)

/*
 * Token endpoint success: {"token_type":"Bearer","expires_in":3599,
 * "access_token":"..."}; unknown fields are ignored. The token must be
 * printable ASCII without spaces (it goes into a header). *ret_token is
 * malloc'd, free with sspr_free_secret(). Every copy of the token that
 * parsing made is wiped. 0, -EBADMSG or -ENOMEM.
 */
int sspr_gj_token(const char *body, size_t len, char **ret_token,
		  unsigned long *ret_expires_in);

struct sspr_graph_error {
	/* Graph: error.code; login service: error ("invalid_client") */
	char code[64];
	/* login service: first of error_codes (AADSTS number), else 0 */
	unsigned long aadsts;
	/* Graph: innerError.request-id; login service: trace_id */
	char request_id[64];
	/* Graph: innerError.client-request-id; login: correlation_id */
	char client_request_id[64];
	/*
	 * First line of error.message or error_description, printable
	 * ASCII only (others become '?'), cut to fit. For the admin's log.
	 */
	char message[200];
};

/*
 * Either error shape: Graph {"error":{"code","message","innerError":{..}}}
 * or the login service's {"error":"...","error_description":"...",
 * "error_codes":[...],"trace_id","correlation_id"}. 0 or -EBADMSG.
 */
int sspr_gj_error(const char *body, size_t len, struct sspr_graph_error *ret);

struct sspr_graph_user {
	char id[64];
	char upn[SSPR_UPN_MAX + 1];
	bool account_enabled;
	/* onPremisesSyncEnabled: true; null (cloud-only) and false: false */
	bool on_premises_sync;
};

/*
 * GET /users/{upn}?$select=id,userPrincipalName,accountEnabled,
 * onPremisesSyncEnabled. id, userPrincipalName (strings) and
 * accountEnabled (boolean) are required; onPremisesSyncEnabled is a
 * boolean, null or absent. 0 or -EBADMSG.
 */
int sspr_gj_user(const char *body, size_t len, struct sspr_graph_user *ret);

/*
 * GET /users/{upn}?$select=lastPasswordChangeDateTime: the time as seconds
 * since the epoch ("2026-11-25T14:41:05Z"; 0 when null). 0 or -EBADMSG.
 */
int sspr_gj_password_changed(const char *body, size_t len, time_t *ret_when);

/*
 * GET /users/{upn}/authentication/emailMethods: {"value":[...]} with 0 or
 * 1 element {"id":"...","emailAddress":"..."}. 0 with *ret_address NULL
 * when none is registered, 0 with a malloc'd address, -EBADMSG (also for
 * an address sspr_address_ok() refuses), -ENOMEM.
 */
int sspr_gj_email_methods(const char *body, size_t len, char **ret_address);

/*
 * POST /users/{upn}/checkMemberGroups: {"value":["id", ...]}, the ids
 * among the n asked that the user is a member of (transitively). *ret_member
 * is true when there is one. An id that was not asked, or a value that is
 * no array of strings, is -EBADMSG.
 */
int sspr_gj_member_groups(const char *body, size_t len, const char *const *ids,
			  size_t n, bool *ret_member);

/*
 * GET /users/{upn}/authentication/phoneMethods: {"value":[...]} of
 * {"id","phoneNumber":"+81 9012345678","phoneType":"mobile"|...}. The
 * mobile number in E.164 (sspr_phone_canonical()) malloc'd into
 * *ret_number, or NULL when there is no mobile one; 0, -EBADMSG (also
 * for a mobile number that is not E.164), -ENOMEM.
 */
int sspr_gj_phone_methods(const char *body, size_t len, char **ret_number);

struct cJSON;

/*
 * Wipe every key and string of a cJSON tree (one that held a password,
 * token or code), then cJSON_Delete() it. NULL is fine.
 */
void sspr_gj_delete_wiped(struct cJSON *root);

/*
 * Print a tree that holds a secret into one buffer of cap bytes (no
 * reallocation, so no stray copies), then wipe and delete the tree in
 * every case. *ret_text is malloc'd: free it with sspr_free_secret().
 * 0, -E2BIG (cap too small) or -ENOMEM.
 */
int sspr_gj_print_secret(struct cJSON *root, size_t cap, char **ret_text);

#endif
