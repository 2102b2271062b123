/*
 * A loopback SMTP listener the test program starts itself: a child
 * process on 127.0.0.1 (a port the kernel picks) that takes mail without
 * TLS and writes each message as mail.N in a directory, before it
 * answers the final "250", so the message is there when the sender
 * returns. With a file "refuse" in that directory it refuses every
 * sender (a mail server that is down for us). Plain text is enough: the
 * TLS side of mail has its own tests in the e2e layer.
 */
#ifndef SSPR_TEST_SMTP_SINK_H
#define SSPR_TEST_SMTP_SINK_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define SINK_MAX_CONNECTIONS 200
#define SINK_LINE_MAX 2048

struct smtp_sink {
	pid_t pid;
	unsigned port;
	char dir[256];
	unsigned taken; /* messages the parent has looked at */
};

static void
sink_reply(FILE *f, const char *text)
{
	fputs(text, f);
	fputs("\r\n", f);
	fflush(f);
}

/* One SMTP session; returns the number of messages it stored. */
static unsigned
sink_session(int fd, const char *dir, unsigned seq)
{
	FILE *f = fdopen(fd, "r+");
	char line[SINK_LINE_MAX];
	char path[512];
	char refuse[512];
	FILE *out = NULL;
	unsigned stored = 0;

	if (f == NULL)
		return 0;
	snprintf(refuse, sizeof(refuse), "%s/refuse", dir);
	sink_reply(f, "220 sink ESMTP");
	while (fgets(line, sizeof(line), f) != NULL) {
		if (out != NULL) {
			if (strcmp(line, ".\r\n") == 0) {
				fclose(out);
				out = NULL;
				stored++;
				sink_reply(f, "250 stored");
			} else {
				fputs(line, out);
			}
			continue;
		}
		if (strncasecmp(line, "EHLO", 4) == 0) {
			sink_reply(f, "250-sink\r\n250 8BITMIME");
		} else if (strncasecmp(line, "MAIL FROM:", 10) == 0) {
			sink_reply(f, access(refuse, F_OK) == 0
					  ? "550 not today"
					  : "250 ok");
		} else if (strncasecmp(line, "DATA", 4) == 0) {
			snprintf(path, sizeof(path), "%s/mail.%u", dir,
				 seq + stored);
			out = fopen(path, "w");
			sink_reply(f, out != NULL ? "354 go ahead"
						  : "451 cannot store");
		} else if (strncasecmp(line, "QUIT", 4) == 0) {
			sink_reply(f, "221 bye");
			break;
		} else {
			/* RCPT, RSET, NOOP, HELO */
			sink_reply(f, "250 ok");
		}
	}
	if (out != NULL)
		fclose(out);
	fclose(f);
	return stored;
}

/* Start the listener for mail into dir; 0 or -1. */
static int
smtp_sink_start(struct smtp_sink *sink, const char *dir)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	unsigned seq = 0;
	int conn;
	int fd;
	int i;

	memset(sink, 0, sizeof(*sink));
	snprintf(sink->dir, sizeof(sink->dir), "%s", dir);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(fd, 8) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
		perror("smtp sink");
		return -1;
	}
	sink->port = ntohs(sa.sin_port);
	fflush(NULL);
	sink->pid = fork();
	if (sink->pid < 0)
		return -1;
	if (sink->pid == 0) {
		/* Never outlive a test that hangs or forgets to stop us. */
		alarm(300);
		for (i = 0; i < SINK_MAX_CONNECTIONS; i++) {
			conn = accept(fd, NULL, NULL);
			if (conn < 0)
				_exit(1);
			seq += sink_session(conn, dir, seq);
		}
		_exit(0);
	}
	close(fd);
	return 0;
}

/*
 * Can this process reach the listener? Not in a network namespace whose
 * loopback is down (a build chroot may be one): the caller skips then.
 */
static bool
smtp_sink_reachable(const struct smtp_sink *sink)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	bool ok;
	int fd;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)sink->port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static void
smtp_sink_stop(struct smtp_sink *sink)
{
	if (sink->pid > 0) {
		kill(sink->pid, SIGTERM);
		waitpid(sink->pid, NULL, 0);
	}
	sink->pid = 0;
}

/* Refuse (true) or take (false) mail from now on. */
static void
smtp_sink_refuse(struct smtp_sink *sink, bool refuse)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/refuse", sink->dir);
	if (!refuse) {
		unlink(path);
		return;
	}
	f = fopen(path, "w");
	if (f != NULL)
		fclose(f);
}

/* The next message not looked at yet, malloc'd; NULL when none came. */
static char *
smtp_sink_next(struct smtp_sink *sink)
{
	char path[512];
	char *text;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/mail.%u", sink->dir, sink->taken);
	f = fopen(path, "r");
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
	if (text != NULL && n > 0 && fread(text, 1, (size_t)n, f) != (size_t)n)
		text[0] = '\0';
	fclose(f);
	sink->taken++;
	return text;
}

/* How many messages arrived that were not looked at yet. */
static unsigned
smtp_sink_pending(const struct smtp_sink *sink)
{
	char path[512];
	unsigned n = 0;

	for (;;) {
		snprintf(path, sizeof(path), "%s/mail.%u", sink->dir,
			 sink->taken + n);
		if (access(path, F_OK) != 0)
			return n;
		n++;
	}
}

/* The code after "Your code is: " in a message, malloc'd, or NULL. */
static char *
mail_code(const char *mail)
{
	const char *p = mail != NULL ? strstr(mail, "Your code is: ") : NULL;
	size_t n;

	if (p == NULL)
		return NULL;
	p += strlen("Your code is: ");
	n = strspn(p, "0123456789");
	return n > 0 ? strndup(p, n) : NULL;
}

#endif
