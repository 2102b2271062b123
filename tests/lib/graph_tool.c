/*
 * graph_tool CONF ACTION ARGS: drive the Microsoft 365 client against the
 * emulator, for tests/pam/test_graph_client.sh.
 *
 *   precheck USER      sspr_sync_precheck()
 *   sync USER          sspr_sync_password(); the password is stdin's first line
 *   email USER         sspr_sync_entra_email()
 *   mail TO SUBJECT    sspr_mail_graph_send(); the body is stdin
 *   token              sspr_graph_token() only
 *   sms TO             sspr_sms_send(); the text is stdin
 *   reset USER [MS]    precheck then sync in one kept-connection scope,
 *                      as a reset at the console does (stdin as for sync),
 *                      with MS milliseconds between them (the person typing);
 *                      prints precheck_us= and sync_us=, the time each
 *                      part took
 *
 * Prints "rc=NAME" (0 or the errno name), then "msg: ..." (what the
 * person would read), "log: ..." (the admin's line), "address: ..." for
 * email. Exit status 0 when rc is 0, else 1; 2 for usage errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sspr/change/sync.h"
#include "sspr/common/config.h"
#include "sspr/common/util.h"
#include "sspr/m365/graph.h"
#include "sspr/mail/send_graph.h"
#include "sspr/net/http.h"
#include "sspr/sms/send.h"

#define INPUT_MAX 65536

static const char *
errname(int r)
{
	static char buf[32];

	switch (-r) {
	case 0:
		return "0";
	case ENXIO:
		return "ENXIO";
	case EINVAL:
		return "EINVAL";
	case ENOENT:
		return "ENOENT";
	case EREMOTE:
		return "EREMOTE";
	case EPERM:
		return "EPERM";
	case EACCES:
		return "EACCES";
	case EKEYREJECTED:
		return "EKEYREJECTED";
	case ETIMEDOUT:
		return "ETIMEDOUT";
	case EINPROGRESS:
		return "EINPROGRESS";
	case ECONNREFUSED:
		return "ECONNREFUSED";
	case ECONNRESET:
		return "ECONNRESET";
	case EPROTO:
		return "EPROTO";
	case EIO:
		return "EIO";
	case EBADMSG:
		return "EBADMSG";
	default:
		snprintf(buf, sizeof(buf), "E%d", -r);
		return buf;
	}
}

/* All of stdin, NUL-terminated; wiped by the caller. */
static char *
read_stdin(size_t *ret_len)
{
	char *buf = calloc(1, INPUT_MAX + 1);
	size_t len = 0;
	size_t n;

	if (buf == NULL)
		return NULL;
	while (len < INPUT_MAX) {
		n = fread(buf + len, 1, INPUT_MAX - len, stdin);
		if (n == 0)
			break;
		len += n;
	}
	*ret_len = len;
	return buf;
}

int
main(int argc, char **argv)
{
	struct sspr_cfg cfg;
	char err[SSPR_ERR_MAX] = "";
	char msg[1024] = "";
	char log[2048] = "";
	char conf[4096];
	const char *args[1];
	const char *action;
	char *in = NULL;
	size_t in_len = 0;
	char *address = NULL;
	int r;

	if (argc < 3) {
		fprintf(stderr, "usage: graph_tool CONF ACTION [ARGS]\n");
		return 2;
	}
	snprintf(conf, sizeof(conf), "conf=%s", argv[1]);
	args[0] = conf;
	r = sspr_cfg_load(&cfg, 1, args, err, sizeof(err));
	if (r < 0) {
		printf("config error: %s\n", err);
		sspr_cfg_done(&cfg);
		return 2;
	}
	action = argv[2];
	if (strcmp(action, "precheck") == 0 && argc == 4) {
		r = sspr_sync_precheck(&cfg, argv[3], msg, sizeof(msg), log,
				       sizeof(log));
	} else if (strcmp(action, "sync") == 0 && argc == 4) {
		in = read_stdin(&in_len);
		if (in == NULL)
			return 2;
		in[strcspn(in, "\n")] = '\0';
		r = sspr_sync_password(&cfg, argv[3], in, msg, sizeof(msg), log,
				       sizeof(log), NULL);
	} else if (strcmp(action, "reset") == 0 && (argc == 4 || argc == 5)) {
		unsigned long pause_ms = 0;

		if (argc == 5 &&
		    sspr_parse_uint(argv[4], 0, 60000, &pause_ms) < 0)
			return 2;
		in = read_stdin(&in_len);
		if (in == NULL)
			return 2;
		in[strcspn(in, "\n")] = '\0';
		struct timespec t0, t1;

		sspr_http_keep_begin();
		/* from the proven code to "New password:" */
		clock_gettime(CLOCK_MONOTONIC, &t0);
		r = sspr_sync_precheck(&cfg, argv[3], msg, sizeof(msg), log,
				       sizeof(log));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("precheck_us=%ld\n",
		       (long)(t1.tv_sec - t0.tv_sec) * 1000000L +
			   (t1.tv_nsec - t0.tv_nsec) / 1000L);
		if (r == 0 && pause_ms > 0)
			usleep((useconds_t)(pause_ms * 1000));
		if (r == 0) {
			/* from the last keystroke to the result */
			clock_gettime(CLOCK_MONOTONIC, &t0);
			r = sspr_sync_password(&cfg, argv[3], in, msg,
					       sizeof(msg), log, sizeof(log),
					       NULL);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			printf("sync_us=%ld\n",
			       (long)(t1.tv_sec - t0.tv_sec) * 1000000L +
				   (t1.tv_nsec - t0.tv_nsec) / 1000L);
		}
		sspr_http_keep_end();
	} else if (strcmp(action, "email") == 0 && argc == 4) {
		r = sspr_sync_entra_email(&cfg, argv[3], &address, log,
					  sizeof(log));
	} else if (strcmp(action, "mail") == 0 && argc == 5) {
		in = read_stdin(&in_len);
		if (in == NULL)
			return 2;
		r = sspr_mail_graph_send(&cfg, argv[3], argv[4], in, log,
					 sizeof(log));
	} else if (strcmp(action, "sms") == 0 && argc == 4) {
		in = read_stdin(&in_len);
		if (in == NULL)
			return 2;
		r = sspr_sms_send(&cfg, argv[3], in, log, sizeof(log));
	} else if (strcmp(action, "token") == 0 && argc == 3) {
		struct sspr_graph g;
		struct sspr_graph_result res;

		r = sspr_graph_open(&g, &cfg);
		if (r == 0) {
			r = sspr_graph_token(&g, &res);
			sspr_graph_result_log(&res, "token", log, sizeof(log));
			printf("token_requests=%u cached=%d\n",
			       g.token_requests, g.token_from_cache);
		}
		sspr_graph_close(&g);
	} else {
		fprintf(stderr, "graph_tool: unknown action or wrong "
				"arguments\n");
		sspr_cfg_done(&cfg);
		return 2;
	}
	printf("rc=%s\n", errname(r));
	if (msg[0] != '\0')
		printf("msg: %s\n", msg);
	if (log[0] != '\0')
		printf("log: %s\n", log);
	if (r == 0 && strcmp(action, "email") == 0)
		printf("address: %s\n", address != NULL ? address : "(none)");
	free(address);
	sspr_freezero(in, INPUT_MAX + 1);
	sspr_cfg_done(&cfg);
	return r == 0 ? 0 : 1;
}
