/*
 * The journal of intent of a synced password change (include/sspr/
 * journal.h). Part of the lean module (libc only): every invocation of the
 * module asks whether the user has an entry before anything else.
 */
#include "sspr/common/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sspr/common/kv.h"
#include "sspr/common/safefile.h"
#include "sspr/common/store.h"
#include "sspr/common/util.h"

#define JOURNAL_PREFIX "j-"
#define LOCK_SUFFIX ".lock"
#define TEMP_SUFFIX ".new"
#define JOURNAL_MAX_SIZE 4096

static const char *const stage_names[] = { "prepared", "sending", "refused",
					   "unconfirmed" };
static const char *const path_names[] = { "reset", "passwd" };

const char *
sspr_journal_stage_name(unsigned stage)
{
	return stage < SSPR_ARRAY_SIZE(stage_names) ? stage_names[stage] : "?";
}

const char *
sspr_journal_path_name(unsigned path)
{
	return path < SSPR_ARRAY_SIZE(path_names) ? path_names[path] : "?";
}

bool
sspr_shadow_fields_eq(const struct sspr_shadow_fields *a,
		      const struct sspr_shadow_fields *b)
{
	return strcmp(a->hash, b->hash) == 0 &&
	       strcmp(a->lastchg, b->lastchg) == 0;
}

/* "<state_dir>/j-<user><suffix>", the directory checked if check_dir. */
static int
make_path(char *buf, size_t size, const char *state_dir, const char *user,
	  const char *suffix, bool check_dir)
{
	return sspr_store_user_path(buf, size, state_dir, JOURNAL_PREFIX, user,
				    suffix, check_dir);
}

int
sspr_journal_lock(const char *state_dir, const char *user, unsigned wait_ms)
{
	return sspr_store_user_lock(state_dir, JOURNAL_PREFIX, user, wait_ms);
}

/* "<state_dir>/.j-<user>.new": the one temporary name of an entry. */
static int
temp_path(char *buf, size_t size, const char *state_dir, const char *user)
{
	return sspr_store_user_path(buf, size, state_dir, "." JOURNAL_PREFIX,
				    user, TEMP_SUFFIX, false);
}

bool
sspr_journal_exists(const char *state_dir, const char *user)
{
	char path[PATH_MAX];
	struct stat st;

	/* An entry, or what an interrupted write of one left. */
	return (make_path(path, sizeof(path), state_dir, user, "", false) ==
		    0 &&
		lstat(path, &st) == 0) ||
	       (temp_path(path, sizeof(path), state_dir, user) == 0 &&
		lstat(path, &st) == 0);
}

/*
 * Whole or not at all, like sspr_write_file_atomic(), but under a fixed
 * temporary name: only the holder of the journal lock writes it, and a
 * leftover is found with one stat() by the next run, which removes it.
 */
static int
write_entry(const char *state_dir, const char *user, const char *buf,
	    size_t len)
{
	char path[PATH_MAX];
	char temp[PATH_MAX];
	int fd;
	int r;

	r = make_path(path, sizeof(path), state_dir, user, "", false);
	if (r == 0)
		r = temp_path(temp, sizeof(temp), state_dir, user);
	if (r < 0)
		return r;
	fd = sspr_open_secret(temp, O_TRUNC);
	if (fd < 0) {
		/* A temporary file that is not safe is not left either. */
		if (fd == -EPERM)
			unlink(temp);
		return fd;
	}
	r = sspr_write_all(fd, buf, len);
	if (r == 0 && fsync(fd) != 0)
		r = -errno;
	if (close(fd) != 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(temp, path) != 0)
		r = -errno;
	if (r < 0) {
		unlink(temp);
		return r;
	}
	return sspr_fsync_dir(state_dir);
}

/*
 * A shadow field we can write back as it was: printable ASCII without
 * blanks, '#' (a comment here) or ':' (the shadow separator).
 */
static bool
field_ok(const char *s, bool digits)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (digits ? !(c >= '0' && c <= '9')
			   : (c <= ' ' || c >= 0x7f || c == '#' || c == ':'))
			return false;
	}
	return true;
}

static bool
fields_ok(const struct sspr_shadow_fields *f)
{
	return field_ok(f->hash, false) && field_ok(f->lastchg, true);
}

int
sspr_journal_save(const char *state_dir, const char *user,
		  const struct sspr_journal *j)
{
	char path[PATH_MAX];
	char buf[JOURNAL_MAX_SIZE];
	size_t pos = 0;
	bool ok;
	int r;

	r = make_path(path, sizeof(path), state_dir, user, "", true);
	if (r < 0)
		return r;
	if (j->path >= SSPR_ARRAY_SIZE(path_names) ||
	    j->stage >= SSPR_ARRAY_SIZE(stage_names) || j->started <= 0 ||
	    !fields_ok(&j->old_local) ||
	    (j->has_new && !fields_ok(&j->new_local)) ||
	    (j->stage != SSPR_JOURNAL_PREPARED && !j->has_new))
		return -EINVAL;
	ok = sspr_kv_append(
	    buf, sizeof(buf), &pos,
	    "version = %d\npath = %s\nstage = %s\nstarted = %lld\n"
	    "old_hash = %s\nold_lastchg = %s\n",
	    SSPR_JOURNAL_VERSION, path_names[j->path], stage_names[j->stage],
	    (long long)j->started, j->old_local.hash, j->old_local.lastchg);
	if (ok && j->has_new)
		ok = sspr_kv_append(buf, sizeof(buf), &pos,
				    "new_hash = %s\nnew_lastchg = %s\n",
				    j->new_local.hash, j->new_local.lastchg);
	if (ok && j->sent != 0)
		ok = sspr_kv_append(buf, sizeof(buf), &pos, "sent = %lld\n",
				    (long long)j->sent);
	r = ok ? write_entry(state_dir, user, buf, pos) : -E2BIG;
	sspr_wipe(buf, sizeof(buf));
	return r;
}

struct load_ctx {
	struct sspr_journal *j;
	unsigned seen;
};

enum {
	K_VERSION = 1u << 0,
	K_PATH = 1u << 1,
	K_STAGE = 1u << 2,
	K_STARTED = 1u << 3,
	K_OLD_HASH = 1u << 4,
	K_OLD_LASTCHG = 1u << 5,
	K_NEW_HASH = 1u << 6,
	K_NEW_LASTCHG = 1u << 7,
	K_SENT = 1u << 8,
};

static int
pick(const char *const *names, size_t n, const char *value, unsigned *ret)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], value) == 0) {
			*ret = (unsigned)i;
			return 0;
		}
	return -EBADMSG;
}

static int
copy_field(char *dst, size_t size, const char *value, bool digits)
{
	if (strlen(value) >= size || !field_ok(value, digits))
		return -EBADMSG;
	sspr_strlcpy(dst, value, size);
	return 0;
}

static int
load_field(void *vctx, const char *key, const char *value, char *err,
	   size_t errlen)
{
	struct load_ctx *ctx = vctx;
	struct sspr_journal *j = ctx->j;
	unsigned long v;
	unsigned bit;
	int r;

	(void)err;
	(void)errlen;
	if (strcmp(key, "version") == 0)
		bit = K_VERSION;
	else if (strcmp(key, "path") == 0)
		bit = K_PATH;
	else if (strcmp(key, "stage") == 0)
		bit = K_STAGE;
	else if (strcmp(key, "started") == 0)
		bit = K_STARTED;
	else if (strcmp(key, "sent") == 0)
		bit = K_SENT;
	else if (strcmp(key, "old_hash") == 0)
		bit = K_OLD_HASH;
	else if (strcmp(key, "old_lastchg") == 0)
		bit = K_OLD_LASTCHG;
	else if (strcmp(key, "new_hash") == 0)
		bit = K_NEW_HASH;
	else if (strcmp(key, "new_lastchg") == 0)
		bit = K_NEW_LASTCHG;
	else
		return -EBADMSG;
	/* the version comes first, and every key once */
	if ((ctx->seen & bit) != 0 ||
	    ((ctx->seen & K_VERSION) == 0) != (bit == K_VERSION))
		return -EBADMSG;
	ctx->seen |= bit;
	switch (bit) {
	case K_VERSION:
		return sspr_parse_uint(value, SSPR_JOURNAL_VERSION,
				       SSPR_JOURNAL_VERSION, &v) < 0
			   ? -EBADMSG
			   : 0;
	case K_PATH:
		return pick(path_names, SSPR_ARRAY_SIZE(path_names), value,
			    &j->path);
	case K_STAGE:
		return pick(stage_names, SSPR_ARRAY_SIZE(stage_names), value,
			    &j->stage);
	case K_STARTED:
	case K_SENT:
		r = sspr_parse_uint(value, 1, LONG_MAX, &v);
		if (r < 0)
			return -EBADMSG;
		*(bit == K_SENT ? &j->sent : &j->started) = (time_t)v;
		return 0;
	case K_OLD_HASH:
		return copy_field(j->old_local.hash, sizeof(j->old_local.hash),
				  value, false);
	case K_OLD_LASTCHG:
		return copy_field(j->old_local.lastchg,
				  sizeof(j->old_local.lastchg), value, true);
	case K_NEW_HASH:
		return copy_field(j->new_local.hash, sizeof(j->new_local.hash),
				  value, false);
	default:
		return copy_field(j->new_local.lastchg,
				  sizeof(j->new_local.lastchg), value, true);
	}
}

int
sspr_journal_load(const char *state_dir, const char *user,
		  struct sspr_journal *j)
{
	const unsigned needed = K_VERSION | K_PATH | K_STAGE | K_STARTED |
				K_OLD_HASH | K_OLD_LASTCHG;
	struct load_ctx ctx = { .j = j };
	char path[PATH_MAX];
	char err[128];
	char *buf = NULL;
	size_t len = 0;
	unsigned line = 0;
	int r;

	memset(j, 0, sizeof(*j));
	r = make_path(path, sizeof(path), state_dir, user, "", true);
	if (r < 0)
		return r;
	r = sspr_store_user_read(path, JOURNAL_MAX_SIZE, &buf, &len);
	if (r < 0)
		return r;
	r = sspr_kv_parse(buf, len, load_field, &ctx, &line, err, sizeof(err));
	sspr_freezero(buf, len + 1);
	if (r < 0 && r != -ENOMEM)
		r = -EBADMSG;
	if (r == 0) {
		unsigned both = ctx.seen & (K_NEW_HASH | K_NEW_LASTCHG);

		j->has_new = both == (K_NEW_HASH | K_NEW_LASTCHG);
		/* what each stage needs to be finished; new fields in pairs */
		if ((ctx.seen & needed) != needed ||
		    (both != 0 && !j->has_new) ||
		    (j->stage != SSPR_JOURNAL_PREPARED && !j->has_new) ||
		    ((j->stage == SSPR_JOURNAL_SENDING ||
		      j->stage == SSPR_JOURNAL_UNCONFIRMED) &&
		     j->sent == 0))
			r = -EBADMSG;
	}
	if (r < 0)
		sspr_wipe(j, sizeof(*j));
	return r;
}

int
sspr_journal_remove(const char *state_dir, const char *user)
{
	char path[PATH_MAX];
	int r;

	r = make_path(path, sizeof(path), state_dir, user, "", false);
	if (r < 0)
		return r;
	return sspr_remove_durably(state_dir, path);
}

int
sspr_journal_remove_temps(const char *state_dir, const char *user)
{
	char path[PATH_MAX];
	int r;

	r = temp_path(path, sizeof(path), state_dir, user);
	if (r < 0)
		return r;
	return sspr_remove_durably(state_dir, path);
}

/* "j-<user>", or ".j-<user>.new" left by an interrupted write. */
static bool
journal_name(const char *entry, char *name, size_t size)
{
	const char *user = sspr_skip_prefix(entry, JOURNAL_PREFIX);
	size_t len;

	if (user == NULL) {
		user = sspr_skip_prefix(entry, "." JOURNAL_PREFIX);
		len = user != NULL ? strlen(user) : 0;
		if (len <= SSPR_LITERAL_LEN(TEMP_SUFFIX) ||
		    strcmp(user + len - SSPR_LITERAL_LEN(TEMP_SUFFIX),
			   TEMP_SUFFIX) != 0)
			return false;
		len -= SSPR_LITERAL_LEN(TEMP_SUFFIX);
	} else {
		len = strlen(user);
	}
	if (len >= size)
		return false;
	memcpy(name, user, len);
	name[len] = '\0';
	return true;
}

int
sspr_journal_list(const char *state_dir, char ***ret_names, size_t *ret_count)
{
	/* An entry and its leftover name the same user once. */
	return sspr_store_user_scan(state_dir, journal_name, ret_names,
				    ret_count);
}
