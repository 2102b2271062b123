/*
 * "sspr admin test": the mail transport.
 */
#ifndef SSPR_CMD_ADMIN_TEST_MAIL_H
#define SSPR_CMD_ADMIN_TEST_MAIL_H

#include "sspr/cmd/admin_test_out.h"

/* The transport mail_transport names; a test mail to send_to (or NULL). */
void check_mail(struct run *t, const char *send_to);

#endif
