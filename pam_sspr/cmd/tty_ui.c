/* The sspr command's terminal: struct sspr_ui over /dev/tty. */
#include "sspr/cmd/tty_ui.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "sspr/common/util.h"

/* What a signal handler needs to put the terminal back. */
static volatile sig_atomic_t saved_valid;
static int saved_fd = -1;
static struct termios saved_termios;

int
sspr_tty_open(struct sspr_tty *tty)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -errno;
	tty->fd = fd;
	return 0;
}

void
sspr_tty_close(struct sspr_tty *tty)
{
	if (tty->fd >= 0)
		close(tty->fd);
	tty->fd = -1;
}

void
sspr_tty_restore(void)
{
	if (saved_valid) {
		tcsetattr(saved_fd, TCSAFLUSH, &saved_termios);
		saved_valid = 0;
	}
}

static int
write_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, s, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

int
sspr_tty_read(struct sspr_tty *tty, bool echo, const char *prompt,
	      char **ret_answer)
{
	char buf[SSPR_ANSWER_MAX + 1];
	struct termios t;
	size_t len = 0;
	bool too_long = false;
	bool got_any = false;
	char *answer;
	int r = 0;

	if (tty->fd < 0)
		return -EIO;
	if (prompt != NULL && prompt[0] != '\0')
		write_all(tty->fd, prompt, strlen(prompt));
	if (!echo) {
		if (tcgetattr(tty->fd, &t) < 0)
			return -errno;
		saved_termios = t;
		saved_fd = tty->fd;
		saved_valid = 1;
		t.c_lflag &= ~(tcflag_t)ECHO;
		t.c_lflag |= ECHONL;
		if (tcsetattr(tty->fd, TCSAFLUSH, &t) < 0) {
			saved_valid = 0;
			return -errno;
		}
	}
	for (;;) {
		char c;
		ssize_t n = read(tty->fd, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -EIO;
			break;
		}
		if (n == 0) {
			if (!got_any)
				r = -ECANCELED;
			break;
		}
		got_any = true;
		if (c == '\n')
			break;
		if (len < SSPR_ANSWER_MAX)
			buf[len++] = c;
		else
			too_long = true;
		sspr_wipe(&c, sizeof(c));
	}
	if (!echo)
		sspr_tty_restore();
	buf[len] = '\0';
	if (r == 0 && too_long)
		r = -E2BIG;
	if (r == 0) {
		/* A trailing CR from a terminal in raw-ish modes is no answer.
		 */
		if (len > 0 && buf[len - 1] == '\r')
			buf[--len] = '\0';
		answer = strdup(buf);
		if (answer == NULL)
			r = -ENOMEM;
		else
			*ret_answer = answer;
	}
	sspr_wipe(buf, sizeof(buf));
	return r;
}

static int
tty_prompt(void *ctx, bool echo, const char *text, char **ret_answer)
{
	return sspr_tty_read(ctx, echo, text, ret_answer);
}

static int
tty_say(void *ctx, bool error, const char *text)
{
	FILE *f = error ? stderr : stdout;
	size_t len = strlen(text);

	(void)ctx;
	/* Keep the order of information and errors on one terminal. */
	fflush(stdout);
	if (fputs(text, f) == EOF)
		return -EIO;
	if (len == 0 || text[len - 1] != '\n')
		fputc('\n', f);
	fflush(f);
	return 0;
}

void
sspr_tty_ui(struct sspr_tty *tty, struct sspr_ui *ui)
{
	ui->ctx = tty;
	ui->prompt = tty_prompt;
	ui->say = tty_say;
}
