/*
 * The local half of a reset: the host's own password stack sets the new
 * password (nested pam_chauthtok on cfg->passwd_service), and the previous
 * fields of the /etc/shadow line it replaces (hash, day of the last
 * change) are kept so the change can be undone when the Microsoft 365
 * half fails, and only that change.
 */
#include "sspr/change/local_password.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <shadow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <security/pam_appl.h>
#include <security/pam_modutil.h>

#include "sspr/common/safefile.h"
#include "sspr/common/util.h"

#define SHADOW_PATH "/etc/shadow"
#define SHADOW_TEMP_PREFIX ".sspr-shadow."
#define SHADOW_TEMP "/etc/" SHADOW_TEMP_PREFIX "XXXXXX"

static bool
is_user_line(const char *line, const char *user)
{
	size_t n = strlen(user);

	return strncmp(line, user, n) == 0 && line[n] == ':';
}

/* Split "user:hash:lastchg:..." into the two fields; -EBADMSG if short. */
static int
parse_fields(const char *line, size_t ulen, struct sspr_shadow_fields *ret)
{
	const char *hash = line + ulen + 1;
	const char *end = strchr(hash, ':');
	const char *day;
	const char *dend;

	if (end == NULL)
		return -EBADMSG;
	day = end + 1;
	dend = strchr(day, ':');
	if (dend == NULL)
		return -EBADMSG;
	if ((size_t)(end - hash) >= sizeof(ret->hash) ||
	    (size_t)(dend - day) >= sizeof(ret->lastchg))
		return -E2BIG;
	memcpy(ret->hash, hash, (size_t)(end - hash));
	ret->hash[end - hash] = '\0';
	memcpy(ret->lastchg, day, (size_t)(dend - day));
	ret->lastchg[dend - day] = '\0';
	return 0;
}

int
sspr_shadow_read(const char *user, struct sspr_shadow_fields *ret)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	int r = -ENOENT;

	memset(ret, 0, sizeof(*ret));
	f = fopen(SHADOW_PATH, "re");
	if (f == NULL)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		if (!is_user_line(line, user))
			continue;
		r = parse_fields(line, strlen(user), ret);
		break;
	}
	sspr_freezero(line, cap);
	fclose(f);
	return r;
}

/* Copy /etc/shadow into out, with the user's two fields replaced. */
static int
copy_with_fields(FILE *in, FILE *out, const char *user,
		 const struct sspr_shadow_fields *to)
{
	size_t ulen = strlen(user);
	char *line = NULL;
	size_t cap = 0;
	bool replaced = false;
	int r = 0;

	while (getline(&line, &cap, in) > 0) {
		const char *rest;

		if (!is_user_line(line, user)) {
			if (fputs(line, out) == EOF)
				r = -EIO;
		} else {
			/* the fields after the day of the last change */
			rest = strchr(line + ulen + 1, ':');
			rest = rest != NULL ? strchr(rest + 1, ':') : NULL;
			if (rest == NULL)
				r = -EBADMSG;
			else if (fprintf(out, "%s:%s:%s%s", user, to->hash,
					 to->lastchg, rest) < 0)
				r = -EIO;
			replaced = true;
		}
		if (r < 0)
			break;
	}
	sspr_freezero(line, cap);
	if (r == 0 && !replaced)
		r = -ENOENT;
	return r;
}

static int
rewrite_shadow(const char *user, const struct sspr_shadow_fields *to)
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
	r = copy_with_fields(in, out, user, to);
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
	/* A copy of every hash of the host: never left behind. */
	if (r < 0)
		unlink(temp);
	if (fd >= 0)
		close(fd);
	if (out != NULL)
		fclose(out);
	fclose(in);
	return r;
}

/*
 * What an interrupted writer of /etc/shadow left: our own copies, and
 * pam_unix's /etc/nshadow. Both are only ever written under lckpwdf,
 * which the caller holds, so whatever exists now belongs to nobody.
 */
static void
remove_leftovers(void)
{
	struct dirent *de;
	DIR *dir;
	bool removed = false;

	dir = opendir("/etc");
	if (dir == NULL)
		return;
	while ((de = readdir(dir)) != NULL)
		if ((sspr_skip_prefix(de->d_name, SHADOW_TEMP_PREFIX) != NULL ||
		     strcmp(de->d_name, "nshadow") == 0) &&
		    unlinkat(dirfd(dir), de->d_name, 0) == 0)
			removed = true;
	closedir(dir);
	if (removed)
		(void)sspr_fsync_dir("/etc");
}

int
sspr_shadow_sweep(void)
{
	if (lckpwdf() != 0)
		return -EBUSY;
	remove_leftovers();
	ulckpwdf();
	return 0;
}

int
sspr_shadow_swap(const char *user, const struct sspr_shadow_fields *from,
		 const struct sspr_shadow_fields *to)
{
	struct sspr_shadow_fields cur;
	int r;

	/* The same lock pam_unix and shadow-utils take. */
	if (lckpwdf() != 0)
		return -EBUSY;
	remove_leftovers();
	r = sspr_shadow_read(user, &cur);
	/* Someone else's change since is never undone. */
	if (r == 0 && !sspr_shadow_fields_eq(&cur, from))
		r = -ESTALE;
	if (r == 0)
		r = rewrite_shadow(user, to);
	ulckpwdf();
	sspr_wipe(&cur, sizeof(cur));
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

static const struct passwd *
host_account(pam_handle_t *pamh, const char *user)
{
	return pam_modutil_getpwnam(pamh, user);
}

static const struct spwd *
host_shadow(pam_handle_t *pamh, const char *user)
{
	return pam_modutil_getspnam(pamh, user);
}

const struct sspr_local_password sspr_local_password_host = {
	.account = host_account,
	.shadow = host_shadow,
	.set = sspr_local_password_set,
	.read = sspr_shadow_read,
	.swap = sspr_shadow_swap,
};
