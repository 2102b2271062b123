/*
 * Client assertions for the certificate credential: a JWT signed with the
 * app's RSA key, naming the certificate by its thumbprint.
 *
 * PS256 with x5t#S256 is what the current Microsoft document asks for;
 * RS256 with the SHA-1 x5t is what most clients send and is kept for
 * tests and old tenants. PSS uses a salt as long as the digest (32
 * bytes), as RFC 7518 section 3.5 requires; OpenSSL's default would be
 * the maximum and the service would refuse it.
 */
#include "sspr/common/encode.h"
#include "sspr/m365/jwt.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "sspr/common/util.h"

/* Never ask a terminal for a pass phrase: an encrypted key is an error. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static int
load_pem(const char *key_pem, size_t key_len, const char *cert_pem,
	 size_t cert_len, EVP_PKEY **ret_key, X509 **ret_cert)
{
	BIO *bio = NULL;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	EVP_PKEY *pub;
	int r = -EINVAL;

	if (key_len > INT_MAX || cert_len > INT_MAX)
		return -EINVAL;
	bio = BIO_new_mem_buf(key_pem, (int)key_len);
	if (bio == NULL)
		return -ENOMEM;
	key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	if (key == NULL)
		goto out;
	bio = BIO_new_mem_buf(cert_pem, (int)cert_len);
	if (bio == NULL) {
		r = -ENOMEM;
		goto out;
	}
	cert = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	if (cert == NULL)
		goto out;
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
		r = -EOPNOTSUPP;
		goto out;
	}
	pub = X509_get0_pubkey(cert);
	if (pub == NULL || EVP_PKEY_eq(key, pub) != 1) {
		r = -EKEYREJECTED;
		goto out;
	}
	*ret_key = key;
	*ret_cert = cert;
	key = NULL;
	cert = NULL;
	r = 0;
out:
	EVP_PKEY_free(key);
	X509_free(cert);
	return r;
}

/* The JSON text of header or claims, base64url'd onto out (malloc'd). */
static int
encode_json(cJSON *obj, char **ret)
{
	char *text = cJSON_PrintUnformatted(obj);
	size_t len;
	char *out;

	if (text == NULL)
		return -ENOMEM;
	len = strlen(text);
	out = malloc(4 * ((len + 2) / 3) + 1);
	if (out == NULL) {
		cJSON_free(text);
		return -ENOMEM;
	}
	sspr_base64url((const unsigned char *)text, len, out);
	cJSON_free(text);
	*ret = out;
	return 0;
}

static int
make_header(X509 *cert, enum sspr_jwt_alg alg, char **ret)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char thumb[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
	const EVP_MD *type = alg == SSPR_JWT_PS256 ? EVP_sha256() : EVP_sha1();
	cJSON *h;
	int r = -ENOMEM;

	/* X509_digest hashes the DER encoding: the certificate thumbprint. */
	if (X509_digest(cert, type, md, &mdlen) != 1)
		return -EIO;
	sspr_base64url(md, mdlen, thumb);
	h = cJSON_CreateObject();
	if (h == NULL)
		return -ENOMEM;
	if (cJSON_AddStringToObject(
		h, "alg", alg == SSPR_JWT_PS256 ? "PS256" : "RS256") == NULL ||
	    cJSON_AddStringToObject(h, "typ", "JWT") == NULL ||
	    cJSON_AddStringToObject(
		h, alg == SSPR_JWT_PS256 ? "x5t#S256" : "x5t", thumb) == NULL)
		goto out;
	r = encode_json(h, ret);
out:
	cJSON_Delete(h);
	return r;
}

static int
make_claims(const char *client_id, const char *token_url, time_t now,
	    char **ret)
{
	char jti[SSPR_GUID_LEN];
	cJSON *c;
	int r;

	r = sspr_guid(jti);
	if (r < 0)
		return r;
	c = cJSON_CreateObject();
	if (c == NULL)
		return -ENOMEM;
	r = -ENOMEM;
	if (cJSON_AddStringToObject(c, "aud", token_url) == NULL ||
	    cJSON_AddNumberToObject(
		c, "exp", (double)(now + SSPR_JWT_LIFETIME)) == NULL ||
	    cJSON_AddStringToObject(c, "iss", client_id) == NULL ||
	    cJSON_AddStringToObject(c, "jti", jti) == NULL ||
	    cJSON_AddNumberToObject(c, "nbf", (double)now) == NULL ||
	    cJSON_AddStringToObject(c, "sub", client_id) == NULL)
		goto out;
	r = encode_json(c, ret);
out:
	cJSON_Delete(c);
	return r;
}

static int
sign(EVP_PKEY *key, enum sspr_jwt_alg alg, const char *input,
     unsigned char **ret_sig, size_t *ret_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *sig = NULL;
	size_t len = 0;
	int r = -EIO;

	if (md == NULL)
		return -ENOMEM;
	if (EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, key) != 1)
		goto out;
	if (alg == SSPR_JWT_PS256 &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) !=
		 1 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1))
		goto out;
	if (alg == SSPR_JWT_RS256 &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
		goto out;
	if (EVP_DigestSign(md, NULL, &len, (const unsigned char *)input,
			   strlen(input)) != 1)
		goto out;
	sig = malloc(len);
	if (sig == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if (EVP_DigestSign(md, sig, &len, (const unsigned char *)input,
			   strlen(input)) != 1) {
		free(sig);
		goto out;
	}
	*ret_sig = sig;
	*ret_len = len;
	r = 0;
out:
	EVP_MD_CTX_free(md);
	return r;
}

int
sspr_jwt_client_assertion(const char *key_pem, size_t key_len,
			  const char *cert_pem, size_t cert_len,
			  enum sspr_jwt_alg alg, const char *client_id,
			  const char *token_url, time_t now, char **ret_jwt)
{
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	char *header = NULL;
	char *claims = NULL;
	char *jwt = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	size_t n;
	size_t pos;
	int r;

	if (alg != SSPR_JWT_PS256 && alg != SSPR_JWT_RS256)
		return -EINVAL;
	r = load_pem(key_pem, key_len, cert_pem, cert_len, &key, &cert);
	if (r < 0)
		goto out;
	r = make_header(cert, alg, &header);
	if (r < 0)
		goto out;
	r = make_claims(client_id, token_url, now, &claims);
	if (r < 0)
		goto out;
	/* header.claims, then .signature appended in place */
	n = strlen(header) + 1 + strlen(claims);
	jwt = malloc(n + 1 + 4 * ((16384 + 2) / 3) + 1);
	if (jwt == NULL) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(jwt, header, strlen(header));
	jwt[strlen(header)] = '.';
	memcpy(jwt + strlen(header) + 1, claims, strlen(claims) + 1);
	r = sign(key, alg, jwt, &sig, &siglen);
	if (r < 0)
		goto out;
	if (siglen > 16384) {
		r = -EIO;
		goto out;
	}
	pos = n;
	jwt[pos++] = '.';
	sspr_base64url(sig, siglen, jwt + pos);
	*ret_jwt = jwt;
	jwt = NULL;
	r = 0;
out:
	sspr_free_secret(jwt);
	free(header);
	free(claims);
	free(sig);
	EVP_PKEY_free(key);
	X509_free(cert);
	return r;
}
