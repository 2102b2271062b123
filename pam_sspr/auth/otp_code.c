/*
 * One-time codes sent by email. The code itself lives only in the mail
 * and in the caller's hands; the record keeps an HMAC-SHA256 of it under
 * a host key (<state_dir>/code.key), bound to the user and the purpose,
 * so a stolen record neither reveals a code nor lets one be reused for
 * another user or another purpose.
 */
#include "sspr/auth/otp_code.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "sspr/common/safefile.h"
#include "sspr/common/util.h"

#define HOST_KEY_NAME "code.key"
#define HOST_KEY_BYTES 32
#define HASH_HEX_LEN 64
#define CODE_MIN 6
#define CODE_MAX 8
#define PURPOSE_MAX 16
#define SEND_WINDOW 3600 /* resend_per_hour counts per hour */

/* Domain separation: the host key hashes nothing else. */
static const char hash_label[] = "sspr-code-v1";

/*
 * Make a key file if there is none. It is written completely under a
 * temporary name and then link()ed into place, which fails if another
 * process got there first: nobody can ever read a half-written key.
 */
static int
create_host_key(const char *path)
{
	uint8_t key[HOST_KEY_BYTES];
	int r;

	if (RAND_bytes(key, sizeof(key)) != 1) {
		sspr_wipe(key, sizeof(key));
		return -EIO;
	}
	r = sspr_write_file_atomic(path, key, sizeof(key), 0600,
				   SSPR_WRITE_NOREPLACE);
	if (r == -EEXIST)
		r = 0;
	sspr_wipe(key, sizeof(key));
	return r;
}

static int
read_host_key(const char *path, uint8_t key[HOST_KEY_BYTES])
{
	struct stat st;
	size_t got = 0;
	int fd;
	int r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0)
		return -errno;
	r = sspr_check_fd(fd, SSPR_FILE_SECRET);
	if (r < 0)
		goto out;
	if (fstat(fd, &st) != 0) {
		r = -errno;
		goto out;
	}
	if (st.st_size != HOST_KEY_BYTES) {
		r = -EBADMSG;
		goto out;
	}
	while (got < HOST_KEY_BYTES) {
		ssize_t n = read(fd, key + got, HOST_KEY_BYTES - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EBADMSG;
			goto out;
		}
		got += (size_t)n;
	}
	r = 0;
out:
	close(fd);
	if (r < 0)
		sspr_wipe(key, HOST_KEY_BYTES);
	return r;
}

static int
host_key(const char *state_dir, uint8_t key[HOST_KEY_BYTES])
{
	char path[PATH_MAX];
	int n;
	int r;

	r = sspr_store_check_dir(state_dir);
	if (r < 0)
		return r;
	n = snprintf(path, sizeof(path), "%s/" HOST_KEY_NAME, state_dir);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	r = read_host_key(path, key);
	if (r != -ENOENT)
		return r;
	r = create_host_key(path);
	if (r < 0)
		return r;
	return read_host_key(path, key);
}

/* hex(HMAC-SHA256(key, label NUL user NUL purpose NUL code)) */
static int
code_hash(const char *state_dir, const char *user, const char *purpose,
	  const char *code, char out[HASH_HEX_LEN + 1])
{
	uint8_t key[HOST_KEY_BYTES];
	unsigned char md[EVP_MAX_MD_SIZE];
	/* label, user, purpose and code, each with its NUL */
	char msg[sizeof(hash_label) + SSPR_USER_MAX + 1 + PURPOSE_MAX + 1 +
		 CODE_MAX + 1];
	unsigned int md_len = 0;
	size_t len = 0;
	const char *parts[] = { hash_label, user, purpose, code };
	unsigned i;
	int r;

	for (i = 0; i < SSPR_ARRAY_SIZE(parts); i++) {
		size_t n = strlen(parts[i]) + 1;

		if (n > sizeof(msg) - len)
			return -EINVAL;
		memcpy(msg + len, parts[i], n);
		len += n;
	}
	r = host_key(state_dir, key);
	if (r < 0)
		goto out;
	r = -EIO;
	if (HMAC(EVP_sha256(), key, sizeof(key), (const unsigned char *)msg,
		 len, md, &md_len) == NULL ||
	    md_len * 2 != HASH_HEX_LEN)
		goto out;
	sspr_hex_encode(md, md_len, out);
	r = 0;
out:
	sspr_wipe(key, sizeof(key));
	sspr_wipe(md, sizeof(md));
	sspr_wipe(msg, sizeof(msg));
	return r;
}

/* Seconds since t, 0 when the clock went back. */
static time_t
elapsed(time_t now, time_t t)
{
	return now > t ? now - t : 0;
}

/* 0 when the slot's code can be tried, else why not. */
static int
slot_state(const struct sspr_code_slot *code, time_t now)
{
	if (code->hash == NULL)
		return -ENOENT;
	if (now >= code->expires)
		return -ETIMEDOUT;
	if (code->attempts_left == 0)
		return -EMLINK;
	return 0;
}

static const struct sspr_code_slot *
const_slot(const struct sspr_record *rec, const char *purpose)
{
	return sspr_record_code_slot((struct sspr_record *)rec, purpose);
}

int
sspr_code_may_send(const struct sspr_cfg *cfg, const struct sspr_record *rec,
		   const char *purpose, time_t now, unsigned *ret_wait)
{
	const struct sspr_code_slot *code = const_slot(rec, purpose);
	time_t wait = 0;

	if (code == NULL)
		return -EINVAL;
	/*
	 * The interval keeps a code that can still be typed from being
	 * replaced at once; a used, expired or unsent one delays nothing.
	 */
	if (slot_state(code, now) == 0 && code->sent != 0 &&
	    cfg->resend_interval > 0) {
		time_t e = elapsed(now, code->sent);

		if (e < (time_t)cfg->resend_interval)
			wait = (time_t)cfg->resend_interval - e;
	}
	if (code->sends_window_start != 0 &&
	    code->sends_in_window >= cfg->resend_per_hour) {
		time_t e = elapsed(now, code->sends_window_start);

		if (e < SEND_WINDOW && SEND_WINDOW - e > wait)
			wait = SEND_WINDOW - e;
	}
	if (wait == 0)
		return 0;
	if (ret_wait != NULL)
		*ret_wait = (unsigned)wait;
	return -EAGAIN;
}

/* Give back the send of a code that is gone for good. */
static void
refund_send(struct sspr_code_slot *code)
{
	code->sent = 0;
	if (code->sends_in_window > 0)
		code->sends_in_window--;
}

void
sspr_code_unsent(struct sspr_record *rec, const char *purpose,
		 const char *address)
{
	struct sspr_code_slot *code = sspr_record_code_slot(rec, purpose);

	if (code == NULL || code->hash == NULL || code->address == NULL ||
	    address == NULL || strcmp(code->address, address) != 0)
		return;
	sspr_code_slot_clear(code);
	refund_send(code);
}

/* Uniform decimal digits: bytes >= 250 are thrown away, not folded. */
static int
random_digits(char *out, unsigned n)
{
	unsigned char pool[32];
	size_t used = sizeof(pool);
	unsigned i = 0;

	while (i < n) {
		if (used == sizeof(pool)) {
			if (RAND_bytes(pool, sizeof(pool)) != 1) {
				sspr_wipe(pool, sizeof(pool));
				return -EIO;
			}
			used = 0;
		}
		if (pool[used] < 250)
			out[i++] = (char)('0' + pool[used] % 10);
		used++;
	}
	out[n] = '\0';
	sspr_wipe(pool, sizeof(pool));
	return 0;
}

static bool
purpose_ok(const char *purpose)
{
	const char *p;

	if (purpose == NULL || *purpose == '\0' ||
	    strlen(purpose) > PURPOSE_MAX)
		return false;
	for (p = purpose; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
			return false;
	return true;
}

int
sspr_code_issue(const struct sspr_cfg *cfg, struct sspr_record *rec,
		const char *user, const char *purpose, const char *address,
		time_t now, char **ret_code)
{
	char code[CODE_MAX + 1];
	char hash[HASH_HEX_LEN + 1];
	struct sspr_code_slot *slot = sspr_record_code_slot(rec, purpose);
	char *new_hash = NULL;
	char *new_address = NULL;
	char *out = NULL;
	int r;

	if (slot == NULL || cfg->code_length < CODE_MIN ||
	    cfg->code_length > CODE_MAX || cfg->code_lifetime == 0 ||
	    cfg->code_attempts == 0 || cfg->state_dir == NULL ||
	    !sspr_store_name_ok(user) || !purpose_ok(purpose) ||
	    address == NULL || now <= 0)
		return -EINVAL;
	/* The caller asks first; this only makes sure. */
	r = sspr_code_may_send(cfg, rec, purpose, now, NULL);
	if (r < 0)
		return r;
	r = random_digits(code, cfg->code_length);
	if (r < 0)
		goto out;
	r = code_hash(cfg->state_dir, user, purpose, code, hash);
	if (r < 0)
		goto out;
	r = -ENOMEM;
	new_hash = sspr_strdup(hash);
	new_address = sspr_strdup(address);
	out = sspr_strdup(code);
	if (new_hash == NULL || new_address == NULL || out == NULL)
		goto out;

	sspr_code_slot_clear(slot);
	slot->hash = new_hash;
	slot->address = new_address;
	new_hash = new_address = NULL;
	slot->expires = now + (time_t)cfg->code_lifetime;
	slot->attempts_left = cfg->code_attempts;
	slot->sent = now;
	if (slot->sends_window_start == 0 || now < slot->sends_window_start ||
	    now - slot->sends_window_start >= SEND_WINDOW) {
		slot->sends_window_start = now;
		slot->sends_in_window = 1;
	} else {
		slot->sends_in_window++;
	}
	*ret_code = out;
	out = NULL;
	r = 0;
out:
	sspr_free_secret(new_hash);
	free(new_address);
	sspr_free_secret(out);
	sspr_wipe(code, sizeof(code));
	sspr_wipe(hash, sizeof(hash));
	return r;
}

/* 0 when a code for purpose can be tried, else why not. */
static int
code_state(const struct sspr_record *rec, const char *purpose, time_t now)
{
	const struct sspr_code_slot *code = const_slot(rec, purpose);

	if (code == NULL)
		return -ENOENT;
	return slot_state(code, now);
}

/* A yes/no question: 1 when a code is pending, 0 when not. */
int
sspr_code_pending(const struct sspr_record *rec, const char *purpose,
		  time_t now)
{
	return code_state(rec, purpose, now) == 0 ? 1 : 0;
}

int
sspr_code_verify(const struct sspr_cfg *cfg, struct sspr_record *rec,
		 const char *user, const char *purpose, const char *typed,
		 time_t now)
{
	struct sspr_code_slot *slot = sspr_record_code_slot(rec, purpose);
	char code[CODE_MAX + 1];
	char hash[HASH_HEX_LEN + 1];
	bool well_formed;
	int r;

	if (slot == NULL || typed == NULL || cfg->state_dir == NULL ||
	    !sspr_store_name_ok(user))
		return -EINVAL;
	r = code_state(rec, purpose, now);
	if (r < 0)
		return r;
	if (strlen(slot->hash) != HASH_HEX_LEN)
		return -EBADMSG;
	/*
	 * The length is the configured one; a code issued before the
	 * length changed simply no longer matches.
	 */
	well_formed = cfg->code_length >= CODE_MIN &&
		      cfg->code_length <= CODE_MAX &&
		      sspr_normalize_code(typed, cfg->code_length, code) == 0;
	if (!well_formed)
		/* Hash something anyway so the timing does not tell. */
		sspr_strlcpy(code, "-", sizeof(code));
	r = code_hash(cfg->state_dir, user, purpose, code, hash);
	if (r < 0)
		goto out;
	if (well_formed && sspr_consttime_eq(hash, slot->hash, HASH_HEX_LEN)) {
		/* single use; a code typed back delays no other */
		sspr_code_slot_clear(slot);
		refund_send(slot);
		r = 0;
	} else {
		slot->attempts_left--;
		r = -EACCES;
	}
out:
	sspr_wipe(code, sizeof(code));
	sspr_wipe(hash, sizeof(hash));
	return r;
}
