/*
 * The shipped conf/sspr.conf and sspr.conf(5) stay in step with the
 * option table of pam_sspr/common/config.c: every key is documented once, the
 * file parses as shipped, and uncommenting any "#key = value" line gives
 * exactly the built-in default.
 *
 * Runs from the top of the source tree (tests/run.sh does cd there).
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sspr/common/config.h"

#define CONF_FILE "conf/sspr.conf"
#define CONFIG_C "pam_sspr/common/config.c"
#define MAN_PAGE "man/sspr.conf.5"
#define MAX_KEYS 128
#define KEY_MAX 64

static char *
slurp(const char *path, size_t *ret_len)
{
	FILE *f;
	char *buf = NULL;
	size_t cap = 0;
	size_t len = 0;

	f = fopen(path, "re");
	if (f == NULL) {
		fprintf(stderr, "  cannot open %s: %s\n", path,
			strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			char *bigger = realloc(buf, cap + 65536);

			if (bigger == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = bigger;
			cap += 65536;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		if (n == 0)
			break;
		len += n;
	}
	fclose(f);
	buf[len] = '\0';
	*ret_len = len;
	return buf;
}

/* Copy the identifier at p (letters, digits, '_') into key. */
static bool
copy_ident(const char *p, char *key)
{
	size_t n = 0;

	while ((islower((unsigned char)p[n]) || isdigit((unsigned char)p[n]) ||
		p[n] == '_') && n < KEY_MAX - 1) {
		key[n] = p[n];
		n++;
	}
	key[n] = '\0';
	return n > 0;
}

/*
 * The keys of the option table in config.c: entries look like
 * B(name), C(name, list), S(name, kind), U(name, lo, hi) or
 * { "name", ... }.
 */
static size_t
table_keys(char keys[][KEY_MAX])
{
	size_t len;
	char *src = slurp(CONFIG_C, &len);
	char *p;
	char *end;
	size_t n = 0;

	if (src == NULL)
		return 0;
	p = strstr(src, "options[] = {");
	end = p != NULL ? strstr(p, "\n};") : NULL;
	if (p == NULL || end == NULL) {
		free(src);
		return 0;
	}
	*end = '\0';
	p = strchr(p, '\n');
	while (p != NULL && n < MAX_KEYS) {
		const char *l = p + 1;

		while (*l == '\t' || *l == ' ')
			l++;
		if ((l[0] == 'B' || l[0] == 'C' || l[0] == 'S' ||
		     l[0] == 'U') && l[1] == '(') {
			if (copy_ident(l + 2, keys[n]))
				n++;
		} else if (strncmp(l, "{ \"", 3) == 0) {
			if (copy_ident(l + 3, keys[n]))
				n++;
		}
		p = strchr(l, '\n');
	}
	free(src);
	return n;
}

static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Name of the first field that differs, or NULL when a equals b. */
static const char *
cfg_diff(const struct sspr_cfg *a, const struct sspr_cfg *b)
{
#define U(f) if (a->f != b->f) return #f
#define S(f) if (!str_eq(a->f, b->f)) return #f
	U(debug);
	U(enable);
	S(enable_group);
	S(enable_entra_group);
	S(services);
	U(methods);
	U(methods_required);
	S(state_dir);
	U(after_reset);
	S(admin_contact);
	U(password_retries);
	S(passwd_service);
	U(max_failures);
	U(failure_window);
	U(lockout);
	U(max_failures_per_day);
	U(fail_delay);
	U(code_length);
	U(code_lifetime);
	U(code_attempts);
	U(resend_interval);
	U(resend_per_hour);
	U(mail_transport);
	S(smtp_url);
	U(smtp_starttls);
	S(smtp_user);
	S(smtp_password_file);
	S(mail_from);
	U(sms_transport);
	S(sms_endpoint);
	S(sms_from);
	S(sms_access_key_file);
	S(sms_webhook_url);
	S(sms_webhook_secret_file);
	U(phone_source);
	U(totp_algorithm);
	U(totp_digits);
	U(totp_window);
	S(issuer);
	U(enroll_at_login);
	U(enroll_remind_days);
	U(reconfirm_days);
	S(tenant);
	S(client_id);
	S(client_secret_file);
	S(client_certificate);
	S(client_key);
	S(authority);
	S(graph);
	S(ca_file);
	U(connect_timeout);
	U(timeout);
	U(sync);
	S(upn_format);
	S(upn_map_file);
	U(email_source);
	U(sync_on_passwd);
	U(console_language);
#undef U
#undef S
	return NULL;
}

/*
 * A default line is "#key = value" (or "#key =" for an unset value): a
 * '#' directly followed by a key name. Prose comments are "# text".
 */
static bool
default_line(const char *line, size_t n, char *key)
{
	char ident[KEY_MAX];
	size_t klen;

	if (n < 2 || line[0] != '#' || !islower((unsigned char)line[1]))
		return false;
	if (!copy_ident(line + 1, ident))
		return false;
	klen = strlen(ident);
	if (n < 1 + klen + 2 || strncmp(line + 1 + klen, " =", 2) != 0)
		return false;
	strcpy(key, ident);
	return true;
}

static char *conf;
static size_t conf_len;
static char table[MAX_KEYS][KEY_MAX];
static size_t n_table;

static void
shipped_file_parses(void)
{
	struct sspr_cfg cfg;
	struct sspr_cfg def;
	char err[SSPR_ERR_MAX] = "";
	const char *diff;

	CHECK(conf != NULL);
	if (conf == NULL)
		return;
	CHECK(sspr_cfg_defaults(&def) == 0);
	CHECK(sspr_cfg_defaults(&cfg) == 0);
	CHECK(sspr_cfg_parse_buffer(&cfg, CONF_FILE, conf, conf_len, err,
				    sizeof(err)) == 0);
	if (err[0] != '\0')
		fprintf(stderr, "  %s\n", err);
	/* As shipped everything is commented out: nothing changes. */
	diff = cfg_diff(&cfg, &def);
	if (diff != NULL)
		fprintf(stderr, "  shipped file changes %s\n", diff);
	CHECK(diff == NULL);
	CHECK(cfg.enable == SSPR_ENABLE_NONE);
	CHECK(sspr_cfg_finish(&cfg, err, sizeof(err)) == 0);
	sspr_cfg_done(&cfg);
	sspr_cfg_done(&def);
}

static void
table_is_read(void)
{
	/* Guards the scan of config.c below against a silent format change. */
	CHECK(n_table >= 40);
	CHECK(n_table < MAX_KEYS);
}

static void
every_key_documented_once(void)
{
	unsigned seen[MAX_KEYS] = { 0 };
	const char *p = conf;
	size_t i;

	if (conf == NULL) {
		CHECK(conf != NULL);
		return;
	}
	while (*p != '\0') {
		size_t n = strcspn(p, "\n");
		char key[KEY_MAX];

		if (default_line(p, n, key)) {
			bool known = false;

			for (i = 0; i < n_table; i++) {
				if (strcmp(table[i], key) == 0) {
					seen[i]++;
					known = true;
				}
			}
			if (!known)
				fprintf(stderr, "  %s: '%s' is not a key of "
					"%s\n", CONF_FILE, key, CONFIG_C);
			CHECK(known);
		}
		p += n + (p[n] == '\n' ? 1 : 0);
	}
	for (i = 0; i < n_table; i++) {
		if (seen[i] != 1)
			fprintf(stderr, "  %s: key '%s' appears %u times as "
				"a default line\n", CONF_FILE, table[i],
				seen[i]);
		CHECK(seen[i] == 1);
	}
}

static void
each_default_line_is_the_default(void)
{
	const char *p = conf;
	unsigned lines = 0;

	if (conf == NULL) {
		CHECK(conf != NULL);
		return;
	}
	while (*p != '\0') {
		size_t n = strcspn(p, "\n");
		size_t off = (size_t)(p - conf);
		char key[KEY_MAX];

		if (default_line(p, n, key)) {
			struct sspr_cfg cfg;
			struct sspr_cfg def;
			char err[SSPR_ERR_MAX] = "";
			char *copy = malloc(conf_len + 1);
			const char *diff = NULL;
			int r;

			CHECK(copy != NULL);
			if (copy == NULL)
				return;
			/* Replace the '#' by a space: the line now counts. */
			memcpy(copy, conf, conf_len + 1);
			copy[off] = ' ';
			CHECK(sspr_cfg_defaults(&def) == 0);
			CHECK(sspr_cfg_defaults(&cfg) == 0);
			r = sspr_cfg_parse_buffer(&cfg, CONF_FILE, copy,
						  conf_len, err, sizeof(err));
			if (r < 0)
				fprintf(stderr, "  uncommented '%s': %s\n",
					key, err);
			CHECK(r == 0);
			if (r == 0)
				diff = cfg_diff(&cfg, &def);
			if (diff != NULL)
				fprintf(stderr, "  uncommented '%s' changes "
					"%s: not the built-in default\n", key,
					diff);
			CHECK(diff == NULL);
			sspr_cfg_done(&cfg);
			sspr_cfg_done(&def);
			free(copy);
			lines++;
		}
		p += n + (p[n] == '\n' ? 1 : 0);
	}
	CHECK(lines == n_table);
}

static void
man_page_documents_every_key(void)
{
	size_t len;
	char *man = slurp(MAN_PAGE, &len);
	size_t i;

	CHECK(man != NULL);
	if (man == NULL)
		return;
	for (i = 0; i < n_table; i++) {
		char entry[KEY_MAX + 16];

		/* Each key is an item of the form "\fBkey =\fR ...". */
		snprintf(entry, sizeof(entry), "\n\\fB%s =\\fR", table[i]);
		if (strstr(man, entry) == NULL)
			fprintf(stderr, "  %s does not describe '%s'\n",
				MAN_PAGE, table[i]);
		CHECK(strstr(man, entry) != NULL);
	}
	free(man);
}

int
main(void)
{
	conf = slurp(CONF_FILE, &conf_len);
	n_table = table_keys(table);
	RUN(table_is_read);
	RUN(shipped_file_parses);
	RUN(every_key_documented_once);
	RUN(each_default_line_is_the_default);
	RUN(man_page_documents_every_key);
	free(conf);
	CHECK_EXIT();
}
