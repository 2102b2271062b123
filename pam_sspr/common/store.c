/*
 * Per-user records under state_dir. Part of the lean module (libc only):
 * the session stage reads them to decide whether to offer enrollment.
 *
 * A record is "u-<user>" in state_dir, a lock is "u-<user>.lock" beside
 * it, temporary files start with '.' so they never look like records.
 * Names ending in ".lock" are refused so a record can never be a lock.
 */
#include "sspr/common/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sspr/common/address.h"
#include "sspr/common/config.h"
#include "sspr/common/kv.h"
#include "sspr/common/safefile.h"
#include "sspr/common/util.h"

#define RECORD_PREFIX "u-"
#define LOCK_SUFFIX ".lock"
#define LOCK_WAIT_MS 5000
#define LOCK_POLL_MS 10
#define TOTP_SECRET_MIN 16  /* 80 bits */
#define TOTP_SECRET_MAX 128 /* 80 bytes */
#define CODE_HASH_LEN 64    /* hex HMAC-SHA256 */

enum field_type {
	F_ADDRESS, /* char *: e-mail address */
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
	FIELD_AT(prefix "code_address", slot.address, F_ADDRESS, 0, 0), \
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
	FIELD(sync_pending, F_TIME, 0, LONG_MAX),
	FIELD(admin_request_sent, F_TIME, 0, LONG_MAX),
};

static const char *const alg_names[] = { "sha1", "sha256", "sha512" };

bool
sspr_store_name_ok(const char *user)
{
	size_t len;
	size_t i;

	if (user == NULL)
		return false;
	len = strlen(user);
	if (len == 0 || len > SSPR_USER_MAX)
		return false;
	if (user[0] == '.' || user[0] == '-')
		return false;
	for (i = 0; i < len; i++) {
		char c = user[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-' || c == '@'))
			return false;
	}
	/* "u-x.lock" is the lock of user x. */
	if (len >= SSPR_LITERAL_LEN(LOCK_SUFFIX) &&
	    strcmp(user + len - SSPR_LITERAL_LEN(LOCK_SUFFIX), LOCK_SUFFIX) ==
		0)
		return false;
	return true;
}

int
sspr_store_check_dir(const char *state_dir)
{
	struct stat st;

	if (state_dir == NULL || state_dir[0] != '/')
		return -EINVAL;
	if (lstat(state_dir, &st) != 0)
		return -errno;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (st.st_uid != sspr_trusted_uid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return -EPERM;
	return 0;
}

/* "<state_dir>/u-<user><suffix>" into buf. */
static int
make_path(char *buf, size_t size, const char *state_dir, const char *user,
	  const char *suffix)
{
	int n;

	if (!sspr_store_name_ok(user))
		return -EINVAL;
	n = snprintf(buf, size, "%s/" RECORD_PREFIX "%s%s", state_dir, user,
		     suffix);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* Checks shared by every entry point that touches a user's files. */
static int
prepare(char *buf, size_t size, const char *state_dir, const char *user,
	const char *suffix)
{
	int r;

	r = make_path(buf, size, state_dir, user, suffix);
	if (r < 0)
		return r;
	return sspr_store_check_dir(state_dir);
}

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
	return type == F_ADDRESS || type == F_BASE32 || type == F_HEX;
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

static int
load_field(void *vctx, const char *key, const char *value, char *err,
	   size_t errlen)
{
	struct load_ctx *ctx = vctx;
	const struct field *f = NULL;
	unsigned long v;
	size_t i;
	int r;

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
	for (i = 0; i < SSPR_ARRAY_SIZE(fields); i++)
		if (strcmp(fields[i].key, key) == 0) {
			f = &fields[i];
			break;
		}
	if (f == NULL) {
		snprintf(err, errlen, "unknown key");
		return -EBADMSG;
	}
	if ((ctx->seen & (1ul << i)) != 0) {
		snprintf(err, errlen, "duplicate key");
		return -EBADMSG;
	}
	ctx->seen |= 1ul << i;

	if (is_string(f->type)) {
		char *copy;

		if (!string_ok(f->type, value)) {
			snprintf(err, errlen, "invalid value");
			return -EBADMSG;
		}
		copy = sspr_strdup(value);
		if (copy == NULL)
			return -ENOMEM;
		*FIELD_PTR(ctx->rec, f, char *) = copy;
		return 0;
	}
	if (f->type == F_ALG) {
		for (i = 0; i < SSPR_ARRAY_SIZE(alg_names); i++)
			if (strcmp(alg_names[i], value) == 0) {
				*FIELD_PTR(ctx->rec, f, unsigned) = (unsigned)i;
				return 0;
			}
		snprintf(err, errlen, "unknown algorithm");
		return -EBADMSG;
	}
	r = sspr_parse_uint(value, f->min, f->max, &v);
	if (r < 0) {
		snprintf(err, errlen, "invalid number");
		return -EBADMSG;
	}
	switch (f->type) {
	case F_UINT:
		*FIELD_PTR(ctx->rec, f, unsigned) = (unsigned)v;
		break;
	case F_U64:
		*FIELD_PTR(ctx->rec, f, uint64_t) = (uint64_t)v;
		break;
	case F_TIME:
		*FIELD_PTR(ctx->rec, f, time_t) = (time_t)v;
		break;
	default:
		return -EBADMSG;
	}
	return 0;
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
sspr_store_load(const char *state_dir, const char *user,
		struct sspr_record *rec)
{
	char path[PATH_MAX];
	char err[128];
	struct load_ctx ctx = { .rec = rec };
	char *buf = NULL;
	size_t len = 0;
	unsigned line = 0;
	int r;

	memset(rec, 0, sizeof(*rec));
	r = prepare(path, sizeof(path), state_dir, user, "");
	if (r < 0)
		return r;
	r = sspr_read_file(path, SSPR_FILE_SECRET, SSPR_STORE_MAX_SIZE, &buf,
			   &len);
	if (r == -EFBIG || r == -EINVAL)
		return -EBADMSG;
	if (r < 0)
		return r;
	/* Everything we write ends in a newline: less was cut short. */
	if (len == 0 || buf[len - 1] != '\n') {
		r = -EBADMSG;
		goto out;
	}
	r = sspr_kv_parse(buf, len, load_field, &ctx, &line, err, sizeof(err));
	if (r == -ENOMEM)
		goto out;
	if (r == 0)
		r = load_legacy_finish(&ctx);
	if (r < 0 || !ctx.version_seen || !record_consistent(rec))
		r = -EBADMSG;
out:
	sspr_freezero(buf, len + 1);
	if (r < 0)
		sspr_record_done(rec);
	return r;
}

/* Append to a fixed buffer; false when it is full. */
static bool append(char *buf, size_t size, size_t *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool
append(char *buf, size_t size, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, size - *pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - *pos)
		return false;
	*pos += (size_t)n;
	return true;
}

/* The text of a record; -EINVAL for values a load would refuse. */
static int
format_record(const struct sspr_record *rec, char *buf, size_t size,
	      size_t *ret_len)
{
	size_t pos = 0;
	size_t i;
	bool ok;

	if (!record_consistent(rec))
		return -EINVAL;
	if (!append(buf, size, &pos, "version = %d\n", SSPR_STORE_VERSION))
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
			ok = append(buf, size, &pos, "%s = %s\n", f->key, s);
		} else if (f->type == F_ALG) {
			unsigned a = *FIELD_CPTR(rec, f, unsigned);

			if (a == 0 && rec->totp_secret == NULL)
				continue;
			ok = append(buf, size, &pos, "%s = %s\n", f->key,
				    alg_names[a]);
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
			ok = append(buf, size, &pos, "%s = %lu\n", f->key, v);
		}
		if (!ok)
			return -E2BIG;
	}
	*ret_len = pos;
	return 0;
}

int
sspr_store_save(const char *state_dir, const char *user,
		const struct sspr_record *rec)
{
	char path[PATH_MAX];
	char *buf;
	size_t len = 0;
	int r;

	r = prepare(path, sizeof(path), state_dir, user, "");
	if (r < 0)
		return r;
	buf = malloc(SSPR_STORE_MAX_SIZE);
	if (buf == NULL)
		return -ENOMEM;
	r = format_record(rec, buf, SSPR_STORE_MAX_SIZE, &len);
	if (r == 0)
		r = sspr_write_file_atomic(path, buf, len, 0600, 0);
	sspr_freezero(buf, SSPR_STORE_MAX_SIZE);
	return r;
}

int
sspr_store_remove(const char *state_dir, const char *user)
{
	char path[PATH_MAX];
	int r;

	r = prepare(path, sizeof(path), state_dir, user, "");
	if (r < 0)
		return r;
	/*
	 * The lock file stays: removing it would let two processes hold
	 * "the" lock on two different inodes.
	 */
	return sspr_remove_durably(state_dir, path);
}

int
sspr_store_lock_path(const char *path, unsigned wait_ms)
{
	struct timespec pause = { 0, LOCK_POLL_MS * 1000000L };
	unsigned waited = 0;
	int fd;
	int r;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY,
		  0600);
	if (fd < 0)
		return -errno;
	r = sspr_check_fd(fd, SSPR_FILE_SECRET);
	if (r < 0)
		goto fail;
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			r = -errno;
			goto fail;
		}
		if (waited >= wait_ms) {
			r = -ETIMEDOUT;
			goto fail;
		}
		nanosleep(&pause, NULL);
		waited += LOCK_POLL_MS;
	}
fail:
	close(fd);
	return r;
}

int
sspr_store_lock(const char *state_dir, const char *user)
{
	char path[PATH_MAX];
	int r;

	r = prepare(path, sizeof(path), state_dir, user, LOCK_SUFFIX);
	if (r < 0)
		return r;
	return sspr_store_lock_path(path, LOCK_WAIT_MS);
}

/* ".<name>.XXXXXX": a temporary file of sspr_write_file_atomic(). */
static bool
is_temp_of(const char *entry, const char *name)
{
	size_t n = strlen(name);
	size_t i;

	if (entry[0] != '.' || strncmp(entry + 1, name, n) != 0 ||
	    entry[n + 1] != '.' || strlen(entry + n + 2) != 6)
		return false;
	for (i = n + 2; entry[i] != '\0'; i++)
		if (!((entry[i] >= 'a' && entry[i] <= 'z') ||
		      (entry[i] >= 'A' && entry[i] <= 'Z') ||
		      (entry[i] >= '0' && entry[i] <= '9')))
			return false;
	return true;
}

int
sspr_store_remove_temps(const char *state_dir, const char *name)
{
	struct dirent *de;
	DIR *dir;
	int fd;
	int removed = 0;

	fd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (dir == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while ((de = readdir(dir)) != NULL)
		if (is_temp_of(de->d_name, name) &&
		    unlinkat(dirfd(dir), de->d_name, 0) == 0)
			removed++;
	closedir(dir);
	if (removed > 0)
		(void)sspr_fsync_dir(state_dir);
	return removed;
}

void
sspr_store_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

int
sspr_store_open_locked(const char *state_dir, const char *user,
		       struct sspr_record *rec, int *ret_lock)
{
	char name[SSPR_USER_MAX + sizeof(RECORD_PREFIX)];
	int lock;
	int r;

	memset(rec, 0, sizeof(*rec));
	lock = sspr_store_lock(state_dir, user);
	if (lock < 0)
		return lock;
	/*
	 * A process killed while it saved this record left its temporary
	 * copy (the TOTP key in it): nobody else writes it while we hold the
	 * lock, so it goes now.
	 */
	snprintf(name, sizeof(name), RECORD_PREFIX "%s", user);
	(void)sspr_store_remove_temps(state_dir, name);
	/* On an error the load leaves *rec empty. */
	r = sspr_store_load(state_dir, user, rec);
	if (r == -ENOENT)
		r = 0;
	if (r < 0) {
		sspr_store_unlock(lock);
		return r;
	}
	*ret_lock = lock;
	return 0;
}

int
sspr_store_close_locked(const char *state_dir, const char *user,
			const struct sspr_record *rec, int lock, bool save)
{
	int r = 0;

	if (save)
		r = sspr_store_save(state_dir, user, rec);
	sspr_store_unlock(lock);
	return r;
}

int
sspr_store_sweep_all(const char *state_dir)
{
	char name[SSPR_USER_MAX + sizeof(RECORD_PREFIX)];
	char **users = NULL;
	size_t count = 0;
	size_t i;
	struct dirent *de;
	DIR *dir;
	int lock;
	int fd;
	int r;

	r = sspr_store_check_dir(state_dir);
	if (r < 0)
		return r;
	fd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (dir == NULL) {
		close(fd);
		return -ENOMEM;
	}
	/* ".u-<user>.XXXXXX": the user is what lies between */
	while ((de = readdir(dir)) != NULL) {
		const char *user =
		    sspr_skip_prefix(de->d_name, "." RECORD_PREFIX);
		size_t len = user != NULL ? strlen(user) : 0;
		char **n;

		if (len <= 7 || len - 7 >= sizeof(name) || user[len - 7] != '.')
			continue;
		memcpy(name, user, len - 7);
		name[len - 7] = '\0';
		if (!sspr_store_name_ok(name))
			continue;
		n = reallocarray(users, count + 1, sizeof(*n));
		if (n == NULL)
			break;
		users = n;
		users[count] = sspr_strdup(name);
		if (users[count] == NULL)
			break;
		count++;
	}
	closedir(dir);
	for (i = 0; i < count; i++) {
		lock = sspr_store_lock(state_dir, users[i]);
		if (lock >= 0) {
			snprintf(name, sizeof(name), RECORD_PREFIX "%s",
				 users[i]);
			(void)sspr_store_remove_temps(state_dir, name);
			sspr_store_unlock(lock);
		}
		free(users[i]);
	}
	free(users);
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
	return n;
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

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
free_names(char **names, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

int
sspr_store_list(const char *state_dir, char ***ret_names, size_t *ret_count)
{
	char **names = NULL;
	size_t count = 0;
	size_t cap = 0;
	struct dirent *de;
	DIR *dir;
	int fd;
	int r;

	r = sspr_store_check_dir(state_dir);
	if (r < 0)
		return r;
	fd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (dir == NULL) {
		r = -errno;
		close(fd);
		return r;
	}
	for (;;) {
		const char *user;
		char *copy;

		errno = 0;
		de = readdir(dir);
		if (de == NULL) {
			r = -errno;
			break;
		}
		user = sspr_skip_prefix(de->d_name, RECORD_PREFIX);
		/* name_ok also drops the ".lock" files */
		if (user == NULL || !sspr_store_name_ok(user))
			continue;
		if (count == cap) {
			size_t ncap = cap == 0 ? 16 : cap * 2;
			char **n = reallocarray(names, ncap, sizeof(*n));

			if (n == NULL) {
				r = -ENOMEM;
				break;
			}
			names = n;
			cap = ncap;
		}
		copy = sspr_strdup(user);
		if (copy == NULL) {
			r = -ENOMEM;
			break;
		}
		names[count++] = copy;
	}
	closedir(dir);
	if (r < 0) {
		free_names(names, count);
		return r;
	}
	if (count > 0)
		qsort(names, count, sizeof(*names), name_cmp);
	*ret_names = names;
	*ret_count = count;
	return 0;
}
