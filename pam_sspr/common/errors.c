/*
 * One table of what a file or store error means, instead of a switch in
 * each place that reports one.
 */
#include "sspr/common/errors.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "sspr/common/i18n.h"
#include "sspr/common/safefile.h"

static const struct {
	enum sspr_err_about about;
	int err;
	const char *text;
} texts[] = {
	{ SSPR_ABOUT_FILE, -ENOENT, "file does not exist" },
	{ SSPR_ABOUT_FILE, -ELOOP, "file is a symbolic link" },
	{ SSPR_ABOUT_FILE, -EINVAL, "not an absolute path to a regular file" },
	{ SSPR_ABOUT_FILE, -EPERM,
	  "owner or mode too loose (must be owned by root, not writable by "
	  "others; secret files mode 0600)" },
	{ SSPR_ABOUT_FILE, -EFBIG, "file is too large" },
	{ SSPR_ABOUT_FILE, -EACCES, "permission denied" },
	/*
	 * TRANSLATORS: why the record of a user's methods (backup address,
	 * authenticator app) could not be read or written; shown after
	 * "Nothing could be saved: " and in "sspr status" and
	 * "sspr admin list".
	 */
	{ SSPR_ABOUT_RECORD, -EBADMSG,
	  N_("the record of this account is damaged") },
	/* also for the state directory, as "sspr admin list" reads it */
	{ SSPR_ABOUT_RECORD, -EPERM,
	  N_("the owner or permissions of the state directory or the record "
	     "are not safe") },
	{ SSPR_ABOUT_RECORD, -ETIMEDOUT,
	  N_("the record of this account is busy") },
	{ SSPR_ABOUT_RECORD, -EINVAL, N_("this account name cannot be used") },
};

const char *
sspr_strerror(enum sspr_err_about about, int err)
{
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (texts[i].about == about && texts[i].err == err)
			return about == SSPR_ABOUT_RECORD ? _(texts[i].text)
							  : texts[i].text;
	return strerror(-err);
}

const char *
sspr_store_strerror(int err)
{
	return sspr_strerror(SSPR_ABOUT_RECORD, err);
}

const char *
sspr_file_strerror(int err)
{
	return sspr_strerror(SSPR_ABOUT_FILE, err);
}
