/* Messages for people go through gettext, text domain "pam_sspr". */
#ifndef SSPR_I18N_H
#define SSPR_I18N_H

#include <libintl.h>

#define SSPR_TEXT_DOMAIN "pam_sspr"
#define _(msgid) dgettext(SSPR_TEXT_DOMAIN, msgid)
#define N_(msgid) msgid

#endif
