/*
 * Every reply parser of include/sspr/m365/graph_json.h on the same arbitrary
 * body (token, both error shapes, user, emailMethods, phoneMethods) and
 * the address check on it as a string. Properties: only the documented
 * results, and what a parser accepts has the shape its header promises.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "sspr/common/address.h"
#include "sspr/common/phone.h"
#include "sspr/common/util.h"
#include "sspr/m365/graph_json.h"
#include "sspr/m365/upn.h"
#include "sspr/mail/mail.h"

static int
printable(const char *s, int allow_space)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < (allow_space ? 0x20 : 0x21) ||
		    (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

static void
check_token(const char *body, size_t len)
{
	char *token = NULL;
	unsigned long expires = 0;
	int r;

	r = sspr_gj_token(body, len, &token, &expires);
	FUZZ_ASSERT(r == 0 || r == -EBADMSG || r == -ENOMEM);
	if (r < 0)
		return;
	FUZZ_ASSERT(token != NULL && token[0] != '\0');
	FUZZ_ASSERT(strlen(token) <= SSPR_TOKEN_MAX && printable(token, 0));
	FUZZ_ASSERT(expires >= 1 && expires <= SSPR_TOKEN_MAX_LIFETIME);
	sspr_free_secret(token);
}

static void
check_error(const char *body, size_t len)
{
	struct sspr_graph_error e;
	int r;

	r = sspr_gj_error(body, len, &e);
	FUZZ_ASSERT(r == 0 || r == -EBADMSG);
	if (r < 0)
		return;
	FUZZ_ASSERT(fuzz_terminated(e.code, sizeof(e.code)) &&
		    e.code[0] != '\0' && printable(e.code, 1));
	FUZZ_ASSERT(fuzz_terminated(e.message, sizeof(e.message)) &&
		    printable(e.message, 1));
	FUZZ_ASSERT(fuzz_terminated(e.request_id, sizeof(e.request_id)) &&
		    printable(e.request_id, 0));
	FUZZ_ASSERT(fuzz_terminated(e.client_request_id,
				    sizeof(e.client_request_id)) &&
		    printable(e.client_request_id, 0));
	FUZZ_ASSERT(e.aadsts <= 999999999);
}

static void
check_user(const char *body, size_t len)
{
	struct sspr_graph_user u;
	int r;

	r = sspr_gj_user(body, len, &u);
	FUZZ_ASSERT(r == 0 || r == -EBADMSG);
	if (r < 0)
		return;
	FUZZ_ASSERT(fuzz_terminated(u.id, sizeof(u.id)) && u.id[0] != '\0' &&
		    printable(u.id, 0));
	FUZZ_ASSERT(fuzz_terminated(u.upn, sizeof(u.upn)) &&
		    sspr_upn_valid(u.upn) == 0);
}

static void
check_email_methods(const char *body, size_t len)
{
	char *address = NULL;
	int r;

	r = sspr_gj_email_methods(body, len, &address);
	FUZZ_ASSERT(r == 0 || r == -EBADMSG || r == -ENOMEM);
	if (r < 0)
		return;
	FUZZ_ASSERT(address == NULL || sspr_address_ok(address) == 0);
	free(address);
}

static void
check_phone_methods(const char *body, size_t len)
{
	char *number = NULL;
	int r;

	r = sspr_gj_phone_methods(body, len, &number);
	FUZZ_ASSERT(r == 0 || r == -EBADMSG || r == -ENOMEM);
	if (r < 0)
		return;
	FUZZ_ASSERT(number == NULL || sspr_phone_ok(number) == 0);
	free(number);
}

static void
check_email_ok(const char *s)
{
	const char *at;
	int r = sspr_address_ok(s);

	FUZZ_ASSERT(r == 0 || r == -EINVAL);
	if (r < 0)
		return;
	/* header-safe: printable, one '@', none of the special characters */
	at = strchr(s, '@');
	FUZZ_ASSERT(at != NULL && strchr(at + 1, '@') == NULL);
	FUZZ_ASSERT(strlen(s) <= 254 && at - s >= 1 && at - s <= 64);
	FUZZ_ASSERT(printable(s, 0) && strpbrk(s, "()<>[]\\\",;:") == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body;

	if (size > 64 * 1024)
		return 0;
	/* An exact-size heap copy, so ASan sees any read past the end. */
	body = malloc(size > 0 ? size : 1);
	FUZZ_ASSERT(body != NULL);
	memcpy(body, data, size);
	check_token(body, size);
	check_error(body, size);
	check_user(body, size);
	check_email_methods(body, size);
	check_phone_methods(body, size);
	free(body);
	body = fuzz_cstring(data, size);
	check_email_ok(body);
	free(body);
	return 0;
}
