/*
 * struct sspr_ui over the PAM conversation, plus the printf-style helpers
 * every dialogue uses.
 */
#include "sspr/common/conv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_ext.h>

#include "sspr/common/util.h"

static int
pam_ui_prompt(void *ctx, bool echo, const char *text, char **ret_answer)
{
	pam_handle_t *pamh = ctx;
	char *answer = NULL;
	int r;

	/* Foreign text is never a format string. */
	r = pam_prompt(pamh, echo ? PAM_PROMPT_ECHO_ON : PAM_PROMPT_ECHO_OFF,
		       &answer, "%s", text);
	if (r != PAM_SUCCESS || answer == NULL) {
		sspr_free_secret(answer);
		return r == PAM_CONV_AGAIN ? -EAGAIN : -ECANCELED;
	}
	if (strlen(answer) > SSPR_ANSWER_MAX) {
		sspr_free_secret(answer);
		return -E2BIG;
	}
	*ret_answer = answer;
	return 0;
}

static int
pam_ui_say(void *ctx, bool error, const char *text)
{
	pam_handle_t *pamh = ctx;
	int r;

	r = pam_prompt(pamh, error ? PAM_ERROR_MSG : PAM_TEXT_INFO, NULL, "%s",
		       text);
	return r == PAM_SUCCESS ? 0 : -EIO;
}

void
sspr_conv_ui(pam_handle_t *pamh, struct sspr_ui *ui)
{
	ui->ctx = pamh;
	ui->prompt = pam_ui_prompt;
	ui->say = pam_ui_say;
}

/*
 * vsnprintf into text; a message cut short ends on a whole UTF-8
 * character (a kanji is 3 bytes), never on half of one.
 */
static void __attribute__((format(printf, 3, 0)))
text_vformat(char *text, size_t size, const char *fmt, va_list ap)
{
	int n = vsnprintf(text, size, fmt, ap);
	size_t len = size - 1; /* what was kept */
	size_t lead = len;
	unsigned char c;
	size_t need;

	if (n < 0 || (size_t)n < size)
		return;
	/* The first byte of the last character kept, and its length. */
	while (lead > 0 && ((unsigned char)text[lead - 1] & 0xc0) == 0x80)
		lead--;
	if (lead == 0)
		return;
	c = (unsigned char)text[--lead];
	need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	if (len - lead < need)
		text[lead] = '\0';
}

static int
ui_vsay(const struct sspr_ui *ui, bool error, const char *fmt, va_list ap)
{
	char text[1024];

	text_vformat(text, sizeof(text), fmt, ap);
	return ui->say(ui->ctx, error, text);
}

int
sspr_ui_info(const struct sspr_ui *ui, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = ui_vsay(ui, false, fmt, ap);
	va_end(ap);
	return r;
}

int
sspr_ui_error(const struct sspr_ui *ui, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = ui_vsay(ui, true, fmt, ap);
	va_end(ap);
	return r;
}

int
sspr_ui_ask(const struct sspr_ui *ui, bool echo, char **ret_answer,
	    const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	int r;

	va_start(ap, fmt);
	text_vformat(text, sizeof(text), fmt, ap);
	va_end(ap);
	r = ui->prompt(ui->ctx, echo, text, ret_answer);
	/*
	 * What is echoed (codes, menu choices, addresses) may come from a
	 * Japanese input method in full-width digits; hidden answers are
	 * passwords and stay exactly as typed.
	 */
	if (r >= 0 && echo && *ret_answer != NULL)
		sspr_fold_width(*ret_answer);
	return r;
}

int
sspr_ui_confirm(const struct sspr_ui *ui, bool default_yes, bool *ret_yes,
		const char *fmt, ...)
{
	char text[1024];
	char *answer = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	text_vformat(text, sizeof(text), fmt, ap);
	va_end(ap);
	r = ui->prompt(ui->ctx, true, text, &answer);
	if (r < 0)
		return r;
	/*
	 * The locale's own yes (YESEXPR: "y" everywhere, "はい" and a
	 * full-width "ｙ" in Japanese); anything else is no.
	 */
	if (answer[0] == '\0')
		*ret_yes = default_yes;
	else
		*ret_yes = rpmatch(answer) == 1;
	free(answer);
	return 0;
}
