/*
 * "sspr admin test": the text message transport.
 */
#ifndef SSPR_CMD_ADMIN_TEST_SMS_H
#define SSPR_CMD_ADMIN_TEST_SMS_H

#include "sspr/cmd/admin_test_out.h"

/* The transport sms_transport names; a test message to send_to (or NULL). */
void check_sms(struct run *t, const char *send_to);

#endif
