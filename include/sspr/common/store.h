/*
 * Per-user records under state_dir (default /var/lib/sspr): registered
 * methods, the pending one-time code (hashed), TOTP replay and failure
 * counters. Root-only; written atomically under a per-user lock.
 *
 * File format (version 1): the "key = value" lines of sspr.conf, one
 * file per user named "u-<user>". Documented in sspr.conf(5). Keys are
 * only ever added, so older records still load: one written before the
 * enrollment code had its own slot keeps its code in the "code_*" keys
 * with "code_purpose = enroll", and is read into enroll_code.
 */
#ifndef SSPR_STORE_H
#define SSPR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define SSPR_STORE_VERSION 1
#define SSPR_STORE_MAX_SIZE (16 * 1024)
#define SSPR_USER_MAX 64

/*
 * A one-time code sent by email, only its keyed hash, with the sends it
 * counts against. Reset and enrollment codes have a slot each, so that
 * asking for one never replaces, burns or delays the other.
 */
struct sspr_code_slot {
	char *hash;    /* hex HMAC-SHA256 */
	char *address; /* where it was sent */
	time_t expires;
	unsigned attempts_left;
	time_t sent;
	time_t sends_window_start; /* resend-per-hour accounting */
	unsigned sends_in_window;
};

struct sspr_record {
	/* registered methods */
	char *email;		 /* verified backup address */
	char *totp_secret;	 /* base32, no padding */
	unsigned totp_algorithm; /* enum sspr_totp_alg */
	unsigned totp_digits;
	unsigned totp_period;
	uint64_t totp_last_step; /* last accepted step: never again */

	/* pending one-time codes: "code_*" and "enroll_code_*" keys */
	struct sspr_code_slot reset_code;
	struct sspr_code_slot enroll_code;

	/* failed challenges and lockout */
	unsigned failures;
	time_t failure_first;
	time_t locked_until; /* also after it ended: when the last lock ends */
	unsigned lockouts;   /* lockouts in a row: each one is longer */
	unsigned day_failures; /* wrong codes in the 24 hours from day_first */
	time_t day_first;

	/* enrollment at sign-in: no reminder before this time */
	time_t remind_after;

	/*
	 * Left by earlier versions: a reset changed the local password at
	 * this time and had not heard back from Microsoft 365. Still read
	 * (and shown by "sspr admin show"), never set: the journal of intent
	 * (include/sspr/common/journal.h) took its place.
	 */
	time_t sync_pending;

	/* the last reset request mailed to the administrator (one an hour) */
	time_t admin_request_sent;
};

/*
 * Is name usable as a record name? Letters, digits, '.', '_', '-', '@',
 * not starting with '.' or '-', 1..SSPR_USER_MAX bytes.
 */
bool sspr_store_name_ok(const char *user);

/* Check that state_dir is a root-owned directory others cannot write. */
int sspr_store_check_dir(const char *state_dir);

/*
 * Load a user's record. Returns 0; -ENOENT when the user has none (*rec
 * is then empty); -EBADMSG for a corrupted record; -EPERM for loose
 * ownership or mode; -EINVAL for an unusable name; other -errno.
 */
int sspr_store_load(const char *state_dir, const char *user,
		    struct sspr_record *rec);

/* Replace the user's record atomically (temp file, fsync, rename). */
int sspr_store_save(const char *state_dir, const char *user,
		    const struct sspr_record *rec);

/* Remove the user's record entirely; 0 when there was none. */
int sspr_store_remove(const char *state_dir, const char *user);

/*
 * Take the per-user lock (waits a few seconds at most, -ETIMEDOUT).
 * Returns a file descriptor to hand to sspr_store_unlock().
 */
int sspr_store_lock(const char *state_dir, const char *user);
void sspr_store_unlock(int fd);

/*
 * The same kind of lock on any root-only file path (created 0600): waits
 * up to wait_ms (0: not at all), then -ETIMEDOUT. A descriptor to hand to
 * sspr_store_unlock(); the kernel drops the lock when the process dies.
 */
int sspr_store_lock_path(const char *path, unsigned wait_ms);

/*
 * Remove what an interrupted sspr_write_file_atomic() of state_dir/name
 * left behind (".<name>.XXXXXX"). Only while holding the lock that every
 * writer of name holds. The number removed, or -errno.
 */
int sspr_store_remove_temps(const char *state_dir, const char *name);

/*
 * The same for every user's record in state_dir, each under that user's
 * lock (for "sspr admin reconcile"); 0 or -errno.
 */
int sspr_store_sweep_all(const char *state_dir);

/*
 * One read-modify-write step: take the user's lock, then load the record,
 * a missing record being an empty one. *rec is overwritten, so pass an
 * empty one. 0 with *ret_lock for sspr_store_close_locked(); else
 * nothing is held, *rec is empty, and the error is one of
 * sspr_store_lock() or sspr_store_load() (never -ENOENT).
 */
int sspr_store_open_locked(const char *state_dir, const char *user,
			   struct sspr_record *rec, int *ret_lock);

/*
 * End the step: save *rec when save is true, then release the lock (also
 * when saving failed). *rec stays the caller's to sspr_record_done().
 * 0, or the error of sspr_store_save().
 */
int sspr_store_close_locked(const char *state_dir, const char *user,
			    const struct sspr_record *rec, int lock, bool save);

/* Number of registered methods among the SSPR_METHOD_* bits allowed. */
unsigned sspr_record_method_count(const struct sspr_record *rec,
				  unsigned allowed);

/* The slot of purpose "reset" or "enroll"; NULL for anything else. */
struct sspr_code_slot *sspr_record_code_slot(struct sspr_record *rec,
					     const char *purpose);

/* Drop a pending code (its send accounting stays). */
void sspr_code_slot_clear(struct sspr_code_slot *code);

/* Free (and wipe) everything the record owns; it is empty afterwards. */
void sspr_record_done(struct sspr_record *rec);

/* The user names that have a record, for "sspr admin list". */
int sspr_store_list(const char *state_dir, char ***ret_names,
		    size_t *ret_count);

#endif
