/*
 * The language pam_sspr speaks to the person at the terminal. It follows
 * the locale (login's and sspr's setlocale(LC_ALL, "")), except on the
 * Linux text console: its kernel font has at most 512 glyphs and cannot
 * draw kanji, hangul or hanzi, so a Chinese, Japanese or Korean message
 * there would be a row of blanks. console_language in sspr.conf decides.
 */
#ifndef SSPR_LANG_H
#define SSPR_LANG_H

#include <locale.h>
#include <stdbool.h>
#include <stddef.h>

/* console_language = auto | locale | C, in that order. */
enum sspr_console_language {
	SSPR_CONSOLE_AUTO,   /* English on the console for CJK languages */
	SSPR_CONSOLE_LOCALE, /* the locale everywhere (kmscon, fbterm) */
	SSPR_CONSOLE_C,	     /* English on the console, whatever the locale */
};

/* A language switch to undo; all zero when nothing was switched. */
struct sspr_lang {
	locale_t saved; /* the thread's locale before */
	locale_t ours;	/* the one in use, freed by sspr_lang_end() */
};

/*
 * Is term ($TERM) the Linux text console, and is the language messages
 * would be in one whose script it cannot draw? messages is the name of
 * the LC_MESSAGES locale ("ja_JP.UTF-8"), language the value of LANGUAGE
 * (gettext's list, read only when messages is not C); either may be NULL.
 */
bool sspr_lang_console(const char *term);
bool sspr_lang_is_cjk(const char *messages, const char *language);
bool sspr_lang_wants_english(unsigned mode, const char *term,
			     const char *messages, const char *language);

/*
 * Does the person probably read this on a terminal that draws East Asian
 * "ambiguous" characters (U+2022 •, the QR code's half blocks) two
 * columns wide, as Japanese, Chinese and Korean setups often do (Tera
 * Term, PuTTY's CJK mode, VTE with wide ambiguous)? True for a CJK
 * LC_CTYPE, LC_MESSAGES or LANGUAGE; the masked address and the QR code
 * then use plain ASCII, which is narrow everywhere.
 */
bool sspr_lang_wide_ambiguous(void);

/*
 * Bind pam_sspr's text domain to its catalogs (SSPR_LOCALEDIR), then
 * speak English in this thread when sspr_lang_wants_english() says so
 * for the process's TERM, LC_MESSAGES and LANGUAGE: LC_MESSAGES becomes
 * "C" (the rest of the locale, UTF-8 included, stays). Mails are written
 * in the process locale all the same (mail/text.c), since they are read
 * elsewhere. Never fails: without memory the locale stays as it was.
 */
void sspr_lang_begin(struct sspr_lang *lang, unsigned mode);

/*
 * Is name a plausible locale name ("ja_JP.UTF-8", "C", "de_DE@euro"):
 * 1-64 bytes of letters, digits and _ . @ -?
 */
bool sspr_lang_name_ok(const char *name);

/*
 * The host's default locale, LANG in /etc/default/locale (where Debian's
 * locales package and pam_env keep it), into buf; "C" when it names none.
 * sspr_lang_default_from() reads another file of that syntax.
 */
void sspr_lang_host_default(char *buf, size_t len);
void sspr_lang_default_from(const char *path, char *buf, size_t len);

/* Put the thread's locale back; fine when nothing was switched. */
void sspr_lang_end(struct sspr_lang *lang);

#endif
