/*
 * "sspr admin test USER": one user, here and in Microsoft 365.
 */
#ifndef SSPR_CMD_ADMIN_TEST_USER_H
#define SSPR_CMD_ADMIN_TEST_USER_H

#include "sspr/cmd/admin_test_out.h"

/* The local account, the gate, the account's state and its record. */
void check_local_user(struct run *t, const char *user);

/* The UPN, the Microsoft 365 account and its registered email. */
void check_m365_user(struct run *t, const char *user);

#endif
