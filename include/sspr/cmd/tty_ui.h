/*
 * struct sspr_ui over the controlling terminal, for the sspr command:
 * prompts and answers on /dev/tty (echo off for secrets), information on
 * stdout, errors on stderr.
 */
#ifndef SSPR_TTY_UI_H
#define SSPR_TTY_UI_H

#include <stdbool.h>

#include "sspr/common/ui.h"

struct sspr_tty {
	int fd; /* /dev/tty, or -1 */
};

/* Open /dev/tty; 0 or a negative errno (no controlling terminal). */
int sspr_tty_open(struct sspr_tty *tty);
void sspr_tty_close(struct sspr_tty *tty);

/*
 * Write prompt and read one line (without its newline) into a malloc'd
 * string, free with sspr_free_secret(). Echo is off unless echo; the
 * terminal is restored afterwards, also when a signal ends the program
 * (see sspr_tty_restore()). 0, -ECANCELED at end of input, -E2BIG for a
 * line over SSPR_ANSWER_MAX bytes, -EIO.
 */
int sspr_tty_read(struct sspr_tty *tty, bool echo, const char *prompt,
		  char **ret_answer);

/* Fill ui to talk through tty. */
void sspr_tty_ui(struct sspr_tty *tty, struct sspr_ui *ui);

/* Put back terminal settings changed by a pending read; signal-safe. */
void sspr_tty_restore(void);

#endif
