/*
 * The app-only access token of a Graph session
 * (include/sspr/m365/token.h): the credential (client secret, or a
 * client assertion signed with the certificate's key), the token
 * request, and the root-only token cache in state_dir with its lock.
 *
 * Secrets handled here: the client secret and private key (read from
 * root-only files), the client assertion, the form body that carries
 * either, and the access token. Each lives in memory we wipe; none is
 * ever put into a message.
 */
#include "sspr/m365/token.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sspr/common/encode.h"
#include "sspr/common/safefile.h"
#include "sspr/common/store.h"
#include "sspr/common/util.h"
#include "sspr/m365/exchange.h"
#include "sspr/m365/jwt.h"

#define SECRET_FILE_MAX 4096
#define PEM_FILE_MAX (64 * 1024)
#define CACHE_FILE_MAX (SSPR_TOKEN_MAX + 256)
#define CACHE_MAGIC "sspr-token-cache 1\n"
/* Beside the cache, token.lock is held while a token is fetched. */
#define LOCK_POLL_MS 10L
#define JWT_BEARER "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

static int
state_path(const struct sspr_cfg *cfg, const char *name, char *buf, size_t len)
{
	if (cfg->state_dir == NULL || cfg->state_dir[0] != '/')
		return -EINVAL;
	if ((size_t)snprintf(buf, len, "%s/%s", cfg->state_dir, name) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* The cache or its lock ("cache"/"lock") of g's resource. */
static int
cache_file(const struct sspr_graph *g, const char *kind, char *buf, size_t len)
{
	char name[64];

	if (g->cache_name == NULL)
		snprintf(name, sizeof(name), "token.%s", kind);
	else if ((size_t)snprintf(name, sizeof(name), "token-%s.%s",
				  g->cache_name, kind) >= sizeof(name))
		return -ENAMETOOLONG;
	return state_path(g->cfg, name, buf, len);
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
	long wait = sspr_graph_ms_left(g) - LOCK_POLL_MS;
	int r;

	r = cache_file(g, "lock", path, sizeof(path));
	if (r < 0)
		return r;
	return sspr_store_lock_path(path, wait > 0 ? (unsigned)wait : 0);
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
		     cfg->client_id, g->resource ? g->resource : g->base,
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

	if (state_path(cfg, SSPR_TOKEN_CACHE, path, sizeof(path)) == 0)
		(void)unlink(path);
}

void
sspr_graph_token_drop(struct sspr_graph *g)
{
	char path[4096];

	if (cache_file(g, "cache", path, sizeof(path)) == 0)
		(void)unlink(path);
	sspr_free_secret(g->token);
	g->token = NULL;
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

	r = cache_file(g, "cache", path, sizeof(path));
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

	if (cache_file(g, "cache", path, sizeof(path)) < 0 ||
	    cache_key(g, key) < 0)
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

/* The client secret, or a client assertion signed with the key. */
static int
get_credential(const struct sspr_graph *g, char **ret,
	       struct sspr_graph_result *res)
{
	const struct sspr_cfg *cfg = g->cfg;

	if (cfg->client_secret_file != NULL)
		return read_secret(cfg->client_secret_file, ret, res);
	if (cfg->client_certificate != NULL && cfg->client_key != NULL)
		return make_assertion(g, ret, res);
	snprintf(res->detail, sizeof(res->detail),
		 "no client_secret_file or client_certificate");
	return -EINVAL;
}

/*
 * The form body of the client credentials grant. It holds the
 * credential: the caller wipes *ret_cap bytes of it.
 */
static int
token_form(const struct sspr_graph *g, const char *credential, char **ret_form,
	   size_t *ret_cap, size_t *ret_len)
{
	const struct sspr_cfg *cfg = g->cfg;
	char *scope = NULL;
	char *form;
	size_t cap;
	size_t len = 0;

	if (asprintf(&scope, "%s/.default",
		     g->resource != NULL ? g->resource : g->base) < 0)
		return -ENOMEM;
	cap = 3 * (strlen(cfg->client_id) + strlen(scope) + strlen(JWT_BEARER) +
		   strlen(credential)) +
	      200;
	form = malloc(cap);
	if (form == NULL) {
		free(scope);
		return -ENOMEM;
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
	free(scope);
	*ret_form = form;
	*ret_cap = cap;
	*ret_len = len;
	return 0;
}

int
sspr_graph_token_fetch(struct sspr_graph *g, struct sspr_graph_result *res)
{
	struct sspr_http_resp resp = { .status = 0 };
	struct sspr_http_req req = { .method = "POST" };
	char *credential = NULL;
	char *form = NULL;
	size_t cap = 0;
	size_t len = 0;
	char *token = NULL;
	unsigned long expires = 0;
	int r;

	sspr_free_secret(g->token);
	g->token = NULL;
	g->token_from_cache = false;
	r = get_credential(g, &credential, res);
	if (r == 0)
		r = token_form(g, credential, &form, &cap, &len);
	if (r < 0)
		goto out;
	req.url = g->token_url;
	req.content_type = "application/x-www-form-urlencoded";
	req.body = form;
	req.body_len = len;
	g->token_requests++;
	r = sspr_graph_exchange(g, &req, res, &resp);
	if (r < 0) {
		if (!res->throttled)
			res->token_failed = true;
		goto out;
	}
	if (resp.status != 200) {
		res->token_failed = true;
		sspr_graph_note_error(res, &resp);
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
	return r;
}

int
sspr_graph_token_get(struct sspr_graph *g, struct sspr_graph_result *res)
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
		sspr_store_unlock(lock);
		return 0;
	}
	r = sspr_graph_token_fetch(g, res);
	if (lock >= 0)
		sspr_store_unlock(lock);
	return r;
}

int
sspr_graph_token(struct sspr_graph *g, struct sspr_graph_result *res)
{
	*res = (struct sspr_graph_result){ .status = 0 };
	return sspr_graph_token_get(g, res);
}
