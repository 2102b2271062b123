/*
 * HTTPS requests through libcurl for the Microsoft 365 client, with the
 * one hardening set of sspr/net/curl.h on every request, only the https
 * scheme, and the timeouts each request asks for.
 *
 * Secrets pass through here as the request body (a client secret or
 * password) and the Authorization header, and come back as the body (an
 * access token). The body is the caller's to wipe; the header list and
 * the response buffer are wiped here.
 *
 * Between sspr_http_keep_begin() and sspr_http_keep_end() the libcurl
 * handle outlives a request, for its connection cache; every option is
 * reset after each request (curl_easy_reset keeps only connections, TLS
 * sessions and DNS answers), so no pointer to a header list, body or
 * stack buffer of a finished request stays in it, and the next request
 * sets every hardening option again. libcurl reuses a connection only
 * for the same host, port and TLS settings.
 */
#include "sspr/net/http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "sspr/common/util.h"
#include "sspr/net/curl.h"

/* A Retry-After longer than this is treated as this (we give up anyway). */
#define RETRY_AFTER_MAX 3600L

/*
 * Per thread: a threaded PAM host may run two resets at once, and an
 * easy handle must never be used by two threads.
 */
static __thread unsigned keep_depth;
static __thread CURL *kept;

void
sspr_http_resp_done(struct sspr_http_resp *resp)
{
	if (resp == NULL)
		return;
	sspr_freezero(resp->body, resp->cap);
	resp->body = NULL;
	resp->len = 0;
	resp->cap = 0;
}

void
sspr_http_keep_begin(void)
{
	keep_depth++;
}

void
sspr_http_keep_end(void)
{
	if (keep_depth == 0 || --keep_depth > 0)
		return;
	if (kept != NULL)
		curl_easy_cleanup(kept);
	kept = NULL;
}

/*
 * The handle itself is what is handed on: libcurl lets a handle move to
 * another thread as long as two never use it at once, and a PAM handle
 * is used by one thread at a time.
 */
struct sspr_http_kept *
sspr_http_keep_take(void)
{
	CURL *curl = kept;

	kept = NULL;
	return (struct sspr_http_kept *)curl;
}

void
sspr_http_keep_give(struct sspr_http_kept *k)
{
	CURL *curl = (CURL *)k;

	if (curl == NULL)
		return;
	if (keep_depth > 0 && kept == NULL)
		kept = curl;
	else
		curl_easy_cleanup(curl);
}

void
sspr_http_kept_close(struct sspr_http_kept *k)
{
	if (k != NULL)
		curl_easy_cleanup((CURL *)k);
}

struct sink {
	struct sspr_http_resp *resp;
	bool too_big;
	bool no_memory;
	bool once;	/* a POST or PATCH: never send it twice */
	unsigned sends; /* times the request was about to go out */
	bool resend_refused;
};

/*
 * Called each time libcurl is about to send the request on a connection.
 * A second time means the connection it was sent on died before any
 * answer (a server closing an idle connection just as it went out):
 * libcurl would send it again on a fresh one. Harmless for a GET; a
 * PATCH may already have been carried out, so it is not repeated.
 */
static int
prereq_cb(void *ctx, char *conn_primary_ip, char *conn_local_ip,
	  int conn_primary_port, int conn_local_port)
{
	struct sink *sink = ctx;

	(void)conn_primary_ip;
	(void)conn_local_ip;
	(void)conn_primary_port;
	(void)conn_local_port;
	if (++sink->sends > 1 && sink->once) {
		sink->resend_refused = true;
		return CURL_PREREQFUNC_ABORT;
	}
	return CURL_PREREQFUNC_OK;
}

/* Append to the body; growing copies into a new buffer and wipes the old. */
static size_t
write_cb(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct sink *sink = ctx;
	struct sspr_http_resp *resp = sink->resp;
	size_t add;

	if (size != 0 && nmemb > SSPR_HTTP_MAX_BODY / size) {
		sink->too_big = true;
		return 0;
	}
	add = size * nmemb;
	if (add > SSPR_HTTP_MAX_BODY - resp->len) {
		sink->too_big = true;
		return 0;
	}
	if (resp->len + add + 1 > resp->cap) {
		size_t cap = resp->cap > 0 ? resp->cap : 1024;
		char *p;

		while (cap < resp->len + add + 1)
			cap *= 2;
		if (cap > SSPR_HTTP_MAX_BODY + 1)
			cap = SSPR_HTTP_MAX_BODY + 1;
		p = malloc(cap);
		if (p == NULL) {
			sink->no_memory = true;
			return 0;
		}
		if (resp->len > 0)
			memcpy(p, resp->body, resp->len);
		sspr_freezero(resp->body, resp->cap);
		resp->body = p;
		resp->cap = cap;
	}
	memcpy(resp->body + resp->len, data, add);
	resp->len += add;
	resp->body[resp->len] = '\0';
	return add;
}

/* Wipe every header line (one holds the bearer token), then free. */
static void
headers_free(struct curl_slist *list)
{
	struct curl_slist *l;

	for (l = list; l != NULL; l = l->next)
		if (l->data != NULL)
			sspr_wipe(l->data, strlen(l->data));
	curl_slist_free_all(list);
}

/* curl_slist_append() that keeps the list on failure. */
static int
header_add(struct curl_slist **list, const char *line)
{
	struct curl_slist *l = curl_slist_append(*list, line);

	if (l == NULL)
		return -ENOMEM;
	*list = l;
	return 0;
}

/*
 * The caller's header lines: "Name: value" with a token name and a
 * value of printable ASCII, so no line can smuggle in another header
 * (CR, LF) or end the list early.
 */
static int
extra_headers(struct curl_slist **list, const char *const *lines)
{
	const char *const *l;
	const char *p;
	int r;

	for (l = lines; l != NULL && *l != NULL; l++) {
		p = *l + strcspn(*l, ": \t");
		if (p == *l || p[0] != ':' || p[1] != ' ' || p[2] == '\0')
			return -EINVAL;
		for (p = *l; *p != '\0'; p++)
			if (*p < 0x20 || *p > 0x7e)
				return -EINVAL;
		r = header_add(list, *l);
		if (r < 0)
			return r;
	}
	return 0;
}

static int
build_headers(const struct sspr_http_req *req, const char *guid,
	      struct curl_slist **ret_list)
{
	struct curl_slist *list = NULL;
	char line[128];
	char *auth = NULL;
	int r;

	r = header_add(&list, "Accept: application/json");
	if (r == 0) {
		snprintf(line, sizeof(line), "client-request-id: %s", guid);
		r = header_add(&list, line);
	}
	if (r == 0)
		r = header_add(&list, "return-client-request-id: true");
	/* No "Expect: 100-continue" round trip for larger bodies. */
	if (r == 0)
		r = header_add(&list, "Expect:");
	if (r == 0 && req->content_type != NULL) {
		snprintf(line, sizeof(line), "Content-Type: %s",
			 req->content_type);
		r = header_add(&list, line);
	}
	if (r == 0 && req->bearer != NULL) {
		size_t n =
		    strlen("Authorization: Bearer ") + strlen(req->bearer) + 1;

		auth = malloc(n);
		if (auth == NULL) {
			r = -ENOMEM;
		} else {
			snprintf(auth, n, "Authorization: Bearer %s",
				 req->bearer);
			r = header_add(&list, auth);
			sspr_freezero(auth, n);
		}
	}
	r = r == 0 ? extra_headers(&list, req->headers) : r;
	if (r < 0) {
		headers_free(list);
		return r;
	}
	*ret_list = list;
	return 0;
}

/* Copy a header value that is short printable ASCII; else leave empty. */
static void
copy_header(CURL *curl, const char *name, char *dst, size_t dstlen)
{
	struct curl_header *h = NULL;
	const char *v;

	if (curl_easy_header(curl, name, 0, CURLH_HEADER, -1, &h) !=
		CURLHE_OK ||
	    h == NULL || h->value == NULL)
		return;
	for (v = h->value; *v != '\0'; v++)
		if (*v < 0x21 || *v > 0x7e)
			return;
	if (strlen(h->value) >= dstlen)
		return;
	sspr_strlcpy(dst, h->value, dstlen);
}

/* Retry-After: delta-seconds, or an HTTP date; -1 when absent or bad. */
static long
retry_after(CURL *curl)
{
	struct curl_header *h = NULL;
	unsigned long secs;
	time_t when;
	long d;

	if (curl_easy_header(curl, "Retry-After", 0, CURLH_HEADER, -1, &h) !=
		CURLHE_OK ||
	    h == NULL || h->value == NULL)
		return -1;
	if (sspr_parse_uint(h->value, 0, ~0UL, &secs) == 0)
		return secs > (unsigned long)RETRY_AFTER_MAX ? RETRY_AFTER_MAX
							     : (long)secs;
	if (sspr_parse_uint(h->value, 0, ~0UL, &secs) == -ERANGE)
		return RETRY_AFTER_MAX;
	when = curl_getdate(h->value, NULL);
	if (when == (time_t)-1)
		return -1;
	d = (long)(when - time(NULL));
	if (d < 0)
		return 0;
	return d > RETRY_AFTER_MAX ? RETRY_AFTER_MAX : d;
}

/* What went wrong in our callbacks first: libcurl only saw an abort. */
static int
map_curl_error(CURLcode rc, const struct sink *sink)
{
	if (sink->too_big)
		return -EFBIG;
	if (sink->no_memory)
		return -ENOMEM;
	if (sink->resend_refused)
		return -ECONNRESET;
	return sspr_curl_errno(rc);
}

/* The host part of an https URL, for messages. */
static void
url_host(const char *url, char *buf, size_t len)
{
	const char *p = sspr_skip_prefix(url, "https://");
	size_t n;

	if (p == NULL)
		p = url;
	n = strcspn(p, "/?#");
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
}

static int
set_options(CURL *curl, const struct sspr_cfg *cfg,
	    const struct sspr_http_req *req, struct curl_slist *headers,
	    struct sink *sink, char *errbuf)
{
	CURLcode rc = CURLE_OK;

	if (sspr_curl_harden(curl, cfg, "https", req->connect_timeout_ms,
			     req->timeout_ms, errbuf) < 0)
		return -EIO;
#define SET(opt, val)                                                          \
	do {                                                                   \
		if (rc == CURLE_OK)                                            \
			rc = curl_easy_setopt(curl, opt, val);                 \
	} while (0)
	SET(CURLOPT_URL, req->url);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)SSPR_HTTP_MAX_BODY);
	SET(CURLOPT_USERAGENT, "pam_sspr/" SSPR_VERSION);
	SET(CURLOPT_HTTPHEADER, headers);
	SET(CURLOPT_WRITEFUNCTION, write_cb);
	SET(CURLOPT_WRITEDATA, sink);
	SET(CURLOPT_PREREQFUNCTION, prereq_cb);
	SET(CURLOPT_PREREQDATA, sink);
	if (strcmp(req->method, "GET") == 0) {
		SET(CURLOPT_HTTPGET, 1L);
	} else if (strcmp(req->method, "POST") == 0 ||
		   strcmp(req->method, "PATCH") == 0) {
		SET(CURLOPT_POST, 1L);
		SET(CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
		SET(CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(req->body != NULL ? req->body_len : 0));
		if (strcmp(req->method, "PATCH") == 0)
			SET(CURLOPT_CUSTOMREQUEST, "PATCH");
	} else {
		return -EINVAL;
	}
#undef SET
	return rc == CURLE_OK ? 0 : -EIO;
}

/* The status and the headers we keep; the body is already in resp. */
static void
read_reply(CURL *curl, struct sspr_http_resp *resp)
{
	long status = 0;

	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	resp->status = status;
	copy_header(curl, "request-id", resp->request_id,
		    sizeof(resp->request_id));
	if (resp->request_id[0] == '\0')
		copy_header(curl, "x-ms-request-id", resp->request_id,
			    sizeof(resp->request_id));
	resp->retry_after = retry_after(curl);
}

/* The admin's line for a failed transfer, and its errno. */
static int
transfer_failed(CURLcode rc, const struct sink *sink, const char *errbuf,
		const struct sspr_http_req *req, char *err, size_t errlen)
{
	char host[128];

	url_host(req->url, host, sizeof(host));
	snprintf(err, errlen, "%s %s: %s", req->method, host,
		 sink->too_big ? "reply too large"
		 : sink->resend_refused
		     ? "the connection closed before an answer; not "
		       "sent again"
		 : errbuf[0] != '\0' ? errbuf
				     : curl_easy_strerror(rc));
	return map_curl_error(rc, sink);
}

/* Keep the handle for the next request of the scope, or close it. */
static void
release(CURL *curl)
{
	if (curl != NULL && keep_depth > 0) {
		/* Forget every option (and pointer) of this request. */
		curl_easy_reset(curl);
		kept = curl;
	} else if (curl != NULL) {
		curl_easy_cleanup(curl);
	}
}

int
sspr_http_request(const struct sspr_cfg *cfg, const struct sspr_http_req *req,
		  struct sspr_http_resp *resp, char *err, size_t errlen)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct sink sink = { .resp = resp };
	struct curl_slist *headers = NULL;
	CURL *curl = NULL;
	CURLcode rc;
	int r;

	sspr_http_resp_done(resp);
	resp->status = 0;
	resp->retry_after = -1;
	resp->request_id[0] = '\0';
	resp->client_request_id[0] = '\0';
	resp->new_connections = 0;
	sink.once = strcmp(req->method, "GET") != 0;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (sspr_skip_prefix(req->url, "https://") == NULL) {
		snprintf(err, errlen, "refusing a URL that is not https://");
		return -EINVAL;
	}
	r = sspr_curl_global_init();
	if (r < 0) {
		snprintf(err, errlen, "libcurl could not be initialised");
		return r;
	}
	r = sspr_guid(resp->client_request_id);
	if (r < 0) {
		snprintf(err, errlen, "no random numbers: %s", strerror(-r));
		return r;
	}
	r = build_headers(req, resp->client_request_id, &headers);
	if (r < 0) {
		snprintf(err, errlen, "%s",
			 r == -EINVAL ? "a request header line is malformed"
				      : "out of memory");
		return r;
	}
	curl = kept != NULL ? kept : curl_easy_init();
	kept = NULL;
	if (curl == NULL) {
		snprintf(err, errlen, "libcurl could not start a request");
		r = -ENOMEM;
		goto out;
	}
	r = set_options(curl, cfg, req, headers, &sink, errbuf);
	if (r < 0) {
		snprintf(err, errlen, "libcurl refused an option (too old?)");
		goto out;
	}
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &resp->new_connections);
	if (rc != CURLE_OK) {
		r = transfer_failed(rc, &sink, errbuf, req, err, errlen);
		goto out;
	}
	read_reply(curl, resp);
	r = 0;
out:
	release(curl);
	headers_free(headers);
	sspr_wipe(errbuf, sizeof(errbuf));
	return r;
}
