/*
 * What a per-user record holds (struct sspr_record) and its text: the
 * "key = value" lines of sspr.conf, version 1, documented in
 * sspr.conf(5). Keys are only ever added, so older records still load:
 * one written before the enrollment code had its own slot keeps its code
 * in the "code_*" keys with "code_purpose = enroll", and is read into
 * enroll_code. Where records live and how they are locked and written:
 * include/sspr/common/store.h.
 */
#ifndef SSPR_RECORD_H
#define SSPR_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define SSPR_STORE_VERSION 1
#define SSPR_STORE_MAX_SIZE (16 * 1024)

/*
 * A one-time code sent by email or text message, only its keyed hash, with the
 * sends it counts against. Reset and enrollment codes have a slot each, so that
 * asking for one never replaces, burns or delays the other.
 */
struct sspr_code_slot {
	char *hash;    /* hex HMAC-SHA256 */
	char *address; /* where it was sent: address or E.164 number */
	time_t expires;
	unsigned attempts_left;
	time_t sent;
	time_t sends_window_start; /* resend-per-hour accounting */
	unsigned sends_in_window;
};

struct sspr_record {
	/* registered methods */
	char *email;		 /* verified backup address */
	char *phone;		 /* verified mobile number, E.164 */
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
	 * When the methods were last registered or confirmed by the person
	 * (reconfirm_days); 0 in records older than the key: the sign-in
	 * that first sees one sets it to that time without asking.
	 */
	time_t confirmed_at;

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
 * Parse the text of a record (len bytes, ending in a newline) into *rec,
 * which is overwritten. 0, -ENOMEM, or -EBADMSG for anything a save
 * would not have written; on an error *rec is empty.
 */
int sspr_record_parse(const char *buf, size_t len, struct sspr_record *rec);

/*
 * The text of a record into buf: 0 with *ret_len, -EINVAL for values a
 * parse would refuse, -E2BIG when buf is too small.
 */
int sspr_record_format(const struct sspr_record *rec, char *buf, size_t size,
		       size_t *ret_len);

/* Number of registered methods among the SSPR_METHOD_* bits allowed. */
unsigned sspr_record_method_count(const struct sspr_record *rec,
				  unsigned allowed);

/*
 * reconfirm_days: are the registered methods (at least required of the
 * allowed ones) due to be confirmed again at now? 0 days: never. A
 * record without confirmed_at is due, so that the sign-in stamps it.
 */
bool sspr_record_reconfirm_due(const struct sspr_record *rec, unsigned allowed,
			       unsigned required, unsigned days, time_t now);

/* The slot of purpose "reset" or "enroll"; NULL for anything else. */
struct sspr_code_slot *sspr_record_code_slot(struct sspr_record *rec,
					     const char *purpose);

/* Drop a pending code (its send accounting stays). */
void sspr_code_slot_clear(struct sspr_code_slot *code);

/* Free (and wipe) everything the record owns; it is empty afterwards. */
void sspr_record_done(struct sspr_record *rec);

#endif
