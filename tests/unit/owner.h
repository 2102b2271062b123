/*
 * Include in a unit test that runs as an ordinary user: files and
 * directories of the user running the test are trusted as root's are in
 * production. This definition takes the place of common/owner.c at link
 * time; the built module and command always trust root only.
 *
 * test_trusted_uid set to another uid makes the test's own files look
 * foreign, which checks the owner test without chown (root only).
 */
#ifndef SSPR_TEST_OWNER_H
#define SSPR_TEST_OWNER_H

#include <unistd.h>

#include "check.h"

#include "sspr/common/safefile.h"

static uid_t test_trusted_uid = (uid_t)-1; /* -1: the test's own euid */

uid_t
sspr_trusted_uid(void)
{
	return test_trusted_uid != (uid_t)-1 ? test_trusted_uid : geteuid();
}

/*
 * Make path look owned by someone else, for as long as until
 * test_foreign_end(): as root a real chown to nobody, otherwise another
 * uid becomes the trusted one.
 */
static inline void
test_foreign_begin(const char *path)
{
	if (geteuid() == 0)
		CHECK(chown(path, 65534, 65534) == 0);
	else
		test_trusted_uid = geteuid() + 1;
}

static inline void
test_foreign_end(const char *path)
{
	if (geteuid() == 0)
		CHECK(chown(path, 0, 0) == 0);
	else
		test_trusted_uid = (uid_t)-1;
}

#endif
