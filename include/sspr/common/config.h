/*
 * Configuration: /etc/security/sspr.conf, overridden by module arguments.
 * Every key is documented in sspr.conf(5) and conf/sspr.conf.
 */
#ifndef SSPR_CONFIG_H
#define SSPR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define SSPR_CONF_PATH "/etc/security/sspr.conf"
#define SSPR_CONF_MAX_SIZE (64 * 1024)
#define SSPR_ERR_MAX 512

enum sspr_enable { SSPR_ENABLE_NONE, SSPR_ENABLE_ALL, SSPR_ENABLE_GROUP };
enum sspr_after_reset { SSPR_AFTER_LOGIN, SSPR_AFTER_RELOGIN };
enum sspr_enroll_mode {
	SSPR_ENROLL_OFF,
	SSPR_ENROLL_OFFER,
	SSPR_ENROLL_REQUIRE
};
enum sspr_totp_alg { SSPR_TOTP_SHA1, SSPR_TOTP_SHA256, SSPR_TOTP_SHA512 };
enum sspr_sync { SSPR_SYNC_AUTO, SSPR_SYNC_OFF, SSPR_SYNC_REQUIRED };
enum sspr_email_source { SSPR_EMAIL_LOCAL, SSPR_EMAIL_ENTRA, SSPR_EMAIL_BOTH };
enum sspr_mail_transport { SSPR_MAIL_SMTP, SSPR_MAIL_GRAPH };
enum sspr_sms_transport { SSPR_SMS_ACS, SSPR_SMS_WEBHOOK };
/* Where the phone number comes from; same values as email_source. */
enum sspr_phone_source { SSPR_PHONE_LOCAL, SSPR_PHONE_ENTRA, SSPR_PHONE_BOTH };

/* Bits of cfg->methods. */
#define SSPR_METHOD_EMAIL 0x1u
#define SSPR_METHOD_TOTP 0x2u
#define SSPR_METHOD_SMS 0x4u

struct sspr_cfg {
	char *conf_path;
	bool debug;

	/* who may reset, where */
	unsigned enable; /* enum sspr_enable */
	char *enable_group;
	char *enable_entra_group; /* Entra group object ids, NULL: none */
	char *services;		  /* space separated service names */
	unsigned methods;	  /* SSPR_METHOD_* bits */
	unsigned methods_required;
	char *state_dir;
	char *audit_log;      /* NULL: none */
	unsigned after_reset; /* enum sspr_after_reset */
	char *admin_contact;
	char *admin_language; /* NULL: the host's default locale */
	unsigned password_retries;
	char *passwd_service;
	unsigned max_failures;
	unsigned failure_window;
	unsigned lockout;
	unsigned max_failures_per_day;
	unsigned fail_delay;

	/* one-time codes by email */
	unsigned code_length;
	unsigned code_lifetime;
	unsigned code_attempts;
	unsigned resend_interval;
	unsigned resend_per_hour;
	unsigned mail_transport; /* enum sspr_mail_transport */
	char *smtp_url;
	bool smtp_starttls;
	char *smtp_user;
	char *smtp_password_file;
	char *mail_from;

	/* one-time codes by text message (same code rules as email) */
	unsigned sms_transport; /* enum sspr_sms_transport */
	char *sms_endpoint;	/* https URL of the ACS resource */
	char *sms_from;		/* E.164 number or alphanumeric sender ID */
	char *sms_access_key_file;
	char *sms_webhook_url;
	char *sms_webhook_secret_file;
	unsigned phone_source; /* enum sspr_phone_source */

	/* authenticator apps */
	unsigned totp_algorithm; /* enum sspr_totp_alg */
	unsigned totp_digits;
	unsigned totp_window;
	char *issuer;

	/* enrollment at sign-in */
	unsigned enroll_at_login; /* enum sspr_enroll_mode */
	unsigned enroll_remind_days;
	unsigned reconfirm_days; /* 0: never */

	/* Microsoft 365 */
	char *tenant;
	char *client_id;
	char *client_secret_file;
	char *client_certificate;
	char *client_key;
	char *authority;
	char *graph;
	char *ca_file;
	unsigned connect_timeout;
	unsigned timeout;
	unsigned sync; /* enum sspr_sync, AUTO resolved */
	char *upn_format;
	char *upn_map_file;
	unsigned email_source; /* enum sspr_email_source */
	bool sync_on_passwd;

	/* the language on the Linux console (lang.h) */
	unsigned console_language; /* enum sspr_console_language */
};

/*
 * Load defaults, then the file (conf=PATH from argv, else the default
 * path, which may be missing), then the other module arguments.
 * Returns 0 or a negative errno value with a message naming the file and
 * line (or the module argument) in err. Free with sspr_cfg_done() either
 * way.
 */
int sspr_cfg_load(struct sspr_cfg *cfg, int argc, const char **argv, char *err,
		  size_t errlen);

/* Parse a configuration held in memory (for tests and fuzzing). */
int sspr_cfg_parse_buffer(struct sspr_cfg *cfg, const char *name,
			  const char *buf, size_t len, char *err,
			  size_t errlen);

/* Set defaults; needed before sspr_cfg_parse_buffer(). */
int sspr_cfg_defaults(struct sspr_cfg *cfg);

/* Check cross-key rules after everything is set; resolves sync=auto. */
int sspr_cfg_finish(struct sspr_cfg *cfg, char *err, size_t errlen);

/* Free everything the configuration owns. */
void sspr_cfg_done(struct sspr_cfg *cfg);

/* Is service one of the words in cfg->services? */
bool sspr_cfg_service_listed(const struct sspr_cfg *cfg, const char *service);

/* The option table is in strcmp() order (it is searched by bisection). */
bool sspr_cfg_table_sorted(void);

/* The values accepted for a key with named choices ("sha1", ...). */
const char *sspr_cfg_choice_name(const char *key, unsigned value);

#endif
