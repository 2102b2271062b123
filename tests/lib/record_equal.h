/*
 * Field-by-field equality of two store records, shared by the unit test
 * and the fuzz harness so a new record field is compared in both.
 */
#ifndef SSPR_TEST_RECORD_EQUAL_H
#define SSPR_TEST_RECORD_EQUAL_H

#include <stdbool.h>
#include <string.h>

#include "sspr/common/store.h"

static inline bool
record_str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static inline bool
codes_equal(const struct sspr_code_slot *a, const struct sspr_code_slot *b)
{
	return record_str_eq(a->hash, b->hash) &&
	       record_str_eq(a->address, b->address) &&
	       a->expires == b->expires &&
	       a->attempts_left == b->attempts_left && a->sent == b->sent &&
	       a->sends_window_start == b->sends_window_start &&
	       a->sends_in_window == b->sends_in_window;
}

static inline bool
records_equal(const struct sspr_record *a, const struct sspr_record *b)
{
	return record_str_eq(a->email, b->email) &&
	       record_str_eq(a->phone, b->phone) &&
	       record_str_eq(a->totp_secret, b->totp_secret) &&
	       a->totp_algorithm == b->totp_algorithm &&
	       a->totp_digits == b->totp_digits &&
	       a->totp_period == b->totp_period &&
	       a->totp_last_step == b->totp_last_step &&
	       codes_equal(&a->reset_code, &b->reset_code) &&
	       codes_equal(&a->enroll_code, &b->enroll_code) &&
	       a->failures == b->failures &&
	       a->failure_first == b->failure_first &&
	       a->locked_until == b->locked_until &&
	       a->lockouts == b->lockouts &&
	       a->day_failures == b->day_failures &&
	       a->day_first == b->day_first &&
	       a->remind_after == b->remind_after &&
	       a->confirmed_at == b->confirmed_at &&
	       a->sync_pending == b->sync_pending &&
	       a->admin_request_sent == b->admin_request_sent;
}

#endif
