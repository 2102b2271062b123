/*
 * A scripted person for the dialogues: struct sspr_ui whose prompts must
 * come in the order of a script (each step names a part of the prompt it
 * expects and gives the answer), and a transcript of everything said and
 * asked. An answer may be computed when its prompt comes (a mailed code,
 * a current TOTP code); an answer of NULL from such a function is the
 * person giving up (end of input).
 *
 * Also a pam_syslog() in place of libpam's, so the admin's log lines are
 * checked too and nothing reaches the machine's syslog.
 */
#ifndef SSPR_TEST_FAKE_UI_H
#define SSPR_TEST_FAKE_UI_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_ext.h>

#include "check.h"
#include "sspr/common/ui.h"

#define FAKE_TEXT_MAX 32768

struct fake_ui;

struct fake_step {
	const char *expect; /* part of the prompt this step answers */
	const char *answer; /* the answer, or NULL: ask answer_fn */
	char *(*answer_fn)(struct fake_ui *fake); /* malloc'd or NULL */
};

struct fake_ui {
	const struct fake_step *script;
	size_t steps;
	size_t next;
	bool off_script; /* a prompt came that the script did not expect */
	char said[FAKE_TEXT_MAX];
	size_t said_len;
};

/* Everything pam_syslog() was asked to log, one line each. */
static char fake_log[FAKE_TEXT_MAX];
static size_t fake_log_len;

static void
fake_append(char *buf, size_t *len, const char *tag, const char *text)
{
	int n;

	if (*len >= FAKE_TEXT_MAX)
		return;
	n = snprintf(buf + *len, FAKE_TEXT_MAX - *len, "%s%s\n", tag, text);
	if (n > 0)
		*len += (size_t)n;
	if (*len >= FAKE_TEXT_MAX)
		*len = FAKE_TEXT_MAX - 1;
}

static int
fake_prompt(void *ctx, bool echo, const char *text, char **ret_answer)
{
	struct fake_ui *fake = ctx;
	const struct fake_step *step;
	char *answer;

	fake_append(fake->said, &fake->said_len,
		    echo ? "ask: " : "ask*: ", text);
	if (fake->next >= fake->steps) {
		fprintf(stderr, "  unexpected prompt '%s'\n", text);
		fake->off_script = true;
		return -ECANCELED;
	}
	step = &fake->script[fake->next++];
	if (strstr(text, step->expect) == NULL) {
		fprintf(stderr, "  prompt '%s', expected '%s'\n", text,
			step->expect);
		fake->off_script = true;
		return -ECANCELED;
	}
	answer = step->answer != NULL	   ? strdup(step->answer)
		 : step->answer_fn != NULL ? step->answer_fn(fake)
					   : NULL;
	if (answer == NULL)
		return -ECANCELED;
	*ret_answer = answer;
	return 0;
}

static int
fake_say(void *ctx, bool error, const char *text)
{
	struct fake_ui *fake = ctx;

	fake_append(fake->said, &fake->said_len,
		    error ? "error: " : "info: ", text);
	return 0;
}

static void
fake_ui_init(struct fake_ui *fake, struct sspr_ui *ui,
	     const struct fake_step *script, size_t steps)
{
	memset(fake, 0, sizeof(*fake));
	fake->script = script;
	fake->steps = steps;
	ui->ctx = fake;
	ui->prompt = fake_prompt;
	ui->say = fake_say;
	fake_log_len = 0;
	fake_log[0] = '\0';
}

/* Every step of the script was used, and nothing else was asked. */
static bool
fake_ui_done(const struct fake_ui *fake)
{
	if (fake->off_script || fake->next != fake->steps)
		fprintf(stderr, "  script: %zu of %zu steps used%s\n",
			fake->next, fake->steps,
			fake->off_script ? ", off script" : "");
	return !fake->off_script && fake->next == fake->steps;
}

static bool
fake_said(const struct fake_ui *fake, const char *part)
{
	if (strstr(fake->said, part) != NULL)
		return true;
	fprintf(stderr, "  not said: '%s'; transcript:\n%s", part, fake->said);
	return false;
}

/* Tests of dialogues that log nothing have no use for it. */
__attribute__((unused)) static bool
fake_logged(const char *part)
{
	if (strstr(fake_log, part) != NULL)
		return true;
	fprintf(stderr, "  not logged: '%s'; log:\n%s", part, fake_log);
	return false;
}

void
pam_syslog(const pam_handle_t *pamh, int priority, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	(void)pamh;
	(void)priority;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fake_append(fake_log, &fake_log_len, "", line);
}

#define FAKE_RUN_SCRIPT(fake, ui, script)                                      \
	fake_ui_init(fake, ui, script, sizeof(script) / sizeof((script)[0]))

#endif
