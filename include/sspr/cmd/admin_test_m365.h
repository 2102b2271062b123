/*
 * "sspr admin test": Microsoft 365 sign-in and permissions.
 */
#ifndef SSPR_CMD_ADMIN_TEST_M365_H
#define SSPR_CMD_ADMIN_TEST_M365_H

#include "sspr/cmd/admin_test_out.h"

/*
 * Sign in afresh (t->fresh: no token cache) and read the permissions
 * the token carries; sets t->graph_open and t->signed_in.
 */
void check_sign_in(struct run *t);

#endif
