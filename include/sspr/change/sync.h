/*
 * Microsoft 365 side of a password change (Microsoft Graph), used by the
 * apply step: both passwords change, or neither.
 *
 * Every function returns 0 or a negative errno value. On failure, msg gets
 * one sentence for the person at the console ("Microsoft 365 did not
 * accept this password: ...") and log gets one line for the admin with
 * Graph's error code, client-request-id and request-id (never a secret).
 */
#ifndef SSPR_SYNC_H
#define SSPR_SYNC_H

#include <stddef.h>
#include <time.h>

#include "sspr/common/config.h"
#include "sspr/common/encode.h"

/*
 * Before anything changes: the user maps to a valid UPN, exists in
 * Microsoft 365, is enabled and not synced from on-premises AD
 * (onPremisesSyncEnabled), and a token can be had.
 */
int sspr_sync_precheck(const struct sspr_cfg *cfg, const char *user, char *msg,
		       size_t msglen, char *log, size_t loglen);

/*
 * The ids of the request that carried a password to Microsoft 365, for
 * the audit log: ours (client-request-id) and Graph's (request-id, or ""
 * when no answer came). Both empty when nothing was sent.
 */
struct sspr_sync_ids {
	char client[SSPR_GUID_LEN];
	char server[64];
};

/* PATCH passwordProfile with the new password; ids may be NULL. */
int sspr_sync_password(const struct sspr_cfg *cfg, const char *user,
		       const char *password, char *msg, size_t msglen,
		       char *log, size_t loglen, struct sspr_sync_ids *ids);

/*
 * Did the account's password change at or after since (its
 * lastPasswordChangeDateTime)? 1, 0, or -errno with log filled when
 * Microsoft 365 could not be asked.
 */
int sspr_sync_changed_since(const struct sspr_cfg *cfg, const char *user,
			    time_t since, char *log, size_t loglen);

/*
 * The backup email address the user registered in Microsoft 365
 * (authentication/emailMethods), for email_source = entra | both.
 * *ret_address is NULL (and 0 returned) when none is registered.
 */
int sspr_sync_entra_email(const struct sspr_cfg *cfg, const char *user,
			  char **ret_address, char *log, size_t loglen);

/*
 * Is the user a member, directly or through nested groups, of one of
 * the Entra groups of enable_entra_group (POST checkMemberGroups, 20 ids
 * a request)? 1 yes, 0 no, -ENOENT no such account in Microsoft 365,
 * else the errors above (the 403 of a missing GroupMember.Read.All is
 * -EACCES). log has the line for the admin either way.
 */
int sspr_sync_member_of(const struct sspr_cfg *cfg, const char *user, char *log,
			size_t loglen);

/*
 * The mobile number the user registered in Microsoft 365
 * (authentication/phoneMethods, phoneType mobile) in E.164, for
 * phone_source = entra | both; as sspr_sync_entra_email().
 */
int sspr_sync_entra_phone(const struct sspr_cfg *cfg, const char *user,
			  char **ret_number, char *log, size_t loglen);

#endif
