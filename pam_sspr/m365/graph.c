/*
 * Microsoft Graph client: tokens, the token cache, requests and retries.
 * The rules are in graph.h; the facts about each endpoint in graph.md.
 *
 * Secrets handled here: the client secret and private key (read from
 * root-only files), the client assertion, the form body that carries
 * either, and the access token. Each lives in memory we wipe; none is
 * ever put into a message.
 */
#include "sspr/m365/graph.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "sspr/common/encode.h"
#include "sspr/common/safefile.h"
#include "sspr/common/util.h"
#include "sspr/m365/jwt.h"

#define SECRET_FILE_MAX 4096
#define PEM_FILE_MAX (64 * 1024)
#define CACHE_FILE_MAX (SSPR_TOKEN_MAX + 256)
#define CACHE_MAGIC "sspr-token-cache 1\n"
/* Beside the cache; held while a token is fetched (never removed). */
#define CACHE_LOCK "token.lock"
#define LOCK_POLL_MS 10L
/* Bound on attempts even when Retry-After is 0. */
#define MAX_ATTEMPTS 16
/* Wait for a 503/504 without Retry-After (doubles, up to 8 s). */
#define DEFAULT_BACKOFF_MS 1000L
#define JWT_BEARER "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

static long
ms_left(const struct sspr_graph *g)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(g->deadline.tv_sec - now.tv_sec) * 1000L +
	       (g->deadline.tv_nsec - now.tv_nsec) / 1000000L;
}

static void
sleep_ms(long ms)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) ==
	       EINTR)
		;
}

/* A copy of an https URL without trailing slashes. */
static char *
url_base(const char *url)
{
	char *s = sspr_strdup(url);
	size_t n;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	while (n > strlen("https://") && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

/* A tenant is a GUID or a domain name. */
static bool
tenant_ok(const char *t)
{
	size_t n = strlen(t);
	size_t i;

	if (n == 0 || n > 253)
		return false;
	for (i = 0; i < n; i++)
		if (!((t[i] >= 'A' && t[i] <= 'Z') ||
		      (t[i] >= 'a' && t[i] <= 'z') ||
		      (t[i] >= '0' && t[i] <= '9') || t[i] == '-' ||
		      t[i] == '.'))
			return false;
	return true;
}

void
sspr_graph_close(struct sspr_graph *g)
{
	if (g == NULL)
		return;
	sspr_free_secret(g->token);
	free(g->token_url);
	free(g->base);
	*g = (struct sspr_graph){ .cfg = NULL };
}

int
sspr_graph_open(struct sspr_graph *g, const struct sspr_cfg *cfg)
{
	char *authority;
	int n;

	*g = (struct sspr_graph){ .cfg = cfg };
	if (cfg->tenant == NULL || cfg->client_id == NULL ||
	    cfg->authority == NULL || cfg->graph == NULL ||
	    !tenant_ok(cfg->tenant))
		return -EINVAL;
	clock_gettime(CLOCK_MONOTONIC, &g->deadline);
	g->deadline.tv_sec += cfg->timeout > 0 ? cfg->timeout : 15;
	authority = url_base(cfg->authority);
	g->base = url_base(cfg->graph);
	if (authority == NULL || g->base == NULL) {
		free(authority);
		sspr_graph_close(g);
		return -ENOMEM;
	}
	n = asprintf(&g->token_url, "%s/%s/oauth2/v2.0/token", authority,
		     cfg->tenant);
	free(authority);
	if (n < 0) {
		g->token_url = NULL;
		sspr_graph_close(g);
		return -ENOMEM;
	}
	return 0;
}

/* ---------------------------------------------------------------- cache */

static int
state_path(const struct sspr_cfg *cfg, const char *name, char *buf, size_t len)
{
	if (cfg->state_dir == NULL || cfg->state_dir[0] != '/')
		return -EINVAL;
	if ((size_t)snprintf(buf, len, "%s/%s", cfg->state_dir, name) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int
cache_path(const struct sspr_cfg *cfg, char *buf, size_t len)
{
	return state_path(cfg, SSPR_TOKEN_CACHE, buf, len);
}

/*
 * One token request per burst: sessions that find no valid token take
 * this lock in turn, and each looks at the cache again once it holds
 * it, so the first fetches and the others read what it stored. Waiting
 * ends at the session's deadline. Returns the locked descriptor, or a
 * negative errno: the caller then fetches without it (the lock saves
 * requests; it guards nothing).
 */
static int
cache_lock(const struct sspr_graph *g)
{
	char path[4096];
	int fd;
	int r;

	r = state_path(g->cfg, CACHE_LOCK, path, sizeof(path));
	if (r < 0)
		return r;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY,
		  0600);
	if (fd < 0)
		return -errno;
	r = sspr_check_fd(fd, SSPR_FILE_SECRET);
	while (r == 0 && flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			r = -errno;
		else if (ms_left(g) <= LOCK_POLL_MS)
			r = -ETIMEDOUT;
		else
			sleep_ms(LOCK_POLL_MS);
	}
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/*
 * What the cached token was issued for: a token for another tenant, app,
 * cloud or credential must never be used, so a changed configuration
 * simply misses the cache.
 */
static int
cache_key(const struct sspr_graph *g, char out[65])
{
	const struct sspr_cfg *cfg = g->cfg;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char *text = NULL;
	int n;

	n = asprintf(&text, "%s\n%s\n%s\n%s\n%s\n", g->token_url,
		     cfg->client_id, g->base,
		     cfg->client_secret_file ? cfg->client_secret_file : "",
		     cfg->client_certificate ? cfg->client_certificate : "");
	if (n < 0)
		return -ENOMEM;
	if (EVP_Digest(text, (size_t)n, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32) {
		free(text);
		return -EIO;
	}
	free(text);
	sspr_hex_encode(md, mdlen, out);
	return 0;
}

void
sspr_graph_drop_cache(const struct sspr_cfg *cfg)
{
	char path[4096];

	if (cache_path(cfg, path, sizeof(path)) == 0)
		(void)unlink(path);
}

/* Use the cached token if it is ours and valid for the margin more. */
static int
cache_load(struct sspr_graph *g)
{
	char path[4096];
	char key[65];
	char *buf = NULL;
	size_t len = 0;
	const char *p;
	const char *nl;
	unsigned long expires;
	char num[24];
	char *token;
	size_t tlen;
	int r;

	r = cache_path(g->cfg, path, sizeof(path));
	if (r < 0)
		return r;
	r = cache_key(g, key);
	if (r < 0)
		return r;
	/* root-owned, mode 0600, no symlink: else it is not ours */
	r = sspr_read_file(path, SSPR_FILE_SECRET, CACHE_FILE_MAX, &buf, &len);
	if (r < 0)
		return r;
	r = -EBADMSG;
	p = sspr_skip_prefix(buf, CACHE_MAGIC "key ");
	if (p == NULL || strlen(p) < 64 || strncmp(p, key, 64) != 0)
		goto out;
	p = sspr_skip_prefix(p + 64, "\nexpires ");
	if (p == NULL)
		goto out;
	nl = strchr(p, '\n');
	if (nl == NULL || (size_t)(nl - p) >= sizeof(num))
		goto out;
	memcpy(num, p, (size_t)(nl - p));
	num[nl - p] = '\0';
	if (sspr_parse_uint(num, 0, ~0UL, &expires) < 0)
		goto out;
	p = sspr_skip_prefix(nl + 1, "token ");
	if (p == NULL)
		goto out;
	nl = strchr(p, '\n');
	if (nl == NULL || nl[1] != '\0')
		goto out;
	tlen = (size_t)(nl - p);
	if (tlen == 0 || tlen > SSPR_TOKEN_MAX)
		goto out;
	if ((unsigned long)time(NULL) + SSPR_TOKEN_MARGIN >= expires) {
		r = -ESTALE;
		goto out;
	}
	token = malloc(tlen + 1);
	if (token == NULL) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(token, p, tlen);
	token[tlen] = '\0';
	sspr_free_secret(g->token);
	g->token = token;
	g->token_from_cache = true;
	r = 0;
out:
	sspr_freezero(buf, len + 1);
	return r;
}

/*
 * Best effort: a reset works without a cache, only slower. Replaced
 * atomically (mode 0600), so a reader sees either the old or the new
 * token, whole.
 */
static void
cache_store(const struct sspr_graph *g, const char *token,
	    unsigned long expires)
{
	char path[4096];
	char key[65];
	char *text;
	size_t cap;
	int len;

	if (cache_path(g->cfg, path, sizeof(path)) < 0 || cache_key(g, key) < 0)
		return;
	cap = strlen(token) + 160;
	text = malloc(cap);
	if (text == NULL)
		return;
	len = snprintf(text, cap,
		       CACHE_MAGIC "key %s\nexpires %lu\ntoken "
				   "%s\n",
		       key, expires, token);
	if (len >= 0 && (size_t)len < cap)
		(void)sspr_write_file_atomic(path, text, (size_t)len, 0600, 0);
	sspr_freezero(text, cap);
}

/* ------------------------------------------------------------- requests */

static void
note_error(struct sspr_graph_result *res, const struct sspr_http_resp *resp)
{
	if (resp->status < 400 || resp->body == NULL || resp->len == 0)
		return;
	if (sspr_gj_error(resp->body, resp->len, &res->error) == 0) {
		res->has_error = true;
		if (res->request_id[0] == '\0')
			sspr_strlcpy(res->request_id, res->error.request_id,
				     sizeof(res->request_id));
	}
}

/*
 * Send req until it gets an answer that is not 429/503/504, waiting as
 * Retry-After says, within the session's deadline. Transport failures
 * end it at once: the request may have been carried out.
 */
static int
exchange(struct sspr_graph *g, struct sspr_http_req *req,
	 struct sspr_graph_result *res, struct sspr_http_resp *resp)
{
	unsigned attempt;

	for (attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
		long left = ms_left(g);
		long connect_ms = (long)g->cfg->connect_timeout * 1000L;
		long wait;
		int r;

		if (left <= 0) {
			if (attempt == 0) {
				res->transport = -ETIMEDOUT;
				snprintf(res->detail, sizeof(res->detail),
					 "no time left before the deadline");
			} else {
				res->throttled = true;
			}
			return -ETIMEDOUT;
		}
		if (connect_ms <= 0 || connect_ms > left)
			connect_ms = left;
		req->timeout_ms = (unsigned)left;
		req->connect_timeout_ms = (unsigned)connect_ms;
		r = sspr_http_request(g->cfg, req, resp, res->detail,
				      sizeof(res->detail));
		sspr_strlcpy(res->client_request_id, resp->client_request_id,
			     sizeof(res->client_request_id));
		sspr_strlcpy(res->request_id, resp->request_id,
			     sizeof(res->request_id));
		res->status = resp->status;
		if (r < 0) {
			res->transport = r;
			return r;
		}
		res->transport = 0;
		res->detail[0] = '\0';
		if (resp->status != 429 && resp->status != 503 &&
		    resp->status != 504)
			return 0;
		if (resp->retry_after >= 0)
			wait = resp->retry_after * 1000L;
		else
			wait = DEFAULT_BACKOFF_MS
			       << (attempt < 3 ? attempt : 3);
		if (wait >= ms_left(g)) {
			res->throttled = true;
			note_error(res, resp);
			return -ETIMEDOUT;
		}
		sleep_ms(wait);
	}
	res->throttled = true;
	note_error(res, resp);
	return -ETIMEDOUT;
}

/* Read the client secret file: one line, trailing white space dropped. */
static int
read_secret(const char *path, char **ret, struct sspr_graph_result *res)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	r = sspr_read_file(path, SSPR_FILE_SECRET, SECRET_FILE_MAX, &buf, &len);
	if (r < 0) {
		snprintf(res->detail, sizeof(res->detail),
			 "client_secret_file %s: %s", path,
			 sspr_file_strerror(r));
		return r;
	}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
			   buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		buf[--len] = '\0';
	if (len == 0 || memchr(buf, '\n', len) != NULL) {
		snprintf(res->detail, sizeof(res->detail),
			 "client_secret_file %s: must hold the secret value "
			 "on one line",
			 path);
		sspr_freezero(buf, len + 1);
		return -EINVAL;
	}
	*ret = buf;
	return 0;
}

static int
make_assertion(const struct sspr_graph *g, char **ret,
	       struct sspr_graph_result *res)
{
	const struct sspr_cfg *cfg = g->cfg;
	char *cert = NULL;
	char *key = NULL;
	size_t cert_len = 0;
	size_t key_len = 0;
	int r;

	r = sspr_read_file(cfg->client_certificate, SSPR_FILE_TRUSTED,
			   PEM_FILE_MAX, &cert, &cert_len);
	if (r < 0) {
		snprintf(res->detail, sizeof(res->detail),
			 "client_certificate %s: %s", cfg->client_certificate,
			 sspr_file_strerror(r));
		return r;
	}
	r = sspr_read_file(cfg->client_key, SSPR_FILE_SECRET, PEM_FILE_MAX,
			   &key, &key_len);
	if (r < 0) {
		snprintf(res->detail, sizeof(res->detail), "client_key %s: %s",
			 cfg->client_key, sspr_file_strerror(r));
		goto out;
	}
	r = sspr_jwt_client_assertion(key, key_len, cert, cert_len,
				      SSPR_JWT_PS256, cfg->client_id,
				      g->token_url, time(NULL), ret);
	if (r < 0)
		snprintf(res->detail, sizeof(res->detail),
			 "cannot sign a client assertion with %s and %s: %s",
			 cfg->client_key, cfg->client_certificate,
			 r == -EKEYREJECTED ? "the key does not belong to "
					      "the certificate"
			 : r == -EOPNOTSUPP ? "not an RSA key"
			 : r == -EINVAL	    ? "not a PEM certificate and "
					      "unencrypted PEM private key"
					    : strerror(-r));
out:
	sspr_freezero(key, key_len + 1);
	free(cert);
	return r;
}

/* Append "&name=value" (value escaped) at *pos. */
static void
form_add(char *buf, size_t *pos, const char *name, const char *value)
{
	size_t n = strlen(name);

	if (*pos > 0)
		buf[(*pos)++] = '&';
	memcpy(buf + *pos, name, n);
	*pos += n;
	buf[(*pos)++] = '=';
	*pos += sspr_form_escape(value, buf + *pos);
}

static int
fetch_token(struct sspr_graph *g, struct sspr_graph_result *res)
{
	const struct sspr_cfg *cfg = g->cfg;
	struct sspr_http_resp resp = { .status = 0 };
	struct sspr_http_req req = { .method = "POST" };
	char *credential = NULL;
	char *scope = NULL;
	char *form = NULL;
	size_t cap = 0;
	size_t len = 0;
	char *token = NULL;
	unsigned long expires = 0;
	int r;

	sspr_free_secret(g->token);
	g->token = NULL;
	g->token_from_cache = false;
	if (cfg->client_secret_file != NULL)
		r = read_secret(cfg->client_secret_file, &credential, res);
	else if (cfg->client_certificate != NULL && cfg->client_key != NULL)
		r = make_assertion(g, &credential, res);
	else {
		snprintf(res->detail, sizeof(res->detail),
			 "no client_secret_file or client_certificate");
		r = -EINVAL;
	}
	if (r < 0)
		goto out;
	if (asprintf(&scope, "%s/.default", g->base) < 0) {
		scope = NULL;
		r = -ENOMEM;
		goto out;
	}
	cap = 3 * (strlen(cfg->client_id) + strlen(scope) + strlen(JWT_BEARER) +
		   strlen(credential)) +
	      200;
	form = malloc(cap);
	if (form == NULL) {
		r = -ENOMEM;
		goto out;
	}
	form_add(form, &len, "client_id", cfg->client_id);
	form_add(form, &len, "scope", scope);
	form_add(form, &len, "grant_type", "client_credentials");
	if (cfg->client_secret_file != NULL) {
		form_add(form, &len, "client_secret", credential);
	} else {
		form_add(form, &len, "client_assertion_type", JWT_BEARER);
		form_add(form, &len, "client_assertion", credential);
	}
	req.url = g->token_url;
	req.content_type = "application/x-www-form-urlencoded";
	req.body = form;
	req.body_len = len;
	g->token_requests++;
	r = exchange(g, &req, res, &resp);
	if (r < 0) {
		if (!res->throttled)
			res->token_failed = true;
		goto out;
	}
	if (resp.status != 200) {
		res->token_failed = true;
		note_error(res, &resp);
		r = resp.status >= 400 && resp.status < 500 ? -EKEYREJECTED
							    : -EIO;
		goto out;
	}
	r = sspr_gj_token(resp.body, resp.len, &token, &expires);
	if (r < 0) {
		res->token_failed = true;
		snprintf(res->detail, sizeof(res->detail),
			 "the token reply is not the documented JSON");
		goto out;
	}
	g->token = token;
	cache_store(g, token, (unsigned long)time(NULL) + expires);
	r = 0;
out:
	if (res->throttled)
		res->token_failed = true;
	sspr_http_resp_done(&resp);
	sspr_freezero(form, cap);
	sspr_free_secret(credential);
	free(scope);
	return r;
}

static int
get_token(struct sspr_graph *g, struct sspr_graph_result *res)
{
	int lock;
	int r;

	if (g->token != NULL)
		return 0;
	if (cache_load(g) == 0)
		return 0;
	lock = cache_lock(g);
	/* Another session may have fetched one while this one waited. */
	if (lock >= 0 && cache_load(g) == 0) {
		close(lock);
		return 0;
	}
	r = fetch_token(g, res);
	if (lock >= 0)
		close(lock);
	return r;
}

int
sspr_graph_token(struct sspr_graph *g, struct sspr_graph_result *res)
{
	*res = (struct sspr_graph_result){ .status = 0 };
	return get_token(g, res);
}

int
sspr_graph_call(struct sspr_graph *g, const char *method, const char *path,
		const char *json, size_t json_len,
		struct sspr_graph_result *res, struct sspr_http_resp *resp)
{
	struct sspr_http_req req = { .method = method };
	char *url = NULL;
	int r;

	*res = (struct sspr_graph_result){ .status = 0 };
	if (asprintf(&url, "%s%s", g->base, path) < 0)
		return -ENOMEM;
	r = get_token(g, res);
	if (r < 0)
		goto out;
	req.url = url;
	req.bearer = g->token;
	req.content_type = json != NULL ? "application/json" : NULL;
	req.body = json;
	req.body_len = json_len;
	r = exchange(g, &req, res, resp);
	if (r == 0 && resp->status == 401) {
		bool was_cached = g->token_from_cache;

		/* Revoked or not yet valid here: never use it again. */
		sspr_graph_drop_cache(g->cfg);
		sspr_free_secret(g->token);
		g->token = NULL;
		if (was_cached) {
			r = fetch_token(g, res);
			if (r < 0)
				goto out;
			req.bearer = g->token;
			r = exchange(g, &req, res, resp);
		}
	}
	note_error(res, resp);
out:
	free(url);
	return r;
}

/* snprintf at *pos, never past len, always terminated. */
static void __attribute__((format(printf, 4, 5)))
append(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*pos = *pos + (size_t)n >= len ? len - 1 : *pos + (size_t)n;
}

void
sspr_graph_result_log(const struct sspr_graph_result *res, const char *what,
		      char *buf, size_t len)
{
	const struct sspr_graph_error *e = &res->error;
	size_t pos = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	append(buf, len, &pos,
	       "%s%s:", res->token_failed ? "token request for " : "", what);
	if (res->status != 0)
		append(buf, len, &pos, " HTTP %ld", res->status);
	else if (res->transport != 0)
		append(buf, len, &pos, " no reply");
	if (res->throttled)
		append(buf, len, &pos, " (throttled until the deadline)");
	if (res->has_error)
		append(buf, len, &pos, " %s", e->code);
	if (res->has_error && e->aadsts != 0)
		append(buf, len, &pos, " AADSTS%lu", e->aadsts);
	if (res->detail[0] != '\0')
		append(buf, len, &pos, " (%s)", res->detail);
	append(buf, len, &pos, " client-request-id=%s request-id=%s",
	       res->client_request_id[0] != '\0' ? res->client_request_id : "-",
	       res->request_id[0] != '\0' ? res->request_id : "-");
	if (res->has_error && e->message[0] != '\0')
		append(buf, len, &pos, ": %s", e->message);
}
