/* sspr.conf parsing: defaults, every error path, argument overrides. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "owner.h"
#include "sspr/common/config.h"

static char dir[] = "/tmp/sspr-cfg-XXXXXX";

/* Write text to a file in dir with mode; returns its path (static). */
static const char *
write_conf(const char *name, const char *text, mode_t mode)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

/* Load with conf=path plus extra args; returns the result code. */
static int
load(const char *path, const char *extra1, const char *extra2,
     struct sspr_cfg *cfg, char *err)
{
	char conf_arg[300];
	const char *argv[3];
	int argc = 0;

	snprintf(conf_arg, sizeof(conf_arg), "conf=%s", path);
	argv[argc++] = conf_arg;
	if (extra1 != NULL)
		argv[argc++] = extra1;
	if (extra2 != NULL)
		argv[argc++] = extra2;
	return sspr_cfg_load(cfg, argc, argv, err, SSPR_ERR_MAX);
}

/* Expect failure with a message containing want. */
static void
expect_error(const char *text, const char *want)
{
	struct sspr_cfg cfg;
	char err[SSPR_ERR_MAX] = "";
	const char *path = write_conf("bad.conf", text, 0600);

	CHECK(load(path, NULL, NULL, &cfg, err) < 0);
	if (strstr(err, want) == NULL) {
		fprintf(stderr, "  message '%s' lacks '%s'\n", err, want);
		check_failures++;
	}
	sspr_cfg_done(&cfg);
}

static void
defaults_are_safe(void)
{
	struct sspr_cfg cfg;

	CHECK(sspr_cfg_defaults(&cfg) == 0);
	CHECK(cfg.enable == SSPR_ENABLE_NONE);
	CHECK_STR(cfg.services, "login");
	CHECK_STR(cfg.state_dir, "/var/lib/sspr");
	CHECK(cfg.code_length == 8 && cfg.code_lifetime == 600);
	CHECK(cfg.code_attempts == 3 && cfg.max_failures == 5);
	CHECK(cfg.lockout == 900 && cfg.totp_window == 1);
	CHECK(cfg.methods == (SSPR_METHOD_EMAIL | SSPR_METHOD_TOTP));
	CHECK(cfg.smtp_starttls);
	sspr_cfg_done(&cfg);
}

/*
 * The string defaults are copied without the checks a file's values
 * pass; the same values in a file pass them, and load to the same.
 */
static void
defaults_pass_checks(void)
{
	struct sspr_cfg def;
	struct sspr_cfg cfg;
	char err[SSPR_ERR_MAX] = "";
	const char *path =
	    write_conf("defaults.conf",
		       "services = login\nstate_dir = /var/lib/sspr\n"
		       "passwd_service = sspr-passwd\n"
		       "authority = https://login.microsoftonline.com\n"
		       "graph = https://graph.microsoft.com\nupn_format = %u\n",
		       0600);

	CHECK(sspr_cfg_defaults(&def) == 0);
	CHECK(load(path, NULL, NULL, &cfg, err) == 0);
	CHECK_STR(cfg.services, def.services);
	CHECK_STR(cfg.state_dir, def.state_dir);
	CHECK_STR(cfg.passwd_service, def.passwd_service);
	CHECK_STR(cfg.authority, def.authority);
	CHECK_STR(cfg.graph, def.graph);
	CHECK_STR(cfg.upn_format, def.upn_format);
	sspr_cfg_done(&cfg);
	sspr_cfg_done(&def);
}

static void
parses_values_and_comments(void)
{
	struct sspr_cfg cfg;
	char err[SSPR_ERR_MAX] = "";
	const char *path = write_conf(
	    "ok.conf",
	    "# comment\n\n  enable = group   # trailing comment\n"
	    "enable_group=sspr-users\nservices = login gdm-password\n"
	    "methods = totp\ncode_length = 6\ntotp_algorithm = sha256\n"
	    "smtp_url = smtps://mail.example.org:465\n"
	    "mail_from = sspr@example.org\nsmtp_starttls = no\n",
	    0600);

	CHECK(load(path, NULL, NULL, &cfg, err) == 0);
	CHECK(cfg.enable == SSPR_ENABLE_GROUP);
	CHECK_STR(cfg.enable_group, "sspr-users");
	CHECK(sspr_cfg_service_listed(&cfg, "gdm-password"));
	CHECK(sspr_cfg_service_listed(&cfg, "login"));
	CHECK(!sspr_cfg_service_listed(&cfg, "log"));
	CHECK(!sspr_cfg_service_listed(&cfg, "sudo"));
	CHECK(cfg.methods == SSPR_METHOD_TOTP);
	CHECK(cfg.code_length == 6);
	CHECK(cfg.totp_algorithm == SSPR_TOTP_SHA256);
	CHECK(!cfg.smtp_starttls);
	CHECK(cfg.sync == SSPR_SYNC_OFF);
	sspr_cfg_done(&cfg);
}

/*
 * Lines the parser passes over without a copy: indented comments, white
 * space only, CRLF ends; the last line may lack its newline. Errors after
 * them still name the right line.
 */
static void
skips_blank_and_comment_lines(void)
{
	struct sspr_cfg cfg;
	char err[SSPR_ERR_MAX] = "";
	/* Each commented setting after the real one: it must not count. */
	const char *path = write_conf(
	    "skip.conf",
	    "\t # code_length = 6\n \t \r\n\r\nenable = all\r\n"
	    "   code_length = 7\n#code_length = 8\n  # enable = none",
	    0600);

	CHECK(load(path, NULL, NULL, &cfg, err) == 0);
	CHECK(cfg.enable == SSPR_ENABLE_ALL);
	CHECK(cfg.code_length == 7);
	sspr_cfg_done(&cfg);
	path = write_conf("skip-eof.conf",
			  "# last line, no newline:\n"
			  "code_length = 6",
			  0600);
	CHECK(load(path, NULL, NULL, &cfg, err) == 0);
	CHECK(cfg.code_length == 6);
	sspr_cfg_done(&cfg);
	path = write_conf("skip-bad.conf",
			  "# one\n\n  # three\n \t\nnot a setting\n", 0600);
	CHECK(load(path, NULL, NULL, &cfg, err) == -EINVAL);
	CHECK(strstr(err, "skip-bad.conf:5: ") != NULL);
	sspr_cfg_done(&cfg);
}

static void
arguments_override_file(void)
{
	struct sspr_cfg cfg;
	char err[SSPR_ERR_MAX] = "";
	const char *path = write_conf("ov.conf", "code_length = 6\n", 0600);

	CHECK(load(path, "code_length=7", "debug", &cfg, err) == 0);
	CHECK(cfg.code_length == 7);
	CHECK(cfg.debug);
	sspr_cfg_done(&cfg);
	CHECK(load(path, "code_length=9", NULL, &cfg, err) < 0);
	CHECK(strstr(err, "module argument") != NULL);
	sspr_cfg_done(&cfg);
	CHECK(load(path, "nonsense", NULL, &cfg, err) < 0);
	sspr_cfg_done(&cfg);
}

static void
errors_name_file_and_line(void)
{
	char want[300];

	snprintf(want, sizeof(want), "%s/bad.conf:3: unknown key 'colour'",
		 dir);
	expect_error("enable = all\n\ncolour = blue\n", want);
	expect_error("enable = al\n", "bad.conf:1: enable: 'al' is not one "
				      "of none, all, group");
	expect_error("code_length = 9\n", ":1: code_length: '9' is not a "
					  "number from 6 to 8");
	expect_error("code_length = -6\n", "code_length");
	expect_error("code_length = 6x\n", "code_length");
	expect_error("code_length = 99999999999999999999999\n", "code_length");
	expect_error("debug = maybe\n", "is not yes or no");
	expect_error("just words\n", ":1: expected \"key = value\"");
	expect_error("Enable = all\n", "invalid key name");
	expect_error("state_dir = var/lib\n", "absolute path");
	/* Credentials and codes never cross the network in clear. */
	expect_error("smtp_url = smtp://mail.example.org:25\n"
		     "smtp_starttls = no\nsmtp_user = relay\n"
		     "smtp_password_file = /etc/security/sspr/smtp\n",
		     "smtp_user cannot go with smtp_starttls = no");
	expect_error("smtp_url = smtp://mail.example.org:587\n"
		     "smtp_user = relay\n",
		     "smtp_user needs smtp_password_file");
	expect_error("authority = http://login.example\n", "https://");
	expect_error("smtp_url = ftp://x\n", "smtp://");
	expect_error("mail_from = not-an-address\n", "email address");
	expect_error("mail_from = a@b@c\n", "email address");
	expect_error("upn_format = %u@%u\n", "%u exactly once");
	expect_error("upn_format = user@example.org\n", "%u exactly once");
	expect_error("methods = email voice\n", "unknown method 'voice'");
	expect_error("methods = email sms\n",
		     "sms_transport = acs needs sms_endpoint and sms_from");
	expect_error("methods = sms\nsms_endpoint = https://a.example\n"
		     "sms_from = +15550100100\n",
		     "needs sms_access_key_file or tenant");
	expect_error("methods = sms\nsms_transport = webhook\n"
		     "sms_webhook_url = https://gw.example/sms\n",
		     "needs sms_webhook_url and sms_webhook_secret_file");
	expect_error("sms_from = +1 555 0100\n", "not an E.164 number");
	expect_error("sms_from = 012345\n", "not an E.164 number");
	expect_error("sms_from = TwelveLetter\n", "not an E.164 number");
	expect_error("phone_source = entra\n",
		     "phone_source = entra or both needs tenant");
	expect_error("methods =\n", "at least one method");
	expect_error("enable = group\n", "enable = group needs enable_group");
	expect_error("tenant = contoso.onmicrosoft.com\n", "needs client_id");
	expect_error("sync = required\n", "sync = required needs tenant");
	expect_error("client_certificate = /etc/c.pem\n",
		     "client_certificate and client_key go together");
	expect_error("issuer = a\tb\n", "control characters");
}

static void
hostile_files(void)
{
	struct sspr_cfg cfg;
	char err[SSPR_ERR_MAX] = "";
	char big[SSPR_CONF_MAX_SIZE + 10];
	char longline[2000];
	char link[300];
	const char *path;

	memset(longline, 'x', sizeof(longline) - 2);
	longline[sizeof(longline) - 2] = '\n';
	longline[sizeof(longline) - 1] = '\0';
	expect_error(longline, ":1: line longer than");

	path = write_conf("nul.conf", "", 0600);
	{
		int fd = open(path, O_WRONLY);

		CHECK(write(fd, "enable = all\n\0x\n", 16) == 16);
		close(fd);
	}
	CHECK(load(path, NULL, NULL, &cfg, err) < 0);
	CHECK(strstr(err, "NUL") != NULL);
	sspr_cfg_done(&cfg);

	memset(big, '#', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	path = write_conf("big.conf", big, 0600);
	CHECK(load(path, NULL, NULL, &cfg, err) == -EFBIG);
	sspr_cfg_done(&cfg);

	path = write_conf("loose.conf", "enable = all\n", 0666);
	CHECK(load(path, NULL, NULL, &cfg, err) == -EPERM);
	CHECK(strstr(err, "loose.conf") != NULL);
	sspr_cfg_done(&cfg);

	path = write_conf("owned.conf", "enable = all\n", 0600);
	test_foreign_begin(path);
	CHECK(load(path, NULL, NULL, &cfg, err) == -EPERM);
	test_foreign_end(path);
	sspr_cfg_done(&cfg);

	path = write_conf("target.conf", "enable = all\n", 0600);
	snprintf(link, sizeof(link), "%s/link.conf", dir);
	CHECK(symlink(path, link) == 0);
	CHECK(load(link, NULL, NULL, &cfg, err) == -ELOOP);
	sspr_cfg_done(&cfg);

	snprintf(link, sizeof(link), "%s/missing.conf", dir);
	CHECK(load(link, NULL, NULL, &cfg, err) == -ENOENT);
	CHECK(strstr(err, "does not exist") != NULL);
	sspr_cfg_done(&cfg);

	CHECK(load("relative.conf", NULL, NULL, &cfg, err) == -EINVAL);
	sspr_cfg_done(&cfg);
}

static void
tenant_resolves_sync(void)
{
	struct sspr_cfg cfg;
	char err[SSPR_ERR_MAX] = "";
	const char *path =
	    write_conf("t.conf",
		       "tenant = contoso.onmicrosoft.com\nclient_id = 1234\n"
		       "client_secret_file = /etc/security/sspr.secret\n",
		       0600);

	CHECK(load(path, NULL, NULL, &cfg, err) == 0);
	CHECK(cfg.sync == SSPR_SYNC_REQUIRED);
	sspr_cfg_done(&cfg);
	CHECK(load(path, "sync=off", NULL, &cfg, err) == 0);
	CHECK(cfg.sync == SSPR_SYNC_OFF);
	sspr_cfg_done(&cfg);
}

/* smtps:// is TLS from the first byte: STARTTLS does not matter there. */
static void
smtp_user_over_tls_only(void)
{
	struct sspr_cfg cfg;
	char err[SSPR_ERR_MAX] = "";
	const char *path =
	    write_conf("smtps.conf",
		       "smtp_url = smtps://mail.example.org:465\n"
		       "smtp_starttls = no\nsmtp_user = relay\n"
		       "smtp_password_file = /etc/security/sspr/smtp\n",
		       0600);

	CHECK(load(path, NULL, NULL, &cfg, err) == 0);
	sspr_cfg_done(&cfg);
	/* A relay on the same host, without credentials, stays possible. */
	path = write_conf(
	    "relay.conf",
	    "smtp_url = smtp://localhost:25\nsmtp_starttls = no\n", 0600);
	CHECK(load(path, NULL, NULL, &cfg, err) == 0);
	sspr_cfg_done(&cfg);
}

static void
sms_settings(void)
{
	struct sspr_cfg cfg;
	char err[SSPR_ERR_MAX] = "";
	const char *path = write_conf(
	    "sms.conf",
	    "methods = email sms\nsms_endpoint = https://acs.example\n"
	    "sms_from = Contoso\n"
	    "sms_access_key_file = /etc/security/sspr/acs-key\n",
	    0600);

	CHECK(load(path, NULL, NULL, &cfg, err) == 0);
	CHECK(cfg.methods == (SSPR_METHOD_EMAIL | SSPR_METHOD_SMS));
	CHECK(cfg.sms_transport == SSPR_SMS_ACS);
	CHECK(cfg.phone_source == SSPR_PHONE_LOCAL);
	CHECK_STR(cfg.sms_from, "Contoso");
	sspr_cfg_done(&cfg);
	path = write_conf("hook.conf",
			  "methods = sms\nsms_transport = webhook\n"
			  "sms_webhook_url = https://gw.example/send\n"
			  "sms_webhook_secret_file = /etc/security/sspr/hook\n"
			  "sms_from = +15550100100\n",
			  0600);
	CHECK(load(path, NULL, NULL, &cfg, err) == 0);
	CHECK(cfg.sms_transport == SSPR_SMS_WEBHOOK);
	sspr_cfg_done(&cfg);
}

/* Every login looks keys up by bisection: the table must stay sorted. */
static void
test_table_sorted(void)
{
	CHECK(sspr_cfg_table_sorted());
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	RUN(defaults_are_safe);
	RUN(parses_values_and_comments);
	RUN(skips_blank_and_comment_lines);
	RUN(arguments_override_file);
	RUN(errors_name_file_and_line);
	RUN(hostile_files);
	RUN(tenant_resolves_sync);
	RUN(smtp_user_over_tls_only);
	RUN(sms_settings);
	RUN(defaults_pass_checks);
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			return 1;
	}
	RUN(test_table_sorted);
	CHECK_EXIT();
}
