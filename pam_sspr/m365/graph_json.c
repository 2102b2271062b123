/*
 * Parsing Microsoft identity platform and Graph replies with cJSON.
 *
 * Bodies come from the network: length-bounded by http.c, parsed with
 * cJSON's own nesting limit, required to be one JSON value (trailing junk
 * is refused), and every field used is type-checked. Trees that held an
 * access token have every string wiped before they are freed.
 */
#include "sspr/m365/graph_json.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sspr/common/address.h"
#include "sspr/common/phone.h"
#include "sspr/common/util.h"
#include "sspr/mail/mail.h"

/* Wipe every key and string value of a tree, then free it. */
static void
wipe_tree(cJSON *item)
{
	cJSON *c;

	for (c = item; c != NULL; c = c->next) {
		if (c->valuestring != NULL)
			sspr_wipe(c->valuestring, strlen(c->valuestring));
		if (c->string != NULL)
			sspr_wipe(c->string, strlen(c->string));
		/* depth is bounded by cJSON's CJSON_NESTING_LIMIT */
		if (c->child != NULL)
			wipe_tree(c->child);
	}
}

void
sspr_gj_delete_wiped(cJSON *root)
{
	if (root == NULL)
		return;
	wipe_tree(root);
	cJSON_Delete(root);
}

int
sspr_gj_print_secret(cJSON *root, size_t cap, char **ret_text)
{
	char *buf;

	if (cap > INT_MAX) {
		sspr_gj_delete_wiped(root);
		return -E2BIG;
	}
	buf = malloc(cap);
	if (buf == NULL) {
		sspr_gj_delete_wiped(root);
		return -ENOMEM;
	}
	if (!cJSON_PrintPreallocated(root, buf, (int)cap, false)) {
		sspr_freezero(buf, cap);
		sspr_gj_delete_wiped(root);
		return -E2BIG;
	}
	sspr_gj_delete_wiped(root);
	*ret_text = buf;
	return 0;
}

/* One JSON object and nothing but white space after it. */
static int
parse_object(const char *body, size_t len, cJSON **ret)
{
	const char *end = NULL;
	cJSON *root;

	if (body == NULL || len == 0 || memchr(body, '\0', len) != NULL)
		return -EBADMSG;
	root = cJSON_ParseWithLengthOpts(body, len, &end, false);
	if (root == NULL)
		return -EBADMSG;
	if (end == NULL || end < body || end > body + len)
		goto bad;
	for (; end < body + len; end++)
		if (*end != ' ' && *end != '\t' && *end != '\r' && *end != '\n')
			goto bad;
	if (!cJSON_IsObject(root))
		goto bad;
	*ret = root;
	return 0;
bad:
	sspr_gj_delete_wiped(root);
	return -EBADMSG;
}

/* A member that must be a string, or NULL. */
static const char *
get_string(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(v) && v->valuestring != NULL ? v->valuestring
							   : NULL;
}

static bool
printable_token(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < 0x21 || *s > 0x7e)
			return false;
	return true;
}

/* A whole number in [min, max] held in a JSON number. */
static bool
whole_number(const cJSON *v, double min, double max, unsigned long *ret)
{
	double d;

	if (!cJSON_IsNumber(v))
		return false;
	d = v->valuedouble;
	/* NaN fails every comparison; infinities fail the range. */
	if (!(d >= min && d <= max) || (double)(unsigned long)d != d)
		return false;
	*ret = (unsigned long)d;
	return true;
}

/* *ret = a malloc'd copy of s; 0 or -ENOMEM. */
static int
give_copy(const char *s, char **ret)
{
	char *copy = sspr_strdup(s);

	if (copy == NULL)
		return -ENOMEM;
	*ret = copy;
	return 0;
}

int
sspr_gj_token(const char *body, size_t len, char **ret_token,
	      unsigned long *ret_expires_in)
{
	cJSON *root = NULL;
	const char *type;
	const char *token;
	unsigned long expires;
	int r;

	r = parse_object(body, len, &root);
	if (r < 0)
		return r;
	r = -EBADMSG;
	type = get_string(root, "token_type");
	token = get_string(root, "access_token");
	if (type == NULL || sspr_ascii_casecmp(type, "bearer") != 0)
		goto out;
	if (token == NULL || token[0] == '\0' ||
	    strlen(token) > SSPR_TOKEN_MAX || !printable_token(token))
		goto out;
	if (!whole_number(cJSON_GetObjectItemCaseSensitive(root, "expires_in"),
			  1, SSPR_TOKEN_MAX_LIFETIME, &expires))
		goto out;
	r = give_copy(token, ret_token);
	if (r == 0)
		*ret_expires_in = expires;
out:
	sspr_gj_delete_wiped(root);
	return r;
}

/* Copy a short identifier (printable, fits) or leave dst empty. */
static void
copy_id(char *dst, size_t dstlen, const char *src)
{
	dst[0] = '\0';
	if (src == NULL || strlen(src) >= dstlen || !printable_token(src))
		return;
	sspr_strlcpy(dst, src, dstlen);
}

/* First line of a message, non-printables as '?', cut to fit. */
static void
copy_message(char *dst, size_t dstlen, const char *src)
{
	size_t n = 0;

	if (src != NULL) {
		for (; *src != '\0' && *src != '\r' && *src != '\n' &&
		       n + 1 < dstlen;
		     src++) {
			unsigned char c = (unsigned char)*src;

			dst[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
		}
	}
	dst[n] = '\0';
}

static int
graph_error_shape(const cJSON *err, struct sspr_graph_error *ret)
{
	const cJSON *inner;
	const char *code = get_string(err, "code");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(err, "message");

	if (code == NULL || code[0] == '\0')
		return -EBADMSG;
	if (msg != NULL && !cJSON_IsString(msg) && !cJSON_IsNull(msg))
		return -EBADMSG;
	copy_message(ret->code, sizeof(ret->code), code);
	copy_message(ret->message, sizeof(ret->message),
		     cJSON_IsString(msg) ? msg->valuestring : NULL);
	inner = cJSON_GetObjectItemCaseSensitive(err, "innerError");
	if (inner != NULL && !cJSON_IsObject(inner) && !cJSON_IsNull(inner))
		return -EBADMSG;
	if (cJSON_IsObject(inner)) {
		copy_id(ret->request_id, sizeof(ret->request_id),
			get_string(inner, "request-id"));
		copy_id(ret->client_request_id, sizeof(ret->client_request_id),
			get_string(inner, "client-request-id"));
	}
	return 0;
}

static int
login_error_shape(const cJSON *root, const char *error,
		  struct sspr_graph_error *ret)
{
	const cJSON *codes =
	    cJSON_GetObjectItemCaseSensitive(root, "error_codes");
	const cJSON *desc =
	    cJSON_GetObjectItemCaseSensitive(root, "error_description");

	if (error[0] == '\0')
		return -EBADMSG;
	if (desc != NULL && !cJSON_IsString(desc))
		return -EBADMSG;
	if (codes != NULL) {
		const cJSON *first;

		if (!cJSON_IsArray(codes))
			return -EBADMSG;
		first = codes->child;
		if (first != NULL &&
		    !whole_number(first, 0, 999999999, &ret->aadsts))
			return -EBADMSG;
	}
	copy_message(ret->code, sizeof(ret->code), error);
	copy_message(ret->message, sizeof(ret->message),
		     desc != NULL ? desc->valuestring : NULL);
	copy_id(ret->request_id, sizeof(ret->request_id),
		get_string(root, "trace_id"));
	copy_id(ret->client_request_id, sizeof(ret->client_request_id),
		get_string(root, "correlation_id"));
	return 0;
}

int
sspr_gj_error(const char *body, size_t len, struct sspr_graph_error *ret)
{
	struct sspr_graph_error e = { .aadsts = 0 };
	cJSON *root = NULL;
	const cJSON *err;
	int r;

	r = parse_object(body, len, &root);
	if (r < 0)
		return r;
	err = cJSON_GetObjectItemCaseSensitive(root, "error");
	if (cJSON_IsObject(err))
		r = graph_error_shape(err, &e);
	else if (cJSON_IsString(err) && err->valuestring != NULL)
		r = login_error_shape(root, err->valuestring, &e);
	else
		r = -EBADMSG;
	/* "\r..." has an empty first line: no code to report, no shape. */
	if (r == 0 && e.code[0] == '\0')
		r = -EBADMSG;
	sspr_gj_delete_wiped(root);
	if (r == 0)
		*ret = e;
	return r;
}

int
sspr_gj_user(const char *body, size_t len, struct sspr_graph_user *ret)
{
	struct sspr_graph_user u = { .account_enabled = false };
	cJSON *root = NULL;
	const char *id;
	const char *upn;
	const cJSON *enabled;
	const cJSON *synced;
	int r;

	r = parse_object(body, len, &root);
	if (r < 0)
		return r;
	r = -EBADMSG;
	id = get_string(root, "id");
	upn = get_string(root, "userPrincipalName");
	enabled = cJSON_GetObjectItemCaseSensitive(root, "accountEnabled");
	synced =
	    cJSON_GetObjectItemCaseSensitive(root, "onPremisesSyncEnabled");
	if (id == NULL || id[0] == '\0' || strlen(id) >= sizeof(u.id) ||
	    !printable_token(id))
		goto out;
	if (upn == NULL || sspr_upn_valid(upn) < 0)
		goto out;
	if (!cJSON_IsBool(enabled))
		goto out;
	if (synced != NULL && !cJSON_IsBool(synced) && !cJSON_IsNull(synced))
		goto out;
	sspr_strlcpy(u.id, id, sizeof(u.id));
	sspr_strlcpy(u.upn, upn, sizeof(u.upn));
	u.account_enabled = cJSON_IsTrue(enabled);
	u.on_premises_sync = synced != NULL && cJSON_IsTrue(synced);
	*ret = u;
	r = 0;
out:
	cJSON_Delete(root);
	return r;
}

int
sspr_gj_password_changed(const char *body, size_t len, time_t *ret_when)
{
	cJSON *root = NULL;
	const cJSON *when;
	struct tm tm = { 0 };
	const char *end;
	int r;

	r = parse_object(body, len, &root);
	if (r < 0)
		return r;
	r = -EBADMSG;
	when = cJSON_GetObjectItemCaseSensitive(root,
						"lastPasswordChangeDateTime");
	if (cJSON_IsNull(when)) {
		*ret_when = 0;
		r = 0;
		goto out;
	}
	if (!cJSON_IsString(when))
		goto out;
	end = strptime(when->valuestring, "%Y-%m-%dT%H:%M:%S", &tm);
	/* UTC, optionally with fractions of a second */
	if (end == NULL)
		goto out;
	if (*end == '.')
		end += 1 + strspn(end + 1, "0123456789");
	if (strcmp(end, "Z") != 0)
		goto out;
	*ret_when = timegm(&tm);
	r = *ret_when == (time_t)-1 ? -EBADMSG : 0;
out:
	cJSON_Delete(root);
	return r;
}

/* A collection reply: an object whose "value" is an array; 0 or -EBADMSG. */
static int
parse_value(const char *body, size_t len, cJSON **ret_root,
	    const cJSON **ret_value)
{
	cJSON *root = NULL;
	const cJSON *value;
	int r;

	r = parse_object(body, len, &root);
	if (r < 0)
		return r;
	value = cJSON_GetObjectItemCaseSensitive(root, "value");
	if (!cJSON_IsArray(value)) {
		cJSON_Delete(root);
		return -EBADMSG;
	}
	*ret_root = root;
	*ret_value = value;
	return 0;
}

int
sspr_gj_email_methods(const char *body, size_t len, char **ret_address)
{
	cJSON *root = NULL;
	const cJSON *value;
	const cJSON *first;
	const char *address;
	int r;

	r = parse_value(body, len, &root, &value);
	if (r < 0)
		return r;
	r = -EBADMSG;
	first = value->child;
	if (first == NULL) {
		*ret_address = NULL;
		r = 0;
		goto out;
	}
	if (!cJSON_IsObject(first))
		goto out;
	address = get_string(first, "emailAddress");
	if (address == NULL || sspr_address_ok(address) < 0)
		goto out;
	r = give_copy(address, ret_address);
out:
	cJSON_Delete(root);
	return r;
}

int
sspr_gj_member_groups(const char *body, size_t len, const char *const *ids,
		      size_t n, bool *ret_member)
{
	cJSON *root = NULL;
	const cJSON *value;
	const cJSON *item;
	bool member = false;
	int r;

	r = parse_value(body, len, &root, &value);
	if (r < 0)
		return r;
	r = -EBADMSG;
	cJSON_ArrayForEach(item, value)
	{
		bool asked = false;
		size_t i;

		if (!cJSON_IsString(item) || item->valuestring == NULL)
			goto out;
		/* Only ids that were asked about: anything else is no reply. */
		for (i = 0; i < n; i++)
			if (strcasecmp(item->valuestring, ids[i]) == 0)
				asked = true;
		if (!asked)
			goto out;
		member = true;
	}
	*ret_member = member;
	r = 0;
out:
	cJSON_Delete(root);
	return r;
}

int
sspr_gj_phone_methods(const char *body, size_t len, char **ret_number)
{
	char number[SSPR_PHONE_MAX];
	cJSON *root = NULL;
	const cJSON *value;
	const cJSON *m;
	const char *type;
	const char *typed;
	int r;

	*ret_number = NULL;
	r = parse_object(body, len, &root);
	if (r < 0)
		return r;
	r = -EBADMSG;
	value = cJSON_GetObjectItemCaseSensitive(root, "value");
	if (!cJSON_IsArray(value))
		goto out;
	r = 0;
	cJSON_ArrayForEach(m, value)
	{
		type = get_string(m, "phoneType");
		if (type == NULL || strcmp(type, "mobile") != 0)
			continue;
		typed = get_string(m, "phoneNumber");
		r = typed != NULL && sspr_phone_canonical(typed, number) == 0
			? give_copy(number, ret_number)
			: -EBADMSG;
		break;
	}
out:
	cJSON_Delete(root);
	return r;
}
