/*
 * What the enrollment dialogues share (enroll.c) and nothing outside
 * them uses: the privilege hooks, the store in short locked steps, and
 * how a store error is told. The public interface is sspr/enroll/enroll.h.
 */
#ifndef SSPR_ENROLL_INTERNAL_H
#define SSPR_ENROLL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "sspr/common/config.h"
#include "sspr/common/store.h"
#include "sspr/common/ui.h"

/* The hooks of sspr_enroll_set_privilege_hooks(); 0 or -errno. */
int sspr_enroll_raise(void);
void sspr_enroll_lower(void);

/* Write the admin's log line (log may be NULL). */
void sspr_enroll_log(char *log, size_t loglen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Raise privileges, lock and load (a missing record is an empty one).
 * On success privileges stay up until sspr_enroll_record_close(), which
 * saves when save is true, unlocks and lowers them; *rec stays the
 * caller's to sspr_record_done().
 */
int sspr_enroll_record_open(const struct sspr_cfg *cfg, const char *user,
			    struct sspr_record *rec, int *ret_lock);
int sspr_enroll_record_close(const struct sspr_cfg *cfg, const char *user,
			     const struct sspr_record *rec, int lock,
			     bool save);

/* Read the record without changing it. */
int sspr_enroll_record_read(const struct sspr_cfg *cfg, const char *user,
			    struct sspr_record *rec);

/* A store error in words for the person. */
const char *sspr_enroll_store_problem(int r);

/*
 * Tell the person that nothing could be saved and why, and log "cannot
 * <what>: <why>".
 */
void sspr_enroll_store_failed(const struct sspr_ui *ui, int r, char *log,
			      size_t loglen, const char *what);

#endif
