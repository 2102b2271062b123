/*
 * Per-user records under state_dir (default /var/lib/sspr): registered
 * methods, the pending one-time code (hashed), TOTP replay and failure
 * counters. Root-only; written atomically under a per-user lock. One
 * file per user named "u-<user>"; what it holds is in record.h.
 *
 * The journal (journal.h) keeps its per-user files beside the records
 * through the same paths, locks, reads and listing: the
 * sspr_store_user_*() functions below.
 */
#ifndef SSPR_STORE_H
#define SSPR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sspr/common/record.h"

#define SSPR_USER_MAX 64

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

/*
 * The per-user files of state_dir, for the records and the journal:
 * "<state_dir>/<prefix><user><suffix>" into buf. -EINVAL for no state_dir
 * or an unusable name, -ENAMETOOLONG; with check_dir, then the result of
 * sspr_store_check_dir().
 */
int sspr_store_user_path(char *buf, size_t size, const char *state_dir,
			 const char *prefix, const char *user,
			 const char *suffix, bool check_dir);

/*
 * The lock "<prefix><user>.lock" in a checked state_dir, waiting up to
 * wait_ms: as sspr_store_lock_path().
 */
int sspr_store_user_lock(const char *state_dir, const char *prefix,
			 const char *user, unsigned wait_ms);

/*
 * Read a root-only per-user file of at most max bytes. 0 with *ret_buf
 * (NUL-terminated; free with sspr_freezero(buf, len + 1)) and *ret_len;
 * -EBADMSG when it is too large, not a regular file, or does not end in
 * a newline (everything written ends in one: less was cut short); other
 * -errno.
 */
int sspr_store_user_read(const char *path, size_t max, char **ret_buf,
			 size_t *ret_len);

/*
 * Which user a directory entry belongs to: true with the user's name in
 * name (size bytes), false when the entry is none of the kind wanted.
 */
typedef bool (*sspr_store_name_fn)(const char *entry, char *name, size_t size);

/*
 * The users of state_dir that name_of() finds an entry of, each once,
 * sorted; free each name and the array. 0 or -errno.
 */
int sspr_store_user_scan(const char *state_dir, sspr_store_name_fn name_of,
			 char ***ret_names, size_t *ret_count);

/* The user names that have a record, for "sspr admin list". */
int sspr_store_list(const char *state_dir, char ***ret_names,
		    size_t *ret_count);

/* Free what sspr_store_list() or sspr_store_user_scan() returned. */
void sspr_store_names_free(char **names, size_t count);

#endif
