/*
 * sspr.conf and module arguments. One table describes every key, so the
 * file parser, the module arguments and the documentation agree.
 */
#include "sspr/common/config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sspr/common/address.h"
#include "sspr/common/encode.h"
#include "sspr/common/kv.h"
#include "sspr/common/lang.h"
#include "sspr/common/phone.h"
#include "sspr/common/safefile.h"
#include "sspr/common/util.h"

enum opt_kind {
	OPT_STRING, /* free text without control characters */
	OPT_PATH,   /* absolute path */
	OPT_HTTPS_URL,
	OPT_SMTP_URL,
	OPT_EMAIL,
	OPT_SENDER, /* SMS sender: E.164 number or alphanumeric ID */
	OPT_WORDS,  /* space separated names */
	OPT_UPN_FORMAT,
	OPT_LOCALE, /* a locale name */
	OPT_UINT,
	OPT_BOOL,
	OPT_CHOICE,
	OPT_METHODS,
};

struct opt {
	const char *name;
	enum opt_kind kind;
	size_t offset;
	unsigned long min;
	unsigned long max;
	const char *const *choices;
};

static const char *const enable_choices[] = { "none", "all", "group", NULL };
static const char *const after_choices[] = { "login", "relogin", NULL };
static const char *const enroll_choices[] = { "off", "offer", "require", NULL };
static const char *const alg_choices[] = { "sha1", "sha256", "sha512", NULL };
static const char *const sync_choices[] = { "auto", "off", "required", NULL };
static const char *const source_choices[] = { "local", "entra", "both", NULL };
static const char *const transport_choices[] = { "smtp", "graph", NULL };
/* In the order of enum sspr_console_language (lang.h). */
static const char *const console_choices[] = { "auto", "locale", "C", NULL };
static const char *const sms_choices[] = { "acs", "webhook", NULL };

/* clang-format off */
#define S(name, kind) { #name, kind, offsetof(struct sspr_cfg, name), 0, 0, NULL }
#define U(name, lo, hi) { #name, OPT_UINT, offsetof(struct sspr_cfg, name), lo, hi, NULL }
#define B(name) { #name, OPT_BOOL, offsetof(struct sspr_cfg, name), 0, 0, NULL }
#define C(name, list) { #name, OPT_CHOICE, offsetof(struct sspr_cfg, name), 0, 0, list }

/*
 * Sorted by name: find_option() is a binary search, as every login's
 * session stage parses the file (tests/unit/test_config.c keeps the
 * order). sspr.conf(5) and conf/sspr.conf group the keys by topic.
 */
static const struct opt options[] = {
	S(admin_contact, OPT_EMAIL),
	S(admin_language, OPT_LOCALE),
	C(after_reset, after_choices),
	S(audit_log, OPT_PATH),
	S(authority, OPT_HTTPS_URL),
	S(ca_file, OPT_PATH),
	S(client_certificate, OPT_PATH),
	S(client_id, OPT_WORDS),
	S(client_key, OPT_PATH),
	S(client_secret_file, OPT_PATH),
	U(code_attempts, 1, 10),
	U(code_length, 6, 8),
	U(code_lifetime, 30, 86400),
	U(connect_timeout, 1, 60),
	C(console_language, console_choices),
	B(debug),
	C(email_source, source_choices),
	C(enable, enable_choices),
	S(enable_entra_group, OPT_WORDS),
	S(enable_group, OPT_WORDS),
	C(enroll_at_login, enroll_choices),
	U(enroll_remind_days, 0, 365),
	U(fail_delay, 0, 10),
	U(failure_window, 1, 604800),
	S(graph, OPT_HTTPS_URL),
	S(issuer, OPT_STRING),
	U(lockout, 1, 604800),
	S(mail_from, OPT_EMAIL),
	C(mail_transport, transport_choices),
	U(max_failures, 1, 1000),
	U(max_failures_per_day, 1, 1000),
	{ "methods", OPT_METHODS, offsetof(struct sspr_cfg, methods), 0, 0,
	  NULL },
	U(methods_required, 1, 2),
	S(passwd_service, OPT_WORDS),
	U(password_retries, 1, 10),
	C(phone_source, source_choices),
	U(reconfirm_days, 0, 730),
	U(resend_interval, 0, 3600),
	U(resend_per_hour, 1, 100),
	S(services, OPT_WORDS),
	S(sms_access_key_file, OPT_PATH),
	S(sms_endpoint, OPT_HTTPS_URL),
	S(sms_from, OPT_SENDER),
	C(sms_transport, sms_choices),
	S(sms_webhook_secret_file, OPT_PATH),
	S(sms_webhook_url, OPT_HTTPS_URL),
	S(smtp_password_file, OPT_PATH),
	B(smtp_starttls),
	S(smtp_url, OPT_SMTP_URL),
	S(smtp_user, OPT_STRING),
	S(state_dir, OPT_PATH),
	C(sync, sync_choices),
	B(sync_on_passwd),
	S(tenant, OPT_WORDS),
	U(timeout, 1, 300),
	C(totp_algorithm, alg_choices),
	U(totp_digits, 6, 8),
	U(totp_window, 0, 10),
	S(upn_format, OPT_UPN_FORMAT),
	S(upn_map_file, OPT_PATH),
};

#undef S
#undef U
#undef B
#undef C
/* clang-format on */

static int
by_name(const void *key, const void *o)
{
	return strcmp(key, ((const struct opt *)o)->name);
}

static const struct opt *
find_option(const char *name)
{
	return bsearch(name, options, SSPR_ARRAY_SIZE(options),
		       sizeof(options[0]), by_name);
}

/* For tests/unit/test_config.c: the table's keys are in strcmp() order. */
bool
sspr_cfg_table_sorted(void)
{
	size_t i;

	for (i = 1; i < SSPR_ARRAY_SIZE(options); i++)
		if (strcmp(options[i - 1].name, options[i].name) >= 0)
			return false;
	return true;
}

static bool
has_control_chars(const char *s)
{
	for (; *s != '\0'; s++)
		if (sspr_ascii_cntrl(*s))
			return true;
	return false;
}

/*
 * An alphanumeric sender ID as carriers take it: 1 to 11 ASCII letters,
 * digits and spaces, with at least one letter.
 */
static bool
sender_id_ok(const char *v)
{
	bool letter = false;
	size_t n;

	for (n = 0; v[n] != '\0'; n++) {
		if ((v[n] >= 'A' && v[n] <= 'Z') ||
		    (v[n] >= 'a' && v[n] <= 'z'))
			letter = true;
		else if (!(v[n] >= '0' && v[n] <= '9') && v[n] != ' ')
			return false;
	}
	return letter && n <= 11 && v[0] != ' ';
}

/* Check a string value against its kind; 0 or -EINVAL with a message. */
static int
check_string(const struct opt *o, const char *v, char *err, size_t errlen)
{

	if (has_control_chars(v)) {
		snprintf(err, errlen, "%s: control characters are not allowed",
			 o->name);
		return -EINVAL;
	}
	switch (o->kind) {
	case OPT_PATH:
		if (v[0] != '/') {
			snprintf(err, errlen, "%s: must be an absolute path",
				 o->name);
			return -EINVAL;
		}
		break;
	case OPT_HTTPS_URL:
		if (sspr_skip_prefix(v, "https://") == NULL ||
		    v[strlen("https://")] == '\0' || strchr(v, ' ') != NULL) {
			snprintf(err, errlen, "%s: must be an https:// URL",
				 o->name);
			return -EINVAL;
		}
		break;
	case OPT_SMTP_URL:
		if ((sspr_skip_prefix(v, "smtp://") == NULL &&
		     sspr_skip_prefix(v, "smtps://") == NULL) ||
		    strchr(v, ' ') != NULL) {
			snprintf(err, errlen,
				 "%s: must be an smtp:// or smtps:// URL",
				 o->name);
			return -EINVAL;
		}
		break;
	case OPT_EMAIL:
		if (sspr_address_ok(v) < 0) {
			snprintf(err, errlen, "%s: not an email address",
				 o->name);
			return -EINVAL;
		}
		break;
	case OPT_LOCALE:
		if (!sspr_lang_name_ok(v)) {
			snprintf(err, errlen, "%s: not a locale name", o->name);
			return -EINVAL;
		}
		break;
	case OPT_SENDER:
		if (sspr_phone_ok(v) < 0 && !sender_id_ok(v)) {
			snprintf(err, errlen,
				 "%s: not an E.164 number (+ and digits) or a "
				 "sender ID (1 to 11 letters and digits, not "
				 "all digits)",
				 o->name);
			return -EINVAL;
		}
		break;
	case OPT_UPN_FORMAT: {
		const char *p = strchr(v, '%');

		if (p == NULL || p[1] != 'u' || strchr(p + 2, '%') != NULL ||
		    strchr(v, ' ') != NULL) {
			snprintf(err, errlen,
				 "%s: must contain %%u exactly once and no "
				 "other %% or space",
				 o->name);
			return -EINVAL;
		}
		break;
	}
	default:
		break;
	}
	return 0;
}

static int
set_methods(unsigned *bits, const char *v, char *err, size_t errlen)
{
	char copy[128];
	char *save = NULL;
	char *word;
	unsigned result = 0;

	if (sspr_strlcpy(copy, v, sizeof(copy)) >= sizeof(copy)) {
		snprintf(err, errlen, "methods: value too long");
		return -EINVAL;
	}
	for (word = strtok_r(copy, " \t", &save); word != NULL;
	     word = strtok_r(NULL, " \t", &save)) {
		if (strcmp(word, "email") == 0) {
			result |= SSPR_METHOD_EMAIL;
		} else if (strcmp(word, "totp") == 0) {
			result |= SSPR_METHOD_TOTP;
		} else if (strcmp(word, "sms") == 0) {
			result |= SSPR_METHOD_SMS;
		} else {
			snprintf(err, errlen,
				 "methods: unknown method '%s' (use email, "
				 "totp, sms)",
				 word);
			return -EINVAL;
		}
	}
	if (result == 0) {
		snprintf(err, errlen, "methods: at least one method is needed");
		return -EINVAL;
	}
	*bits = result;
	return 0;
}

static int
set_choice(const struct opt *o, unsigned *field, const char *v, char *err,
	   size_t errlen)
{
	unsigned i;
	size_t used = 0;
	char list[128];

	for (i = 0; o->choices[i] != NULL; i++)
		if (strcmp(o->choices[i], v) == 0) {
			*field = i;
			return 0;
		}
	/* Only a mistake pays for the list of what would have been right. */
	list[0] = '\0';
	for (i = 0; o->choices[i] != NULL; i++) {
		used +=
		    (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
				     i > 0 ? ", " : "", o->choices[i]);
		if (used >= sizeof(list))
			used = sizeof(list) - 1;
	}
	snprintf(err, errlen, "%s: '%s' is not one of %s", o->name, v, list);
	return -EINVAL;
}

static int
set_option(struct sspr_cfg *cfg, const char *key, const char *v, char *err,
	   size_t errlen)
{
	const struct opt *o = find_option(key);
	char *base = (char *)cfg;
	unsigned long n;
	int r;

	if (o == NULL) {
		snprintf(err, errlen, "unknown key '%s'", key);
		return -EINVAL;
	}
	switch (o->kind) {
	case OPT_UINT:
		r = sspr_parse_uint(v, o->min, o->max, &n);
		if (r < 0) {
			snprintf(err, errlen,
				 "%s: '%s' is not a number from "
				 "%lu to %lu",
				 key, v, o->min, o->max);
			return r;
		}
		*(unsigned *)(base + o->offset) = (unsigned)n;
		return 0;
	case OPT_BOOL:
		if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
		    strcmp(v, "1") == 0) {
			*(bool *)(base + o->offset) = true;
		} else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
			   strcmp(v, "0") == 0) {
			*(bool *)(base + o->offset) = false;
		} else {
			snprintf(err, errlen, "%s: '%s' is not yes or no", key,
				 v);
			return -EINVAL;
		}
		return 0;
	case OPT_CHOICE:
		return set_choice(o, (unsigned *)(base + o->offset), v, err,
				  errlen);
	case OPT_METHODS:
		return set_methods((unsigned *)(base + o->offset), v, err,
				   errlen);
	default:
		break;
	}
	/* An empty value unsets an optional string; only values are checked. */
	r = *v == '\0' ? 0 : check_string(o, v, err, errlen);
	if (r < 0)
		return r;
	{
		char **field = (char **)(base + o->offset);
		char *copy = sspr_strdup(v);

		if (copy == NULL) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		free(*field);
		/* An empty value means "unset" for optional strings. */
		if (*copy == '\0') {
			free(copy);
			copy = NULL;
		}
		*field = copy;
	}
	return 0;
}

static int
kv_set(void *ctx, const char *key, const char *value, char *err, size_t errlen)
{
	return set_option(ctx, key, value, err, errlen);
}

int
sspr_cfg_defaults(struct sspr_cfg *cfg)
{
	/*
	 * By offset, not by name: no lookup for what is known here. Keep in
	 * step with test_config.c's defaults_pass_checks().
	 */
	/* clang-format off */
	static const struct {
		size_t offset;
		const char *value;
	} defaults[] = {
	/* The sizeof term fails to compile unless the field is a char *. */
#define D(name, value)                                                    \
	{ offsetof(struct sspr_cfg, name) +                               \
		  0 * sizeof((char **){ &((struct sspr_cfg *)0)->name }), \
	  value }
		D(services, "login"),
		D(state_dir, "/var/lib/sspr"),
		D(passwd_service, "sspr-passwd"),
		D(authority, "https://login.microsoftonline.com"),
		D(graph, "https://graph.microsoft.com"),
		D(upn_format, "%u"),
#undef D
	};
	/* clang-format on */
	size_t i;

	*cfg = (struct sspr_cfg){
		.enable = SSPR_ENABLE_NONE,
		.methods = SSPR_METHOD_EMAIL | SSPR_METHOD_TOTP,
		.methods_required = 1,
		.password_retries = 3,
		.max_failures = 5,
		.failure_window = 900,
		.lockout = 900,
		.max_failures_per_day = 10,
		.fail_delay = 2,
		.code_length = 8,
		.code_lifetime = 600,
		.code_attempts = 3,
		.resend_interval = 60,
		.resend_per_hour = 5,
		.smtp_starttls = true,
		.totp_algorithm = SSPR_TOTP_SHA1,
		.totp_digits = 6,
		.totp_window = 1,
		.enroll_remind_days = 7,
		.reconfirm_days = 180,
		.connect_timeout = 5,
		.timeout = 15,
	};
	/*
	 * Copied, not checked: they are ours (test_config loads them from a
	 * file, through the checks), and every login's session stage pays
	 * for this.
	 */
	for (i = 0; i < SSPR_ARRAY_SIZE(defaults); i++) {
		char **field = (char **)((char *)cfg + defaults[i].offset);

		*field = sspr_strdup(defaults[i].value);
		if (*field == NULL)
			return -ENOMEM;
	}
	return 0;
}

int
sspr_cfg_parse_buffer(struct sspr_cfg *cfg, const char *name, const char *buf,
		      size_t len, char *err, size_t errlen)
{
	char msg[SSPR_ERR_MAX];
	unsigned line = 0;
	int r;

	r = sspr_kv_parse(buf, len, kv_set, cfg, &line, msg, sizeof(msg));
	if (r < 0)
		snprintf(err, errlen, "%s:%u: %s", name, line, msg);
	return r;
}

static int
load_file(struct sspr_cfg *cfg, const char *path, bool explicit_path, char *err,
	  size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	r = sspr_read_file(path, SSPR_FILE_TRUSTED, SSPR_CONF_MAX_SIZE, &buf,
			   &len);
	/* Without a file nothing is enabled: the defaults say enable = none. */
	if (r == -ENOENT && !explicit_path)
		return 0;
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", path, sspr_file_strerror(r));
		return r;
	}
	r = sspr_cfg_parse_buffer(cfg, path, buf, len, err, errlen);
	free(buf);
	return r;
}

/*
 * Every word of enable_entra_group an object id: Graph fails the whole
 * checkMemberGroups request on one malformed id, which would shut out
 * every member, so it is refused here, where the admin sees it.
 */
static bool
entra_groups_ok(const char *list)
{
	const char *p = list;

	while (*p != '\0') {
		size_t w;

		p += strspn(p, " \t");
		w = strcspn(p, " \t");
		if (w > 0 && !sspr_guid_ok(p, w))
			return false;
		p += w;
	}
	return true;
}

/* What methods = sms lacks, or NULL. */
static const char *
sms_problem(const struct sspr_cfg *cfg)
{
	if (cfg->sms_transport == SSPR_SMS_WEBHOOK)
		return cfg->sms_webhook_url == NULL ||
			       cfg->sms_webhook_secret_file == NULL
			   ? "sms_transport = webhook needs sms_webhook_url "
			     "and sms_webhook_secret_file"
			   : NULL;
	if (cfg->sms_endpoint == NULL || cfg->sms_from == NULL)
		return "sms_transport = acs needs sms_endpoint and sms_from";
	if (cfg->sms_access_key_file == NULL && cfg->tenant == NULL)
		return "sms_transport = acs needs sms_access_key_file or "
		       "tenant (an Entra token)";
	return NULL;
}

int
sspr_cfg_finish(struct sspr_cfg *cfg, char *err, size_t errlen)
{
	const char *problem = NULL;

	if (cfg->enable == SSPR_ENABLE_GROUP && cfg->enable_group == NULL)
		problem = "enable = group needs enable_group";
	else if (cfg->enable_entra_group != NULL &&
		 !entra_groups_ok(cfg->enable_entra_group))
		problem = "enable_entra_group: every word must be a group's "
			  "object id (a GUID such as "
			  "3f2504e0-4f89-11d3-9a0c-0305e82c3301)";
	else if (cfg->enable_entra_group != NULL && cfg->tenant == NULL)
		problem = "enable_entra_group needs tenant";
	else if (cfg->client_secret_file != NULL &&
		 cfg->client_certificate != NULL)
		problem = "use either client_secret_file or "
			  "client_certificate, not both";
	else if ((cfg->client_certificate == NULL) != (cfg->client_key == NULL))
		problem = "client_certificate and client_key go together";
	else if (cfg->tenant != NULL && cfg->client_id == NULL)
		problem = "tenant needs client_id";
	else if (cfg->tenant != NULL && cfg->client_secret_file == NULL &&
		 cfg->client_certificate == NULL)
		problem = "tenant needs client_secret_file or "
			  "client_certificate and client_key";
	else if (cfg->sync == SSPR_SYNC_REQUIRED && cfg->tenant == NULL)
		problem = "sync = required needs tenant";
	else if (cfg->mail_transport == SSPR_MAIL_GRAPH &&
		 (cfg->tenant == NULL || cfg->mail_from == NULL))
		problem = "mail_transport = graph needs tenant and mail_from";
	else if (cfg->email_source != SSPR_EMAIL_LOCAL && cfg->tenant == NULL)
		problem = "email_source = entra or both needs tenant";
	else if (cfg->phone_source != SSPR_PHONE_LOCAL && cfg->tenant == NULL)
		problem = "phone_source = entra or both needs tenant";
	else if (cfg->sync_on_passwd && cfg->tenant == NULL)
		problem = "sync_on_passwd needs tenant";
	else if (cfg->smtp_user != NULL && cfg->smtp_password_file == NULL)
		problem = "smtp_user needs smtp_password_file";
	/* smtps:// is TLS from the start; smtp:// without STARTTLS is not. */
	else if (cfg->smtp_user != NULL && !cfg->smtp_starttls &&
		 (cfg->smtp_url == NULL ||
		  sspr_skip_prefix(cfg->smtp_url, "smtps://") == NULL))
		problem = "smtp_user cannot go with smtp_starttls = no: the "
			  "password and the codes would cross the network in "
			  "clear";
	if (problem == NULL && (cfg->methods & SSPR_METHOD_SMS) != 0)
		problem = sms_problem(cfg);
	if (problem != NULL) {
		snprintf(err, errlen, "%s: %s",
			 cfg->conf_path != NULL ? cfg->conf_path : "config",
			 problem);
		return -EINVAL;
	}
	if (cfg->sync == SSPR_SYNC_AUTO)
		cfg->sync =
		    cfg->tenant != NULL ? SSPR_SYNC_REQUIRED : SSPR_SYNC_OFF;
	return 0;
}

int
sspr_cfg_load(struct sspr_cfg *cfg, int argc, const char **argv, char *err,
	      size_t errlen)
{
	const char *path = SSPR_CONF_PATH;
	bool explicit_path = false;
	int i;
	int r;

	r = sspr_cfg_defaults(cfg);
	if (r < 0) {
		snprintf(err, errlen, "out of memory");
		return r;
	}
	/* conf= first, so that the other arguments override the file. */
	for (i = 0; i < argc; i++) {
		const char *v = sspr_skip_prefix(argv[i], "conf=");

		if (v != NULL) {
			path = v;
			explicit_path = true;
		}
	}
	cfg->conf_path = sspr_strdup(path);
	if (cfg->conf_path == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	r = load_file(cfg, path, explicit_path, err, errlen);
	if (r < 0)
		return r;
	for (i = 0; i < argc; i++) {
		char msg[SSPR_ERR_MAX];
		char key[64];
		const char *eq;

		if (sspr_skip_prefix(argv[i], "conf=") != NULL)
			continue;
		if (strcmp(argv[i], "debug") == 0) {
			cfg->debug = true;
			continue;
		}
		eq = strchr(argv[i], '=');
		if (eq == NULL || (size_t)(eq - argv[i]) >= sizeof(key)) {
			snprintf(err, errlen,
				 "module argument '%s': expected "
				 "key=value",
				 argv[i]);
			return -EINVAL;
		}
		memcpy(key, argv[i], (size_t)(eq - argv[i]));
		key[eq - argv[i]] = '\0';
		r = set_option(cfg, key, eq + 1, msg, sizeof(msg));
		if (r < 0) {
			snprintf(err, errlen, "module argument: %s", msg);
			return r;
		}
	}
	return sspr_cfg_finish(cfg, err, errlen);
}

void
sspr_cfg_done(struct sspr_cfg *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < SSPR_ARRAY_SIZE(options); i++) {
		const struct opt *o = &options[i];

		if (o->kind < OPT_UINT) {
			char **field = (char **)((char *)cfg + o->offset);

			free(*field);
			*field = NULL;
		}
	}
	free(cfg->conf_path);
	cfg->conf_path = NULL;
}

bool
sspr_cfg_service_listed(const struct sspr_cfg *cfg, const char *service)
{
	const char *p = cfg->services;
	size_t n = strlen(service);

	if (p == NULL || n == 0)
		return false;
	while (*p != '\0') {
		size_t w;

		p += strspn(p, " \t");
		w = strcspn(p, " \t");
		if (w == n && strncmp(p, service, n) == 0)
			return true;
		p += w;
	}
	return false;
}

const char *
sspr_cfg_choice_name(const char *key, unsigned value)
{
	const struct opt *o = find_option(key);
	unsigned i;

	if (o == NULL || o->choices == NULL)
		return NULL;
	for (i = 0; o->choices[i] != NULL; i++)
		if (i == value)
			return o->choices[i];
	return NULL;
}
