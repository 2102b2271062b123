/*
 * The record's schema and text (include/sspr/common/record.h): one table
 * of fields drives parsing, formatting and wiping, so a new field is one
 * line. Part of the lean module (libc only).
 */
#include "sspr/common/record.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sspr/common/address.h"
#include "sspr/common/config.h"
#include "sspr/common/kv.h"
#include "sspr/common/phone.h"
#include "sspr/common/util.h"

#define TOTP_SECRET_MIN 16  /* 80 bits */
#define TOTP_SECRET_MAX 128 /* 80 bytes */
#define CODE_HASH_LEN 64    /* hex HMAC-SHA256 */

enum field_type {
	F_ADDRESS, /* char *: e-mail address */
	F_PHONE,   /* char *: E.164 number */
	F_DEST,	   /* char *: where a code went: address or number */
	F_BASE32,  /* char *: upper-case base32 without padding */
	F_HEX,	   /* char *: lower-case hex HMAC-SHA256 */
	F_ALG,	   /* unsigned: sha1 | sha256 | sha512 */
	F_UINT,	   /* unsigned */
	F_U64,	   /* uint64_t */
	F_TIME,	   /* time_t, 0 = unset */
};

struct field {
	const char *key;
	enum field_type type;
	size_t offset;
	unsigned long min;
	unsigned long max;
};

/* clang-format off */
#define FIELD(name, type, min, max) \
	{ #name, type, offsetof(struct sspr_record, name), min, max }
#define FIELD_AT(key, member, type, min, max) \
	{ key, type, offsetof(struct sspr_record, member), min, max }
#define CODE_FIELDS(prefix, slot) \
	FIELD_AT(prefix "code_hash", slot.hash, F_HEX, 0, 0), \
	FIELD_AT(prefix "code_address", slot.address, F_DEST, 0, 0), \
	FIELD_AT(prefix "code_expires", slot.expires, F_TIME, 0, LONG_MAX), \
	FIELD_AT(prefix "code_attempts_left", slot.attempts_left, F_UINT, 0, 100), \
	FIELD_AT(prefix "code_sent", slot.sent, F_TIME, 0, LONG_MAX), \
	FIELD_AT(prefix "sends_window_start", slot.sends_window_start, F_TIME, 0, LONG_MAX), \
	FIELD_AT(prefix "sends_in_window", slot.sends_in_window, F_UINT, 0, 100000)
/* clang-format on */

/*
 * Before enrollment codes had a slot of their own, "code_purpose" said
 * whose the one code was: read, never written.
 */
#define LEGACY_PURPOSE_KEY "code_purpose"

/* The order in which fields are written. */
static const struct field fields[] = {
	FIELD(email, F_ADDRESS, 0, 0),
	FIELD(phone, F_PHONE, 0, 0),
	FIELD(totp_secret, F_BASE32, 0, 0),
	FIELD(totp_algorithm, F_ALG, 0, 0),
	FIELD(totp_digits, F_UINT, 6, 8),
	FIELD(totp_period, F_UINT, 10, 300),
	FIELD(totp_last_step, F_U64, 0, ULONG_MAX),
	CODE_FIELDS("", reset_code),
	CODE_FIELDS("enroll_", enroll_code),
	FIELD(failures, F_UINT, 0, 1000000),
	FIELD(failure_first, F_TIME, 0, LONG_MAX),
	FIELD(locked_until, F_TIME, 0, LONG_MAX),
	FIELD(lockouts, F_UINT, 0, 1000000),
	FIELD(day_failures, F_UINT, 0, 1000000),
	FIELD(day_first, F_TIME, 0, LONG_MAX),
	FIELD(remind_after, F_TIME, 0, LONG_MAX),
	FIELD(confirmed_at, F_TIME, 0, LONG_MAX),
	FIELD(sync_pending, F_TIME, 0, LONG_MAX),
	FIELD(admin_request_sent, F_TIME, 0, LONG_MAX),
};

static const char *const alg_names[] = { "sha1", "sha256", "sha512" };

/* Value checks, shared by load (corrupted record) and save (bad input). */
static bool
base32_ok(const char *s)
{
	size_t len = strlen(s);
	size_t i;

	if (len < TOTP_SECRET_MIN || len > TOTP_SECRET_MAX)
		return false;
	switch (len % 8) {
	case 1:
	case 3:
	case 6:
		return false;
	default:
		break;
	}
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '2' && s[i] <= '7')))
			return false;
	return true;
}

static bool
hex_ok(const char *s)
{
	size_t i;

	if (strlen(s) != CODE_HASH_LEN)
		return false;
	for (i = 0; i < CODE_HASH_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool
string_ok(enum field_type type, const char *s)
{
	switch (type) {
	case F_ADDRESS:
		return sspr_address_ok(s) == 0;
	case F_PHONE:
		return sspr_phone_ok(s) == 0;
	case F_DEST:
		return sspr_address_ok(s) == 0 || sspr_phone_ok(s) == 0;
	case F_BASE32:
		return base32_ok(s);
	case F_HEX:
		return hex_ok(s);
	default:
		return false;
	}
}

static bool
is_string(enum field_type type)
{
	return type == F_ADDRESS || type == F_PHONE || type == F_DEST ||
	       type == F_BASE32 || type == F_HEX;
}

static bool
is_secret(const struct field *f)
{
	return f->type == F_BASE32 || f->type == F_HEX;
}

#define FIELD_PTR(rec, f, type) ((type *)(void *)((char *)(rec) + (f)->offset))
#define FIELD_CPTR(rec, f, type)                                               \
	((const type *)(const void *)((const char *)(rec) + (f)->offset))

struct load_ctx {
	struct sspr_record *rec;
	bool version_seen;
	unsigned long seen; /* bit per fields[] entry */
	bool legacy_purpose_seen;
	bool legacy_enroll; /* code_purpose = enroll */
};

/* "code_purpose = reset | enroll" of an older record. */
static int
load_legacy_purpose(struct load_ctx *ctx, const char *value, char *err,
		    size_t errlen)
{
	if (ctx->legacy_purpose_seen) {
		snprintf(err, errlen, "duplicate key");
		return -EBADMSG;
	}
	ctx->legacy_purpose_seen = true;
	if (strcmp(value, "enroll") == 0)
		ctx->legacy_enroll = true;
	else if (strcmp(value, "reset") != 0) {
		snprintf(err, errlen, "invalid value");
		return -EBADMSG;
	}
	return 0;
}

/* An older record's enrollment code moves to its own slot. */
static int
load_legacy_finish(const struct load_ctx *ctx)
{
	struct sspr_code_slot *from = &ctx->rec->reset_code;
	struct sspr_code_slot *to = &ctx->rec->enroll_code;

	if (!ctx->legacy_enroll)
		return 0;
	if (to->hash != NULL || to->address != NULL)
		return -EBADMSG;
	to->hash = from->hash;
	to->address = from->address;
	to->expires = from->expires;
	to->attempts_left = from->attempts_left;
	to->sent = from->sent;
	from->hash = NULL;
	from->address = NULL;
	from->expires = 0;
	from->attempts_left = 0;
	from->sent = 0;
	return 0;
}

/* One field's value into the record: 0, -ENOMEM or -EBADMSG (err says). */
static int
set_value(struct sspr_record *rec, const struct field *f, const char *value,
	  char *err, size_t errlen)
{
	unsigned long v;
	size_t i;
	char *copy;

	if (is_string(f->type)) {
		if (!string_ok(f->type, value)) {
			snprintf(err, errlen, "invalid value");
			return -EBADMSG;
		}
		copy = sspr_strdup(value);
		if (copy == NULL)
			return -ENOMEM;
		*FIELD_PTR(rec, f, char *) = copy;
		return 0;
	}
	if (f->type == F_ALG) {
		for (i = 0; i < SSPR_ARRAY_SIZE(alg_names); i++)
			if (strcmp(alg_names[i], value) == 0) {
				*FIELD_PTR(rec, f, unsigned) = (unsigned)i;
				return 0;
			}
		snprintf(err, errlen, "unknown algorithm");
		return -EBADMSG;
	}
	if (sspr_parse_uint(value, f->min, f->max, &v) < 0) {
		snprintf(err, errlen, "invalid number");
		return -EBADMSG;
	}
	switch (f->type) {
	case F_UINT:
		*FIELD_PTR(rec, f, unsigned) = (unsigned)v;
		break;
	case F_U64:
		*FIELD_PTR(rec, f, uint64_t) = (uint64_t)v;
		break;
	case F_TIME:
		*FIELD_PTR(rec, f, time_t) = (time_t)v;
		break;
	default:
		return -EBADMSG;
	}
	return 0;
}

static int
load_field(void *vctx, const char *key, const char *value, char *err,
	   size_t errlen)
{
	struct load_ctx *ctx = vctx;
	unsigned long v;
	size_t i;

	if (!ctx->version_seen) {
		if (strcmp(key, "version") != 0 ||
		    sspr_parse_uint(value, SSPR_STORE_VERSION,
				    SSPR_STORE_VERSION, &v) < 0) {
			snprintf(err, errlen, "missing or unknown version");
			return -EBADMSG;
		}
		ctx->version_seen = true;
		return 0;
	}
	if (strcmp(key, LEGACY_PURPOSE_KEY) == 0)
		return load_legacy_purpose(ctx, value, err, errlen);
	/* Every login reads a record: the first letter spares most calls. */
	for (i = 0; i < SSPR_ARRAY_SIZE(fields); i++)
		if (fields[i].key[0] == key[0] &&
		    strcmp(fields[i].key, key) == 0)
			break;
	if (i == SSPR_ARRAY_SIZE(fields)) {
		snprintf(err, errlen, "unknown key");
		return -EBADMSG;
	}
	if ((ctx->seen & (1ul << i)) != 0) {
		snprintf(err, errlen, "duplicate key");
		return -EBADMSG;
	}
	ctx->seen |= 1ul << i;
	return set_value(ctx->rec, &fields[i], value, err, errlen);
}

/* Rules that span fields, checked after a load and before a save. */
static bool
record_consistent(const struct sspr_record *rec)
{
	if (rec->totp_algorithm >= SSPR_ARRAY_SIZE(alg_names))
		return false;
	if (rec->totp_secret != NULL &&
	    (rec->totp_digits == 0 || rec->totp_period == 0))
		return false;
	/* A pending code is complete or absent. */
	if (rec->reset_code.hash != NULL && rec->reset_code.expires == 0)
		return false;
	if (rec->enroll_code.hash != NULL && rec->enroll_code.expires == 0)
		return false;
	return true;
}

int
sspr_record_parse(const char *buf, size_t len, struct sspr_record *rec)
{
	struct load_ctx ctx = { .rec = rec };
	char err[128];
	unsigned line = 0;
	int r;

	memset(rec, 0, sizeof(*rec));
	/* Everything we write ends in a newline: less was cut short. */
	if (len == 0 || buf[len - 1] != '\n')
		return -EBADMSG;
	r = sspr_kv_parse(buf, len, load_field, &ctx, &line, err, sizeof(err));
	if (r == 0)
		r = load_legacy_finish(&ctx);
	if (r != -ENOMEM &&
	    (r < 0 || !ctx.version_seen || !record_consistent(rec)))
		r = -EBADMSG;
	if (r < 0)
		sspr_record_done(rec);
	return r;
}

int
sspr_record_format(const struct sspr_record *rec, char *buf, size_t size,
		   size_t *ret_len)
{
	size_t pos = 0;
	size_t i;
	bool ok;

	if (!record_consistent(rec))
		return -EINVAL;
	if (!sspr_kv_append(buf, size, &pos, "version = %d\n",
			    SSPR_STORE_VERSION))
		return -E2BIG;
	for (i = 0; i < SSPR_ARRAY_SIZE(fields); i++) {
		const struct field *f = &fields[i];
		unsigned long v;

		ok = true;
		if (is_string(f->type)) {
			const char *s = *FIELD_CPTR(rec, f, char *const);

			if (s == NULL)
				continue;
			if (!string_ok(f->type, s))
				return -EINVAL;
			ok = sspr_kv_append(buf, size, &pos, "%s = %s\n",
					    f->key, s);
		} else if (f->type == F_ALG) {
			unsigned a = *FIELD_CPTR(rec, f, unsigned);

			if (a == 0 && rec->totp_secret == NULL)
				continue;
			ok = sspr_kv_append(buf, size, &pos, "%s = %s\n",
					    f->key, alg_names[a]);
		} else {
			if (f->type == F_UINT) {
				v = *FIELD_CPTR(rec, f, unsigned);
			} else if (f->type == F_U64) {
				uint64_t u = *FIELD_CPTR(rec, f, uint64_t);

				if (u > ULONG_MAX)
					return -EINVAL;
				v = (unsigned long)u;
			} else {
				time_t t = *FIELD_CPTR(rec, f, time_t);

				if (t < 0)
					return -EINVAL;
				v = (unsigned long)t;
			}
			if (v == 0)
				continue;
			if (v < f->min || v > f->max)
				return -EINVAL;
			ok = sspr_kv_append(buf, size, &pos, "%s = %lu\n",
					    f->key, v);
		}
		if (!ok)
			return -E2BIG;
	}
	*ret_len = pos;
	return 0;
}

unsigned
sspr_record_method_count(const struct sspr_record *rec, unsigned allowed)
{
	unsigned n = 0;

	if ((allowed & SSPR_METHOD_EMAIL) != 0 && rec->email != NULL)
		n++;
	if ((allowed & SSPR_METHOD_TOTP) != 0 && rec->totp_secret != NULL)
		n++;
	if ((allowed & SSPR_METHOD_SMS) != 0 && rec->phone != NULL)
		n++;
	return n;
}

bool
sspr_record_reconfirm_due(const struct sspr_record *rec, unsigned allowed,
			  unsigned required, unsigned days, time_t now)
{
	return days != 0 &&
	       sspr_record_method_count(rec, allowed) >= required &&
	       rec->confirmed_at <= now - (time_t)days * 86400;
}

struct sspr_code_slot *
sspr_record_code_slot(struct sspr_record *rec, const char *purpose)
{
	if (purpose == NULL)
		return NULL;
	if (strcmp(purpose, "reset") == 0)
		return &rec->reset_code;
	if (strcmp(purpose, "enroll") == 0)
		return &rec->enroll_code;
	return NULL;
}

void
sspr_code_slot_clear(struct sspr_code_slot *code)
{
	sspr_free_secret(code->hash);
	code->hash = NULL;
	free(code->address);
	code->address = NULL;
	code->expires = 0;
	code->attempts_left = 0;
}

void
sspr_record_done(struct sspr_record *rec)
{
	size_t i;

	if (rec == NULL)
		return;
	for (i = 0; i < SSPR_ARRAY_SIZE(fields); i++) {
		const struct field *f = &fields[i];
		char **s;

		if (!is_string(f->type))
			continue;
		s = FIELD_PTR(rec, f, char *);
		if (is_secret(f))
			sspr_free_secret(*s);
		else
			free(*s);
	}
	sspr_wipe(rec, sizeof(*rec));
}
