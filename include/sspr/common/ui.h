/*
 * Talking to the person: the same reset and enrollment dialogues run over
 * the PAM conversation (at login) and over the terminal (the sspr
 * command). Text is plain UTF-8, one message per call.
 */
#ifndef SSPR_UI_H
#define SSPR_UI_H

#include <stdarg.h>
#include <stdbool.h>

#define SSPR_ANSWER_MAX 512

struct sspr_ui {
	void *ctx;
	/*
	 * Ask; *ret_answer is malloc'd (free with sspr_free_secret()).
	 * Returns 0, -ECANCELED when the person gave up (EOF), -EIO.
	 */
	int (*prompt)(void *ctx, bool echo, const char *text,
		      char **ret_answer);
	/* Tell; error selects an error message rather than information. */
	int (*say)(void *ctx, bool error, const char *text);
};

/* printf-style helpers over ui->say and ui->prompt. */
int sspr_ui_info(const struct sspr_ui *ui, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int sspr_ui_error(const struct sspr_ui *ui, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int sspr_ui_ask(const struct sspr_ui *ui, bool echo, char **ret_answer,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Ask a yes/no question; default_yes decides an empty answer. */
int sspr_ui_confirm(const struct sspr_ui *ui, bool default_yes, bool *ret_yes,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
