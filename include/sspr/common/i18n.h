/*
 * Messages for people go through gettext, text domain "pam_sspr": _() for
 * a message, N_() to mark one used later, and for a count
 * dngettext(SSPR_TEXT_DOMAIN, "%u attempt left", "%u attempts left", n)
 * (languages have one to six plural forms). Always a whole sentence,
 * never pieces glued together; a TRANSLATORS: comment just above says
 * what each %s is. make pot collects them into po/pam_sspr.pot.
 */
#ifndef SSPR_I18N_H
#define SSPR_I18N_H

#include <libintl.h>

#define SSPR_TEXT_DOMAIN "pam_sspr"
/*
 * Where the catalogs are: the Makefile's LOCALEDIR; other builds (the
 * fuzzers') get Debian's.
 */
#ifndef SSPR_LOCALEDIR
#define SSPR_LOCALEDIR "/usr/share/locale"
#endif
#define _(msgid) dgettext(SSPR_TEXT_DOMAIN, msgid)
#define N_(msgid) msgid

#endif
