/*
 * Memory for "make bench": many PAM transactions in one process, as a
 * long-lived PAM host (a display manager, a daemon) runs them.
 *
 *   txn N SERVICE USER
 *	N times: pam_start, pam_authenticate and pam_acct_mgmt (which
 *	must succeed; a password prompt gets "wrong", any other "n"),
 *	pam_open_session, pam_close_session, pam_end. Prints "rss100 rssN
 *	heap100 heapN": the resident set size in KiB and the heap bytes in
 *	use (mallinfo2: what a leak grows, where RSS moves by whole pages)
 *	after the 100th and the last transaction.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_appl.h>

static int
conv(int n, const struct pam_message **msg, struct pam_response **resp,
     void *data)
{
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	int i;

	(void)data;
	if (r == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF)
			r[i].resp = strdup("wrong");
		else if (msg[i]->msg_style == PAM_PROMPT_ECHO_ON)
			r[i].resp = strdup("n");
	}
	*resp = r;
	return PAM_SUCCESS;
}

static long
rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "re");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static size_t
heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

int
main(int argc, char **argv)
{
	struct pam_conv c = { conv, NULL };
	unsigned long n;
	unsigned long i;
	long rss100 = -1;
	size_t heap100 = 0;

	if (argc != 4 || (n = strtoul(argv[1], NULL, 10)) < 100) {
		fprintf(stderr, "usage: txn N(>=100) SERVICE USER\n");
		return 2;
	}
	for (i = 1; i <= n; i++) {
		pam_handle_t *h = NULL;

		if (pam_start(argv[2], argv[3], &c, &h) != PAM_SUCCESS) {
			fprintf(stderr, "txn: pam_start failed\n");
			return 1;
		}
		if (pam_authenticate(h, 0) != PAM_SUCCESS ||
		    pam_acct_mgmt(h, 0) != PAM_SUCCESS) {
			fprintf(stderr, "txn: the login failed\n");
			return 1;
		}
		(void)pam_open_session(h, 0);
		(void)pam_close_session(h, 0);
		pam_end(h, PAM_SUCCESS);
		if (i == 100) {
			rss100 = rss_kb();
			heap100 = heap_bytes();
		}
	}
	printf("%ld %ld %zu %zu\n", rss100, rss_kb(), heap100, heap_bytes());
	return 0;
}
