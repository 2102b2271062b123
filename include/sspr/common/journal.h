/*
 * The journal of intent of a synced password change (a reset with
 * sync = required, or passwd with sync_on_passwd): written and fsynced
 * before the local password changes, updated at every stage, removed once
 * both sides agree. A process that dies half-way leaves it behind, and
 * reconciliation (include/sspr/change/reconcile.h) finishes the change from it.
 *
 * One file per user, "j-<user>" in state_dir, root-only, in the
 * "key = value" format of the store, written through ".j-<user>.new"; its
 * lock is "j-<user>.lock", held by whoever is changing that user's
 * password or reconciling it. It holds
 * the shadow fields a change replaces (the hash and the day of the last
 * change) before and after, never a password: the new hash is what
 * /etc/shadow itself holds, in a file as protected.
 */
#ifndef SSPR_JOURNAL_H
#define SSPR_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define SSPR_JOURNAL_VERSION 1
#define SSPR_SHADOW_HASH_MAX 256

/* The two fields of a shadow line a password change replaces. */
struct sspr_shadow_fields {
	char hash[SSPR_SHADOW_HASH_MAX]; /* field 2, as written */
	char lastchg[24];		 /* field 3, digits or empty */
};

enum sspr_journal_path { SSPR_JOURNAL_RESET, SSPR_JOURNAL_PASSWD };

enum sspr_journal_stage {
	/* old fields saved; the local change may have happened; nothing
	 * was sent to Microsoft 365 */
	SSPR_JOURNAL_PREPARED,
	/* the local password is the new one (new fields saved); the PATCH
	 * is being sent since "sent" */
	SSPR_JOURNAL_SENDING,
	/* Microsoft 365 refused: the old local fields are being put back */
	SSPR_JOURNAL_REFUSED,
	/* the answer was lost and not confirmed: the old local fields were
	 * put back, Microsoft 365 may still show the change */
	SSPR_JOURNAL_UNCONFIRMED,
};

struct sspr_journal {
	unsigned path;	/* enum sspr_journal_path */
	unsigned stage; /* enum sspr_journal_stage */
	time_t started; /* before the local change */
	time_t sent;	/* before the PATCH (stages SENDING, UNCONFIRMED) */
	struct sspr_shadow_fields old_local;
	struct sspr_shadow_fields new_local; /* from stage SENDING on */
	bool has_new;
};

/* Take the user's journal lock, waiting up to wait_ms; fd or -errno. */
int sspr_journal_lock(const char *state_dir, const char *user,
		      unsigned wait_ms);

/* Is there an entry, or a leftover of writing one? false on errors. */
bool sspr_journal_exists(const char *state_dir, const char *user);

/* Write the entry whole (temp file, fsync, rename, fsync dir). */
int sspr_journal_save(const char *state_dir, const char *user,
		      const struct sspr_journal *j);

/* 0, -ENOENT, -EBADMSG (damaged) or another -errno. */
int sspr_journal_load(const char *state_dir, const char *user,
		      struct sspr_journal *j);

/* Remove the entry (and fsync the directory); 0 when there was none. */
int sspr_journal_remove(const char *state_dir, const char *user);

/* Remove a leftover temporary copy; the caller holds the lock. */
int sspr_journal_remove_temps(const char *state_dir, const char *user);

/* Users with an entry, sorted; free each name and the array. */
int sspr_journal_list(const char *state_dir, char ***ret_names,
		      size_t *ret_count);

const char *sspr_journal_stage_name(unsigned stage);
const char *sspr_journal_path_name(unsigned path);

/* Are the two sets of fields the same? */
bool sspr_shadow_fields_eq(const struct sspr_shadow_fields *a,
			   const struct sspr_shadow_fields *b);

#endif
