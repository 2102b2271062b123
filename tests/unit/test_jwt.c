/*
 * Client assertions: a key and certificate made here with OpenSSL, the
 * JWT checked independently (own base64url decoder, OpenSSL verify with
 * the exact padding the service uses, thumbprints recomputed).
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "sspr/common/encode.h"
#include "sspr/common/util.h"
#include "sspr/m365/jwt.h"

#define CLIENT_ID "535fb089-9ff3-47b6-9bfb-4f1264799865"
#define TOKEN_URL \
	"https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"

struct pem {
	char *key;
	size_t key_len;
	char *cert;
	size_t cert_len;
};

static char *
bio_text(BIO *bio, size_t *ret_len)
{
	char *data = NULL;
	long n = BIO_get_mem_data(bio, &data);
	char *copy = malloc((size_t)n + 1);

	memcpy(copy, data, (size_t)n);
	copy[n] = '\0';
	*ret_len = (size_t)n;
	return copy;
}

/* A self-signed certificate for key, PEM-encoded with it. */
static void
make_pem(EVP_PKEY *key, const char *passphrase, struct pem *ret)
{
	X509 *x = X509_new();
	X509_NAME *name;
	BIO *kb = BIO_new(BIO_s_mem());
	BIO *cb = BIO_new(BIO_s_mem());

	ASN1_INTEGER_set(X509_get_serialNumber(x), 42);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)"pam_sspr test app",
				   -1, -1, 0);
	X509_set_issuer_name(x, name);
	CHECK(X509_sign(x, key, EVP_sha256()) > 0);
	if (passphrase != NULL)
		CHECK(PEM_write_bio_PrivateKey(
			kb, key, EVP_aes_128_cbc(),
			(const unsigned char *)passphrase,
			(int)strlen(passphrase), NULL, NULL) == 1);
	else
		CHECK(PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL,
					       NULL) == 1);
	CHECK(PEM_write_bio_X509(cb, x) == 1);
	ret->key = bio_text(kb, &ret->key_len);
	ret->cert = bio_text(cb, &ret->cert_len);
	BIO_free(kb);
	BIO_free(cb);
	X509_free(x);
}

static void
pem_done(struct pem *p)
{
	free(p->key);
	free(p->cert);
}

static EVP_PKEY *rsa_key;
static EVP_PKEY *other_key;
static struct pem pem;

/* Independent base64url decoder: rejects padding and other alphabets. */
static unsigned char *
b64url_decode(const char *s, size_t n, size_t *ret_len)
{
	unsigned char *out = malloc(n * 3 / 4 + 3);
	unsigned long acc = 0;
	int bits = 0;
	size_t len = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		const char *alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
				    "qrstuvwxyz0123456789-_";
		const char *p = strchr(alpha, s[i]);

		if (s[i] == '\0' || p == NULL) {
			free(out);
			return NULL;
		}
		acc = (acc << 6) | (unsigned long)(p - alpha);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[len++] = (unsigned char)(acc >> bits);
		}
	}
	out[len] = '\0';
	*ret_len = len;
	return out;
}

/* base64url of data via OpenSSL's standard base64 plus translation. */
static void
ref_b64url(const unsigned char *data, size_t len, char *out)
{
	int n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	int i;

	for (i = 0; i < n; i++) {
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	}
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
}

static void
thumbprint(const EVP_MD *md, char *out)
{
	BIO *b = BIO_new_mem_buf(pem.cert, (int)pem.cert_len);
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	unsigned char der_md[EVP_MAX_MD_SIZE];
	unsigned char *der = NULL;
	unsigned int mdlen = 0;
	int der_len = i2d_X509(x, &der);

	/* hash of the DER, computed here without X509_digest */
	CHECK(EVP_Digest(der, (size_t)der_len, der_md, &mdlen, md, NULL) == 1);
	ref_b64url(der_md, mdlen, out);
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(b);
}

struct parts {
	cJSON *header;
	cJSON *claims;
	unsigned char *sig;
	size_t sig_len;
	char *signed_part;
};

static bool
split(const char *jwt, struct parts *p)
{
	const char *d1 = strchr(jwt, '.');
	const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	unsigned char *h;
	unsigned char *c;
	size_t hl;
	size_t cl;

	memset(p, 0, sizeof(*p));
	if (d1 == NULL || d2 == NULL || strchr(d2 + 1, '.') != NULL)
		return false;
	if (strchr(jwt, '=') != NULL || strchr(jwt, '+') != NULL ||
	    strchr(jwt, '/') != NULL)
		return false;
	h = b64url_decode(jwt, (size_t)(d1 - jwt), &hl);
	c = b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), &cl);
	p->sig = b64url_decode(d2 + 1, strlen(d2 + 1), &p->sig_len);
	if (h == NULL || c == NULL || p->sig == NULL) {
		free(h);
		free(c);
		return false;
	}
	p->header = cJSON_ParseWithLength((const char *)h, hl);
	p->claims = cJSON_ParseWithLength((const char *)c, cl);
	p->signed_part = strndup(jwt, (size_t)(d2 - jwt));
	free(h);
	free(c);
	return p->header != NULL && p->claims != NULL;
}

static void
parts_done(struct parts *p)
{
	cJSON_Delete(p->header);
	cJSON_Delete(p->claims);
	free(p->sig);
	free(p->signed_part);
}

static bool
verify(const struct parts *p, EVP_PKEY *key, int padding)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int ok;

	CHECK(EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, key) == 1);
	CHECK(EVP_PKEY_CTX_set_rsa_padding(pctx, padding) == 1);
	if (padding == RSA_PKCS1_PSS_PADDING) {
		/* exactly the digest length, as RFC 7518 and Entra want */
		CHECK(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) == 1);
		CHECK(EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1);
	}
	ok = EVP_DigestVerify(md, p->sig, p->sig_len,
			      (const unsigned char *)p->signed_part,
			      strlen(p->signed_part));
	EVP_MD_CTX_free(md);
	return ok == 1;
}

static const char *
str(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double
num(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static bool
is_guid(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (strchr("0123456789abcdef", s[i]) == NULL) {
			return false;
		}
	}
	return s[14] == '4';
}

static void
check_claims(const struct parts *p, time_t now)
{
	CHECK_STR(str(p->claims, "aud"), TOKEN_URL);
	CHECK_STR(str(p->claims, "iss"), CLIENT_ID);
	CHECK_STR(str(p->claims, "sub"), CLIENT_ID);
	CHECK(is_guid(str(p->claims, "jti")));
	CHECK(num(p->claims, "nbf") == (double)now);
	CHECK(num(p->claims, "exp") == (double)(now + 300));
	CHECK(cJSON_GetArraySize(p->claims) == 6);
}

static void
test_ps256(void)
{
	time_t now = 1700000000;
	char thumb[128];
	struct parts p;
	char *jwt = NULL;

	CHECK(sspr_jwt_client_assertion(pem.key, pem.key_len, pem.cert,
					pem.cert_len, SSPR_JWT_PS256,
					CLIENT_ID, TOKEN_URL, now, &jwt) == 0);
	if (jwt == NULL)
		return;
	CHECK(split(jwt, &p));
	CHECK_STR(str(p.header, "alg"), "PS256");
	CHECK_STR(str(p.header, "typ"), "JWT");
	thumbprint(EVP_sha256(), thumb);
	CHECK_STR(str(p.header, "x5t#S256"), thumb);
	CHECK(str(p.header, "x5t") == NULL);
	CHECK(cJSON_GetArraySize(p.header) == 3);
	check_claims(&p, now);
	CHECK(p.sig_len == 256);
	CHECK(verify(&p, rsa_key, RSA_PKCS1_PSS_PADDING));
	CHECK(!verify(&p, rsa_key, RSA_PKCS1_PADDING));
	CHECK(!verify(&p, other_key, RSA_PKCS1_PSS_PADDING));
	parts_done(&p);
	sspr_free_secret(jwt);
}

static void
test_rs256(void)
{
	time_t now = time(NULL);
	char thumb[128];
	struct parts p;
	char *jwt = NULL;

	CHECK(sspr_jwt_client_assertion(pem.key, pem.key_len, pem.cert,
					pem.cert_len, SSPR_JWT_RS256,
					CLIENT_ID, TOKEN_URL, now, &jwt) == 0);
	if (jwt == NULL)
		return;
	CHECK(split(jwt, &p));
	CHECK_STR(str(p.header, "alg"), "RS256");
	CHECK_STR(str(p.header, "typ"), "JWT");
	thumbprint(EVP_sha1(), thumb);
	CHECK(strlen(thumb) == 27);
	CHECK_STR(str(p.header, "x5t"), thumb);
	CHECK(str(p.header, "x5t#S256") == NULL);
	check_claims(&p, now);
	CHECK(verify(&p, rsa_key, RSA_PKCS1_PADDING));
	CHECK(!verify(&p, rsa_key, RSA_PKCS1_PSS_PADDING));
	parts_done(&p);
	sspr_free_secret(jwt);
}

static void
test_jti_unique(void)
{
	char *a = NULL;
	char *b = NULL;
	struct parts pa;
	struct parts pb;

	CHECK(sspr_jwt_client_assertion(pem.key, pem.key_len, pem.cert,
					pem.cert_len, SSPR_JWT_PS256,
					CLIENT_ID, TOKEN_URL, 1, &a) == 0);
	CHECK(sspr_jwt_client_assertion(pem.key, pem.key_len, pem.cert,
					pem.cert_len, SSPR_JWT_PS256,
					CLIENT_ID, TOKEN_URL, 1, &b) == 0);
	if (a == NULL || b == NULL)
		return;
	CHECK(split(a, &pa) && split(b, &pb));
	CHECK(strcmp(str(pa.claims, "jti"), str(pb.claims, "jti")) != 0);
	parts_done(&pa);
	parts_done(&pb);
	sspr_free_secret(a);
	sspr_free_secret(b);
}

static void
test_refusals(void)
{
	struct pem other;
	struct pem enc;
	struct pem ec;
	EVP_PKEY *eckey = EVP_EC_gen("P-256");
	char *jwt = NULL;
	const char junk[] = "-----BEGIN PRIVATE KEY-----\nAAAA\n"
			    "-----END PRIVATE KEY-----\n";

	make_pem(other_key, NULL, &other);
	/* key of one certificate, certificate of another */
	CHECK(sspr_jwt_client_assertion(other.key, other.key_len, pem.cert,
					pem.cert_len, SSPR_JWT_PS256,
					CLIENT_ID, TOKEN_URL, 1,
					&jwt) == -EKEYREJECTED);
	CHECK(jwt == NULL);
	CHECK(sspr_jwt_client_assertion(junk, sizeof(junk) - 1, pem.cert,
					pem.cert_len, SSPR_JWT_PS256,
					CLIENT_ID, TOKEN_URL, 1,
					&jwt) == -EINVAL);
	CHECK(sspr_jwt_client_assertion(pem.key, pem.key_len, junk,
					sizeof(junk) - 1, SSPR_JWT_RS256,
					CLIENT_ID, TOKEN_URL, 1,
					&jwt) == -EINVAL);
	/* an encrypted key is refused, never prompted for */
	make_pem(rsa_key, "pass phrase", &enc);
	CHECK(strstr(enc.key, "ENCRYPTED") != NULL);
	CHECK(sspr_jwt_client_assertion(enc.key, enc.key_len, enc.cert,
					enc.cert_len, SSPR_JWT_PS256,
					CLIENT_ID, TOKEN_URL, 1,
					&jwt) == -EINVAL);
	CHECK(eckey != NULL);
	if (eckey != NULL) {
		make_pem(eckey, NULL, &ec);
		CHECK(sspr_jwt_client_assertion(ec.key, ec.key_len, ec.cert,
						ec.cert_len, SSPR_JWT_PS256,
						CLIENT_ID, TOKEN_URL, 1,
						&jwt) == -EOPNOTSUPP);
		pem_done(&ec);
		EVP_PKEY_free(eckey);
	}
	CHECK(sspr_jwt_client_assertion(pem.key, pem.key_len, pem.cert,
					pem.cert_len, (enum sspr_jwt_alg)7,
					CLIENT_ID, TOKEN_URL, 1,
					&jwt) == -EINVAL);
	CHECK(jwt == NULL);
	pem_done(&other);
	pem_done(&enc);
}

static void
test_claims_escaped(void)
{
	/* a client id with JSON specials stays one well-formed string */
	const char *odd = "a\"b\\c";
	struct parts p;
	char *jwt = NULL;

	CHECK(sspr_jwt_client_assertion(pem.key, pem.key_len, pem.cert,
					pem.cert_len, SSPR_JWT_PS256, odd,
					TOKEN_URL, 5, &jwt) == 0);
	if (jwt == NULL)
		return;
	CHECK(split(jwt, &p));
	CHECK_STR(str(p.claims, "iss"), odd);
	CHECK(verify(&p, rsa_key, RSA_PKCS1_PSS_PADDING));
	parts_done(&p);
	sspr_free_secret(jwt);
}

static void
test_base64url(void)
{
	static const struct {
		const char *in;
		const char *out;
	} v[] = {
		{ "", "" },	      { "f", "Zg" },	    { "fo", "Zm8" },
		{ "foo", "Zm9v" },    { "foob", "Zm9vYg" }, { "fooba", "Zm9vYmE" },
		{ "foobar", "Zm9vYmFy" },
	};
	const unsigned char bin[] = { 0xfb, 0xff, 0xbf };
	char out[64];
	size_t i;

	for (i = 0; i < SSPR_ARRAY_SIZE(v); i++) {
		CHECK(sspr_base64url((const unsigned char *)v[i].in,
				     strlen(v[i].in), out) == strlen(v[i].out));
		CHECK_STR(out, v[i].out);
	}
	sspr_base64url(bin, 3, out);
	CHECK_STR(out, "-_-_");
	sspr_base64url(bin, 2, out);
	CHECK_STR(out, "-_8");
}

int
main(void)
{
	rsa_key = EVP_RSA_gen(2048);
	other_key = EVP_RSA_gen(2048);
	if (rsa_key == NULL || other_key == NULL) {
		printf("FAIL: key generation\n");
		return 1;
	}
	make_pem(rsa_key, NULL, &pem);
	RUN(test_base64url);
	RUN(test_ps256);
	RUN(test_rs256);
	RUN(test_jti_unique);
	RUN(test_claims_escaped);
	RUN(test_refusals);
	pem_done(&pem);
	EVP_PKEY_free(rsa_key);
	EVP_PKEY_free(other_key);
	CHECK_EXIT();
}
