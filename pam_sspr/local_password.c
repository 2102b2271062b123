/*
 * The local half of a reset: the host's own password stack sets the new
 * password (nested pam_chauthtok on cfg->passwd_service), and the previous
 * /etc/shadow line is kept so the change can be undone exactly when the
 * Microsoft 365 half fails.
 */
#include "sspr/local_password.h"

#include <errno.h>
#include <fcntl.h>
#include <shadow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "sspr/safefile.h"
#include "sspr/util.h"

#define SHADOW_PATH "/etc/shadow"
#define SHADOW_TEMP "/etc/.sspr-shadow.XXXXXX"

static bool
is_user_line(const char *line, const char *user)
{
	size_t n = strlen(user);

	return strncmp(line, user, n) == 0 && line[n] == ':';
}

int
sspr_shadow_backup(const char *user, struct sspr_shadow_backup *ret)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int r = -ENOENT;

	ret->line = NULL;
	f = fopen(SHADOW_PATH, "re");
	if (f == NULL)
		return -errno;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (!is_user_line(line, user))
			continue;
		ret->line = sspr_strdup(line);
		r = ret->line != NULL ? 0 : -ENOMEM;
		break;
	}
	sspr_freezero(line, cap);
	fclose(f);
	return r;
}

void
sspr_shadow_backup_done(struct sspr_shadow_backup *backup)
{
	sspr_free_secret(backup->line);
	backup->line = NULL;
}

/* Copy /etc/shadow into out, with the user's line replaced. */
static int
copy_with_line(FILE *in, FILE *out, const char *user, const char *saved)
{
	char *line = NULL;
	size_t cap = 0;
	bool replaced = false;
	int r = 0;

	while (getline(&line, &cap, in) > 0) {
		const char *text = line;

		if (is_user_line(line, user)) {
			text = saved;
			replaced = true;
		}
		if (fputs(text, out) == EOF) {
			r = -EIO;
			break;
		}
	}
	sspr_freezero(line, cap);
	if (r == 0 && !replaced)
		r = -ENOENT;
	return r;
}

static int
rewrite_shadow(const char *user, const char *saved)
{
	char temp[] = SHADOW_TEMP;
	struct stat st;
	FILE *in = NULL;
	FILE *out = NULL;
	int fd = -1;
	int r;

	in = fopen(SHADOW_PATH, "re");
	if (in == NULL)
		return -errno;
	if (fstat(fileno(in), &st) != 0) {
		r = -errno;
		goto out;
	}
	fd = mkostemp(temp, O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	if (fchown(fd, st.st_uid, st.st_gid) != 0 ||
	    fchmod(fd, st.st_mode & 07777) != 0) {
		r = -errno;
		goto out;
	}
	out = fdopen(fd, "w");
	if (out == NULL) {
		r = -errno;
		goto out;
	}
	fd = -1;
	r = copy_with_line(in, out, user, saved);
	if (r == 0 && (fflush(out) != 0 || fsync(fileno(out)) != 0))
		r = -errno;
	if (fclose(out) != 0 && r == 0)
		r = -errno;
	out = NULL;
	if (r == 0 && rename(temp, SHADOW_PATH) != 0)
		r = -errno;
	/* The rename itself must reach the disk before we say "restored". */
	if (r == 0)
		r = sspr_fsync_dir("/etc");
out:
	if (r < 0)
		unlink(temp);
	if (fd >= 0)
		close(fd);
	if (out != NULL)
		fclose(out);
	fclose(in);
	return r;
}

int
sspr_shadow_restore(const char *user, const struct sspr_shadow_backup *backup)
{
	int r;

	if (backup->line == NULL)
		return -EINVAL;
	/* The same lock pam_unix and shadow-utils take. */
	if (lckpwdf() != 0)
		return -EBUSY;
	r = rewrite_shadow(user, backup->line);
	ulckpwdf();
	return r;
}

struct nested_talk {
	const char *password;
	char *msg;
	size_t msglen;
	size_t used;
	bool objected; /* the stack said something was wrong */
};

/* Keep what the stack says (e.g. pam_pwquality's reason), once each. */
static void
remember(struct nested_talk *talk, const char *text)
{
	int n;

	if (text == NULL || talk->used >= talk->msglen ||
	    strstr(talk->msg, text) != NULL)
		return;
	n = snprintf(talk->msg + talk->used, talk->msglen - talk->used, "%s%s",
		     talk->used > 0 ? "\n" : "", text);
	if (n > 0)
		talk->used += (size_t)n;
}

static void
drop_responses(struct pam_response *resp, int n)
{
	int i;

	for (i = 0; i < n; i++)
		sspr_free_secret(resp[i].resp);
	free(resp);
}

/* Answers every hidden prompt ("New password:", "Retype ...") with it. */
static int
nested_conv(int n, const struct pam_message **msgs,
	    struct pam_response **ret_resp, void *data)
{
	struct nested_talk *talk = data;
	struct pam_response *resp;
	int i;

	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	resp = calloc((size_t)n, sizeof(*resp));
	if (resp == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		switch (msgs[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
			/*
			 * Run by root, pam_pwquality and pam_unix only warn
			 * about a weak password and then ask again. The person
			 * resetting is not root: a warning is a refusal, so
			 * the next question is not answered and nothing is
			 * changed.
			 */
			if (talk->objected) {
				drop_responses(resp, n);
				return PAM_CONV_ERR;
			}
			resp[i].resp = sspr_strdup(talk->password);
			if (resp[i].resp == NULL) {
				drop_responses(resp, n);
				return PAM_BUF_ERR;
			}
			break;
		case PAM_ERROR_MSG:
			talk->objected = true;
			remember(talk, msgs[i]->msg);
			break;
		case PAM_TEXT_INFO:
			remember(talk, msgs[i]->msg);
			break;
		default:
			/* A visible question we cannot answer for the user. */
			drop_responses(resp, n);
			return PAM_CONV_ERR;
		}
	}
	*ret_resp = resp;
	return PAM_SUCCESS;
}

int
sspr_local_password_set(const struct sspr_cfg *cfg, const char *user,
			const char *password, char *msg, size_t msglen)
{
	struct nested_talk talk = {
		.password = password,
		.msg = msg,
		.msglen = msglen,
	};
	struct pam_conv conv = { nested_conv, &talk };
	pam_handle_t *nested = NULL;
	int rv;

	if (msglen > 0)
		msg[0] = '\0';
	rv = pam_start(cfg->passwd_service, user, &conv, &nested);
	if (rv != PAM_SUCCESS)
		return -EIO;
	rv = pam_chauthtok(nested, 0);
	if (rv != PAM_SUCCESS && talk.used == 0)
		remember(&talk, pam_strerror(nested, rv));
	pam_end(nested, rv);
	return rv == PAM_SUCCESS ? 0 : -EPERM;
}

const struct sspr_local_password sspr_local_password_host = {
	.set = sspr_local_password_set,
	.backup = sspr_shadow_backup,
	.restore = sspr_shadow_restore,
};
