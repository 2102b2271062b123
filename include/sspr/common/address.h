/* Email addresses: the one validity rule and the mask for the terminal. */
#ifndef SSPR_ADDRESS_H
#define SSPR_ADDRESS_H

/* The longest address SMTP carries (RFC 5321 4.5.3.1.3 with 5.1). */
#define SSPR_ADDRESS_MAX 254

/*
 * Mask an address for the terminal: "a•••••@example.org" when the
 * locale's character set is UTF-8 (as the host's setlocale() left it),
 * "a*****@example.org" otherwise. Malloc'd.
 */
char *sspr_address_mask(const char *address);

/*
 * Is address a plausible, header-safe email address? 0 when it is, else
 * -EINVAL: exactly one '@'; a local part of 1-64 bytes of printable ASCII
 * without space or ()<>[]\",;:# characters ('#' starts a comment in
 * sspr.conf and in the record) and without a leading, trailing
 * or doubled '.'; a domain of letters, digits, '-' and '.' with a dot
 * inside, not starting or ending with '.' or '-', no ".."; 254 bytes in
 * all.
 */
int sspr_address_ok(const char *address);

#endif
