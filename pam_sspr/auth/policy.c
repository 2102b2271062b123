/*
 * Microsoft 365's password rules for cloud accounts (Entra ID policy):
 * 8 to 256 characters from an allowed set, three of the four character
 * classes, and not containing the user name. Checked before anything
 * changes so the sync cannot fail on them later.
 */
#include "sspr/auth/policy.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sspr/common/i18n.h"
#include "sspr/common/util.h"

#define POLICY_MIN_LEN 8
#define POLICY_MAX_LEN 256
#define POLICY_MIN_CLASSES 3
#define POLICY_MIN_NAME 3 /* shorter names match too much by chance */

static const char symbols[] = "@#$%^&*-_!+=[]{}|\\:',.?/`~\"();<> ";

static bool
contains_ci(const char *haystack, const char *needle, size_t needle_len)
{
	size_t hay_len = strlen(haystack);
	size_t i;

	for (i = 0; needle_len > 0 && i + needle_len <= hay_len; i++)
		if (sspr_ascii_ncasecmp(haystack + i, needle, needle_len) == 0)
			return true;
	return false;
}

/*
 * Count a failed rule and add its sentence to msg as far as it fits. The
 * count, not what fitted, decides the answer: a small msg must not turn
 * a refusal into a pass.
 */
static void
add_reason(char *msg, size_t msglen, size_t *used, unsigned *failed,
	   const char *reason)
{
	int n;

	(*failed)++;
	if (*used >= msglen)
		return;
	n = snprintf(msg + *used, msglen - *used, "%s%s", *used > 0 ? "\n" : "",
		     reason);
	if (n > 0)
		*used += (size_t)n;
}

int
sspr_policy_check(const char *password, const char *user, char *msg,
		  size_t msglen)
{
	size_t len = strlen(password);
	size_t used = 0;
	unsigned failed = 0;
	size_t name_len;
	bool lower = false, upper = false, digit = false, symbol = false;
	bool bad_char = false;
	const char *p;

	if (msglen > 0)
		msg[0] = '\0';
	for (p = password; *p != '\0'; p++) {
		char c = *p;

		if (sspr_ascii_lower(c))
			lower = true;
		else if (sspr_ascii_upper(c))
			upper = true;
		else if (sspr_ascii_digit(c))
			digit = true;
		else if (strchr(symbols, c) != NULL)
			symbol = true;
		else
			bad_char = true;
	}
	if (len < POLICY_MIN_LEN)
		add_reason(msg, msglen, &used, &failed,
			   _("It must have at least 8 characters."));
	if (len > POLICY_MAX_LEN)
		add_reason(msg, msglen, &used, &failed,
			   _("It must have at most 256 characters."));
	if ((int)lower + (int)upper + (int)digit + (int)symbol <
	    POLICY_MIN_CLASSES)
		add_reason(msg, msglen, &used, &failed,
			   _("It must use three of these four: lowercase "
			     "letters, uppercase letters, digits, symbols."));
	if (bad_char)
		add_reason(msg, msglen, &used, &failed,
			   _("It may only use English letters, digits, "
			     "spaces and the symbols "
			     "@ # $ % ^ & * - _ ! + = [ ] { } | \\ : ' , . ? "
			     "/ ` ~ \" ( ) ; < >."));
	name_len = strcspn(user, "@");
	if (name_len >= POLICY_MIN_NAME &&
	    contains_ci(password, user, name_len))
		add_reason(msg, msglen, &used, &failed,
			   _("It must not contain your user name."));
	return failed > 0 ? -EINVAL : 0;
}
