/*
 * The caller proves who they are before a change: PAM service "sspr"
 * over the terminal.
 */
#ifndef SSPR_CMD_REAUTH_H
#define SSPR_CMD_REAUTH_H

#include "sspr/cmd/tty_ui.h"

/* 0, or an exit status after saying why. */
int reauthenticate(struct sspr_tty *tty, const char *user);

#endif
