/*
 * The console rule (lang.h). The switch is per thread (uselocale), so the
 * host program's own locale is never touched: login gets its process
 * back exactly as it was.
 */
#include "sspr/common/lang.h"

#include <stdlib.h>
#include <string.h>

#include "sspr/common/i18n.h"
#include "sspr/common/safefile.h"
#include "sspr/common/util.h"

bool
sspr_lang_console(const char *term)
{
	/* "linux", and its variants in terminfo ("linux-16color"). */
	return term != NULL &&
	       (strcmp(term, "linux") == 0 || strncmp(term, "linux-", 6) == 0);
}

/* Does the locale or language name start with ll (then _ . @ : or end)? */
static bool
names_language(const char *name, const char *ll)
{
	size_t n = strlen(ll);

	return strncmp(name, ll, n) == 0 &&
	       (name[n] == '\0' || strchr("_.@:", name[n]) != NULL);
}

static bool
cjk_name(const char *name)
{
	return names_language(name, "ja") || names_language(name, "zh") ||
	       names_language(name, "ko");
}

bool
sspr_lang_is_cjk(const char *messages, const char *language)
{
	if (messages == NULL || strcmp(messages, "C") == 0 ||
	    strcmp(messages, "POSIX") == 0)
		return false; /* gettext ignores LANGUAGE in the C locale */
	/* LANGUAGE's first entry wins over LC_MESSAGES (gettext(3)). */
	if (language != NULL && language[0] != '\0' && language[0] != ':')
		return cjk_name(language);
	return cjk_name(messages);
}

bool
sspr_lang_wants_english(unsigned mode, const char *term, const char *messages,
			const char *language)
{
	if (!sspr_lang_console(term) || mode == SSPR_CONSOLE_LOCALE)
		return false;
	if (mode == SSPR_CONSOLE_C)
		return true;
	return sspr_lang_is_cjk(messages, language);
}

bool
sspr_lang_wide_ambiguous(void)
{
	const char *ctype = setlocale(LC_CTYPE, NULL);

	return (ctype != NULL && sspr_lang_is_cjk(ctype, NULL)) ||
	       sspr_lang_is_cjk(setlocale(LC_MESSAGES, NULL),
				getenv("LANGUAGE"));
}

void
sspr_lang_begin(struct sspr_lang *lang, unsigned mode)
{
	locale_t base;

	lang->saved = (locale_t)0;
	lang->ours = (locale_t)0;
	/*
	 * glibc's default directory is LOCALEDIR on Debian already (which
	 * is why Linux-PAM modules never bind); binding makes another
	 * prefix (make install LOCALEDIR=...) work too. Process-global,
	 * idempotent, and it touches only pam_sspr's own text domain.
	 */
	bindtextdomain(SSPR_TEXT_DOMAIN, SSPR_LOCALEDIR);
	if (!sspr_lang_wants_english(mode, getenv("TERM"),
				     setlocale(LC_MESSAGES, NULL),
				     getenv("LANGUAGE")))
		return;
	base = duplocale(LC_GLOBAL_LOCALE);
	if (base == (locale_t)0)
		return;
	/* newlocale() frees base on success and keeps it on failure. */
	lang->ours = newlocale(LC_MESSAGES_MASK, "C", base);
	if (lang->ours == (locale_t)0) {
		freelocale(base);
		return;
	}
	lang->saved = uselocale(lang->ours);
}

void
sspr_lang_end(struct sspr_lang *lang)
{
	if (lang->ours == (locale_t)0)
		return;
	uselocale(lang->saved);
	freelocale(lang->ours);
	lang->ours = (locale_t)0;
	lang->saved = (locale_t)0;
}

#define LOCALE_NAME_MAX 64
#define DEFAULT_LOCALE_FILE "/etc/default/locale"

bool
sspr_lang_name_ok(const char *name)
{
	size_t n;

	for (n = 0; name[n] != '\0'; n++)
		if (!sspr_ascii_alnum(name[n]) &&
		    strchr("_.@-", name[n]) == NULL)
			return false;
	return n > 0 && n <= LOCALE_NAME_MAX;
}

void
sspr_lang_host_default(char *buf, size_t len)
{
	sspr_lang_default_from(DEFAULT_LOCALE_FILE, buf, len);
}

void
sspr_lang_default_from(const char *path, char *buf, size_t len)
{
	char *text = NULL;
	size_t size = 0;
	char *line;
	char *save = NULL;

	sspr_strlcpy(buf, "C", len);
	if (sspr_read_file(path, SSPR_FILE_TRUSTED, 4096, &text, &size) < 0)
		return;
	/* Shell syntax, as update-locale writes it: LANG=ja_JP.UTF-8 */
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *v = sspr_skip_prefix(line, "LANG=");
		size_t n;

		if (v == NULL)
			continue;
		if (*v == '"' || *v == '\'') {
			n = strlen(v);
			if (n >= 2 && v[n - 1] == v[0]) {
				line[strlen(line) - 1] = '\0';
				v++;
			}
		}
		if (sspr_lang_name_ok(v))
			sspr_strlcpy(buf, v, len);
	}
	sspr_freezero(text, size + 1);
}
