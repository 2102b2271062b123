/*
 * The signed JWT client assertion that proves an app's certificate
 * credential to the Microsoft identity platform
 * (learn.microsoft.com/entra/identity-platform/certificate-credentials).
 */
#ifndef SSPR_JWT_H
#define SSPR_JWT_H

#include <stddef.h>
#include <time.h>

enum sspr_jwt_alg {
	/* RSASSA-PSS SHA-256, salt = 32, header x5t#S256 (current doc) */
	SSPR_JWT_PS256,
	/* RSASSA-PKCS1-v1_5 SHA-256, header x5t (SHA-1 thumbprint) */
	SSPR_JWT_RS256,
};

/* How long an assertion is valid: exp = nbf + this. */
#define SSPR_JWT_LIFETIME 300

/*
 * Build and sign an assertion with the RSA private key key_pem (PEM,
 * unencrypted; it never prompts) for the certificate cert_pem (PEM):
 * header {alg, typ "JWT", x5t or x5t#S256}, claims {aud = token_url,
 * iss = sub = client_id, jti = random GUID, nbf = now,
 * exp = now + SSPR_JWT_LIFETIME}. *ret_jwt is malloc'd; it is a
 * credential for five minutes, so free it with sspr_free_secret().
 * Returns 0 or -EINVAL (unreadable PEM), -EKEYREJECTED (the key does not
 * belong to the certificate), -EOPNOTSUPP (not an RSA key), -ENOMEM,
 * -EIO (OpenSSL failed).
 */
int sspr_jwt_client_assertion(const char *key_pem, size_t key_len,
			      const char *cert_pem, size_t cert_len,
			      enum sspr_jwt_alg alg, const char *client_id,
			      const char *token_url, time_t now,
			      char **ret_jwt);

#endif
