/*
 * Azure Communication Services SMS requests: the body, and the HMAC
 * signature a request made with the resource's access key carries
 * (Microsoft's "Sign an HTTP request with HMAC" for Communication
 * Services): base64(HMAC-SHA256(base64-decoded key,
 *   METHOD "\n" path-and-query "\n" x-ms-date ";" host ";" content-hash))
 * with content-hash = base64(SHA-256(body)).
 */
#include "sspr/sms/acs.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#include "sspr/common/phone.h"
#include "sspr/common/util.h"
#include "sspr/m365/graph_json.h"

#define KEY_MAX 128

/* IMF-fixdate in English whatever the locale (strftime's %a is not). */
static int
imf_date(time_t now, char *buf, size_t len)
{
	static const char *const day[] = { "Sun", "Mon", "Tue", "Wed",
					   "Thu", "Fri", "Sat" };
	static const char *const month[] = { "Jan", "Feb", "Mar", "Apr",
					     "May", "Jun", "Jul", "Aug",
					     "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	int n;

	if (gmtime_r(&now, &tm) == NULL)
		return -EINVAL;
	n = snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d GMT",
		     day[tm.tm_wday], tm.tm_mday, month[tm.tm_mon],
		     tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return n > 0 && (size_t)n < len ? 0 : -EINVAL;
}

/* The key's bytes; EVP_DecodeBlock counts '=' padding as zero bytes. */
static int
decode_key(const char *key, unsigned char *out, size_t *ret_len)
{
	size_t len = strlen(key);
	int n;

	if (len == 0 || len % 4 != 0 || len / 4 * 3 > KEY_MAX)
		return -EINVAL;
	n = EVP_DecodeBlock(out, (const unsigned char *)key, (int)len);
	if (n < 0)
		return -EINVAL;
	while (len > 0 && key[len - 1] == '=') {
		len--;
		n--;
	}
	if (n <= 0)
		return -EINVAL;
	*ret_len = (size_t)n;
	return 0;
}

int
sspr_acs_sign(const char *access_key, const char *method, const char *host,
	      const char *path_and_query, time_t now, const char *body,
	      size_t body_len, struct sspr_acs_auth *out)
{
	unsigned char key[KEY_MAX];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char sig[2 * EVP_MAX_MD_SIZE];
	char *to_sign = NULL;
	size_t keylen = 0;
	int r;

	memset(out, 0, sizeof(*out));
	r = decode_key(access_key, key, &keylen);
	if (r < 0)
		goto out;
	r = imf_date(now, out->date, sizeof(out->date));
	if (r < 0)
		goto out;
	r = -EIO;
	if (EVP_Digest(body, body_len, md, &mdlen, EVP_sha256(), NULL) != 1)
		goto out;
	EVP_EncodeBlock((unsigned char *)out->content_sha256, md, (int)mdlen);
	if (asprintf(&to_sign, "%s\n%s\n%s;%s;%s", method, path_and_query,
		     out->date, host, out->content_sha256) < 0) {
		to_sign = NULL;
		r = -ENOMEM;
		goto out;
	}
	if (HMAC(EVP_sha256(), key, (int)keylen, (unsigned char *)to_sign,
		 strlen(to_sign), md, &mdlen) == NULL)
		goto out;
	EVP_EncodeBlock((unsigned char *)sig, md, (int)mdlen);
	r = snprintf(out->authorization, sizeof(out->authorization),
		     "HMAC-SHA256 SignedHeaders=x-ms-date;host;"
		     "x-ms-content-sha256&Signature=%s",
		     sig);
	r = r > 0 && (size_t)r < sizeof(out->authorization) ? 0 : -EIO;
out:
	sspr_wipe(key, sizeof(key));
	sspr_wipe(md, sizeof(md));
	free(to_sign);
	if (r < 0)
		memset(out, 0, sizeof(*out));
	return r;
}

int
sspr_acs_sms_body(const char *sender, const char *to, const char *text,
		  char **ret_body)
{
	cJSON *root;
	cJSON *list;
	cJSON *one;

	*ret_body = NULL;
	if (sender == NULL || sender[0] == '\0' || sspr_phone_ok(to) < 0 ||
	    text == NULL || text[0] == '\0')
		return -EINVAL;
	root = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(root, "smsRecipients");
	one = cJSON_CreateObject();
	if (root == NULL || list == NULL || one == NULL) {
		cJSON_Delete(one);
		cJSON_Delete(root);
		return -ENOMEM;
	}
	cJSON_AddItemToArray(list, one);
	if (cJSON_AddStringToObject(root, "from", sender) == NULL ||
	    cJSON_AddStringToObject(one, "to", to) == NULL ||
	    cJSON_AddStringToObject(root, "message", text) == NULL) {
		sspr_gj_delete_wiped(root);
		return -ENOMEM;
	}
	/*
	 * The text holds the code: printed into one buffer of the worst
	 * case size (every byte escaped as \u00XX), so no growing buffer
	 * leaves a copy behind; the tree is wiped.
	 */
	return sspr_gj_print_secret(
	    root, 6 * (strlen(sender) + strlen(to) + strlen(text)) + 128,
	    ret_body);
}
