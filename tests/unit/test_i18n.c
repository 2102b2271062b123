/*
 * Japanese: the console rule (English on TERM=linux for CJK languages,
 * console_language), full-width digits and spaces in codes and answers,
 * yes/no by the locale (はい), durations and mails from the catalog of
 * this build. ja_JP.UTF-8 is made with localedef into a private
 * directory, as test_locale.c does.
 */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "fake_ui.h"
#include "localedef.h"
#include "owner.h"
#include "sspr/auth/qr.h"
#include "sspr/common/address.h"
#include "sspr/common/i18n.h"
#include "sspr/common/lang.h"
#include "sspr/common/util.h"
#include "sspr/mail/text.h"

static char locdir[] = "/tmp/sspr-ja.XXXXXX";
static char catalogs[512];

static int
make_locale(void)
{
	if (test_localedef(locdir, "ja_JP", "UTF-8", "ja_JP.UTF-8") < 0)
		return -1;
	unsetenv("LANGUAGE");
	unsetenv("LC_ALL");
	setenv("LANG", "ja_JP.UTF-8", 1);
	return setlocale(LC_ALL, "") != NULL ? 0 : -1;
}

static void
test_console_rule(void)
{
	/* auto: English on the console for CJK, the locale elsewhere. */
	CHECK(sspr_lang_wants_english(SSPR_CONSOLE_AUTO, "linux", "ja_JP.UTF-8",
				      NULL));
	CHECK(sspr_lang_wants_english(SSPR_CONSOLE_AUTO, "linux-16color",
				      "zh_CN.UTF-8", NULL));
	CHECK(sspr_lang_wants_english(SSPR_CONSOLE_AUTO, "linux", "ko_KR.UTF-8",
				      ""));
	CHECK(!sspr_lang_wants_english(SSPR_CONSOLE_AUTO, "screen",
				       "ja_JP.UTF-8", NULL));
	CHECK(!sspr_lang_wants_english(SSPR_CONSOLE_AUTO, "xterm-256color",
				       "ja_JP.UTF-8", NULL));
	CHECK(!sspr_lang_wants_english(SSPR_CONSOLE_AUTO, NULL, "ja_JP.UTF-8",
				       NULL));
	CHECK(!sspr_lang_wants_english(SSPR_CONSOLE_AUTO, "linux",
				       "de_DE.UTF-8", NULL));
	/* LANGUAGE's first entry decides, unless the locale is C. */
	CHECK(sspr_lang_wants_english(SSPR_CONSOLE_AUTO, "linux", "en_US.UTF-8",
				      "ja:en"));
	CHECK(!sspr_lang_wants_english(SSPR_CONSOLE_AUTO, "linux",
				       "ja_JP.UTF-8", "de:ja"));
	CHECK(!sspr_lang_is_cjk("C", "ja"));
	CHECK(!sspr_lang_is_cjk("jam_JM.UTF-8", NULL));
	/* locale: a console that draws kanji; C: English on the console. */
	CHECK(!sspr_lang_wants_english(SSPR_CONSOLE_LOCALE, "linux",
				       "ja_JP.UTF-8", NULL));
	CHECK(sspr_lang_wants_english(SSPR_CONSOLE_C, "linux", "de_DE.UTF-8",
				      NULL));
	CHECK(!sspr_lang_wants_english(SSPR_CONSOLE_C, "screen", "de_DE.UTF-8",
				       NULL));
}

static void
test_fold_width(void)
{
	char s[64];
	char code[9];

	snprintf(s, sizeof(s), "%s", "１２３\xe3\x80\x80４５６ ab０");
	sspr_fold_width(s);
	CHECK_STR(s, "123 456 ab0");
	snprintf(s, sizeof(s), "%s", "パスワード");
	sspr_fold_width(s);
	CHECK_STR(s, "パスワード");
	/* A code typed with the input method on. */
	CHECK(sspr_normalize_code("１２３４５６７８", 8, code) == 0);
	CHECK_STR(code, "12345678");
	CHECK(sspr_normalize_code(
		  "\xe3\x80\x80１２３４\xe3\x80\x80５６７８\xe3\x80\x80", 8,
		  code) == 0);
	CHECK_STR(code, "12345678");
	CHECK(sspr_normalize_code("１２３４５６７", 8, code) == -EINVAL);
	CHECK(sspr_normalize_code("１２３４５６７８９", 8, code) == -EINVAL);
	CHECK(sspr_normalize_code("1234５６７８", 8, code) == 0);
}

/* Menu choices and yes/no through sspr_ui_ask/sspr_ui_confirm. */
static void
test_answers(void)
{
	static const struct fake_step script[] = {
		{ "Choice", "２", NULL },  { "Hidden", "パス１２３", NULL },
		{ "Reset", "はい", NULL }, { "Reset", "ｙ", NULL },
		{ "Reset", "y", NULL },	   { "Reset", "いいえ", NULL },
		{ "Reset", "", NULL },
	};
	struct fake_ui fake;
	struct sspr_ui ui;
	char *answer = NULL;
	bool yes = false;

	fake_ui_init(&fake, &ui, script, SSPR_ARRAY_SIZE(script));
	CHECK(sspr_ui_ask(&ui, true, &answer, "%s", "Choice: ") == 0);
	CHECK_STR(answer, "2");
	free(answer);
	/* Hidden answers are passwords: exactly as typed. */
	CHECK(sspr_ui_ask(&ui, false, &answer, "%s", "Hidden: ") == 0);
	CHECK_STR(answer, "パス１２３");
	free(answer);
	CHECK(sspr_ui_confirm(&ui, false, &yes, "%s", "Reset? ") == 0 && yes);
	yes = false;
	CHECK(sspr_ui_confirm(&ui, false, &yes, "%s", "Reset? ") == 0 && yes);
	yes = false;
	CHECK(sspr_ui_confirm(&ui, false, &yes, "%s", "Reset? ") == 0 && yes);
	CHECK(sspr_ui_confirm(&ui, false, &yes, "%s", "Reset? ") == 0 && !yes);
	CHECK(sspr_ui_confirm(&ui, true, &yes, "%s", "Reset? ") == 0 && yes);
	CHECK(fake_ui_done(&fake) && fake_said(&fake, "ask: Reset? "));
}

/* A message cut to the buffer ends on a whole character. */
static void
test_truncation(void)
{
	struct fake_ui fake;
	struct sspr_ui ui;
	char long_text[1500] = "x";
	const char *said;
	size_t n;
	int i;

	/* "x" then kanji of 3 bytes: 1023 bytes would cut one in half. */
	for (i = 0; i < 400; i++)
		strcat(long_text, "漢");
	fake_ui_init(&fake, &ui, NULL, 0);
	CHECK(sspr_ui_info(&ui, "%s", long_text) == 0);
	said = strstr(fake.said, "info: ");
	CHECK(said != NULL);
	if (said == NULL)
		return;
	said += strlen("info: ");
	n = strcspn(said, "\n");
	CHECK(n > 900 && n < 1023 && (n - 1) % 3 == 0);
}

/* The catalog of this build: Japanese on a terminal, English on TERM=linux. */
static void
test_console_switch(void)
{
	struct sspr_lang lang;
	struct sspr_mail_event ev = { .user = "alice",
				      .host = "host1",
				      .when = 1700000000 };
	struct sspr_mail_text text = { NULL, NULL };
	char life[64];

	setenv("TERM", "screen", 1);
	sspr_lang_begin(&lang, SSPR_CONSOLE_AUTO);
	/* sspr_lang_begin bound the installed catalogs: use this build's. */
	bindtextdomain(SSPR_TEXT_DOMAIN, catalogs);
	CHECK_STR(_("Password reset is unavailable on this computer right now. "
		    "Please contact your administrator."),
		  "現在、このコンピューターではパスワードのリセットを利用"
		  "できません。管理者に連絡してください。");
	CHECK_STR(sspr_mail_text_duration(600, life, sizeof(life)), "10 分");
	sspr_lang_end(&lang);

	setenv("TERM", "linux", 1);
	sspr_lang_begin(&lang, SSPR_CONSOLE_AUTO);
	bindtextdomain(SSPR_TEXT_DOMAIN, catalogs);
	CHECK(lang.ours != (locale_t)0);
	CHECK_STR(_("Password reset is unavailable on this computer right now. "
		    "Please contact your administrator."),
		  "Password reset is unavailable on this computer right now. "
		  "Please contact your administrator.");
	CHECK_STR(sspr_mail_text_duration(600, life, sizeof(life)),
		  "10 minutes");
	/* The mail is read elsewhere: it stays in the session's language. */
	CHECK(sspr_mail_text_code(&ev, "reset", "12345678", 600, &text) == 0);
	CHECK(text.body != NULL &&
	      strstr(text.body, "確認コード: 12345678") != NULL);
	CHECK(text.body != NULL && strstr(text.body, "10 分") != NULL);
	sspr_mail_text_done(&text);
	/* The UTF-8 character set is kept: only the messages are C. */
	CHECK(MB_CUR_MAX > 1);
	sspr_lang_end(&lang);
	CHECK_STR(_("Your password was not changed."),
		  "パスワードは変更されていません。");

	setenv("TERM", "linux", 1);
	sspr_lang_begin(&lang, SSPR_CONSOLE_LOCALE);
	CHECK(lang.ours == (locale_t)0);
	sspr_lang_end(&lang);
}

/*
 * The request to the administrator is written in admin_language, not in
 * the session's: English from a Japanese session, Japanese from an
 * English one, the reason sentence included.
 */
static void
test_admin_language(void)
{
	struct sspr_mail_event ev = { .user = "alice",
				      .host = "host1",
				      .when = 1700000000 };
	struct sspr_mail_text t = { NULL, NULL };
	const char *reason = "No verification method is registered for this "
			     "account.";

	bindtextdomain(SSPR_TEXT_DOMAIN, catalogs);
	ev.language = "C";
	CHECK(sspr_mail_text_admin_request(&ev, reason, &t) == 0);
	CHECK(t.subject != NULL &&
	      strcmp(t.subject, "Password reset request from alice on host1") ==
		  0);
	CHECK(t.body != NULL && strstr(t.body, reason) != NULL);
	sspr_mail_text_done(&t);
	/* The session goes on in Japanese. */
	CHECK_STR(_("Your password was not changed."),
		  "パスワードは変更されていません。");

	setlocale(LC_ALL, "C");
	ev.language = "ja_JP.UTF-8";
	CHECK(sspr_mail_text_admin_request(&ev, reason, &t) == 0);
	CHECK(t.subject != NULL && strstr(t.subject, "alice") != NULL &&
	      strstr(t.subject, "Password reset request") == NULL);
	CHECK(t.body != NULL && strstr(t.body, reason) == NULL &&
	      strstr(t.body, "alice") != NULL);
	sspr_mail_text_done(&t);
	CHECK_STR(_("Your password was not changed."),
		  "Your password was not changed.");
	/* A name no locale has: the session's language. */
	ev.language = "xx_XX.UTF-8";
	CHECK(sspr_mail_text_admin_request(&ev, reason, &t) == 0);
	CHECK(t.subject != NULL &&
	      strstr(t.subject, "Password reset request") != NULL);
	sspr_mail_text_done(&t);
	setlocale(LC_ALL, "");
}

/* LANG of /etc/default/locale, as update-locale writes it. */
static void
test_host_default(void)
{
	char path[] = "/tmp/sspr-locale.XXXXXX";
	char buf[64];
	FILE *f;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	f = fdopen(fd, "w");
	fputs("#  File generated by update-locale\nLANG=\"ja_JP.UTF-8\"\n", f);
	fclose(f);
	sspr_lang_default_from(path, buf, sizeof(buf));
	CHECK_STR(buf, "ja_JP.UTF-8");
	f = fopen(path, "w");
	fputs("LANGUAGE=ja\nLANG=de_DE@euro\n", f);
	fclose(f);
	sspr_lang_default_from(path, buf, sizeof(buf));
	CHECK_STR(buf, "de_DE@euro");
	f = fopen(path, "w");
	fputs("LANG=$(reboot)\n", f);
	fclose(f);
	sspr_lang_default_from(path, buf, sizeof(buf));
	CHECK_STR(buf, "C");
	unlink(path);
	sspr_lang_default_from(path, buf, sizeof(buf));
	CHECK_STR(buf, "C");
	CHECK(sspr_lang_name_ok("ja_JP.UTF-8") && sspr_lang_name_ok("C") &&
	      !sspr_lang_name_ok("") && !sspr_lang_name_ok("ja JP") &&
	      !sspr_lang_name_ok("../x"));
}

/* Under ja_JP.UTF-8 no East Asian ambiguous-width character is drawn. */
static void
test_ambiguous_width(void)
{
	char *m;
	char *qr;

	CHECK(sspr_lang_wide_ambiguous());
	m = sspr_address_mask("alice@example.org");
	CHECK_STR(m, "a*****@example.org");
	free(m);
	qr = sspr_qr_render("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP", true);
	CHECK(qr != NULL && strstr(qr, "##") != NULL &&
	      strstr(qr, "\xe2\x96") == NULL);
	sspr_free_secret(qr);
}

int
main(void)
{
	char cmd[600];
	const char *build = getenv("BUILD");

	if (make_locale() < 0) {
		printf("FAIL: test_make_locale (localedef, package locales)\n");
		return 1;
	}
	snprintf(catalogs, sizeof(catalogs), "%s/locale",
		 build != NULL ? build : "build");
	RUN(test_console_rule);
	RUN(test_fold_width);
	RUN(test_answers);
	RUN(test_truncation);
	RUN(test_console_switch);
	RUN(test_ambiguous_width);
	RUN(test_admin_language);
	RUN(test_host_default);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", locdir);
	if (system(cmd) != 0)
		perror("rm");
	CHECK_EXIT();
}
