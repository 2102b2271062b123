/*
 * The one formatter of the errors the files and the store return: a
 * short text for each negative errno, by what the error was about.
 */
#ifndef SSPR_ERRORS_H
#define SSPR_ERRORS_H

enum sspr_err_about {
	/* a configuration, secret or key file (sspr_read_file) */
	SSPR_ABOUT_FILE,
	/* a user's record in the state directory (sspr/common/store.h) */
	SSPR_ABOUT_RECORD,
};

/*
 * A short text for err (negative errno), never NULL. File texts are
 * English, for the log and the administrator; record texts are
 * translated, since people see them too (enrollment, sspr status).
 */
const char *sspr_strerror(enum sspr_err_about about, int err);

/* sspr_strerror(SSPR_ABOUT_RECORD, err). */
const char *sspr_store_strerror(int err);

#endif
