/*
 * sspr admin unlock USER: the end of a reset lockout, and what
 * pam_faillock (which this command leaves alone) still holds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sspr/auth/ratelimit.h"
#include "sspr/cmd/admin.h"
#include "sspr/cmd/output.h"
#include "sspr/cmd/priv.h"
#include "sspr/cmd/verbs.h"
#include "sspr/common/errors.h"
#include "sspr/common/i18n.h"
#include "sspr/common/store.h"
#include "sspr/common/util.h"
#include "sspr/reset/reset.h"

#define FAILLOCK_PATH "/usr/sbin/faillock"

/*
 * The failed sign-ins pam_faillock holds for user that still count
 * (faillock marks them "V"), or -errno. Run without a shell and with an
 * empty environment, as the reset runs it.
 */
static int
faillock_count(const char *user)
{
	const char *argv[] = {
		FAILLOCK_PATH, "--user", user, NULL, NULL, NULL
	};
	char *const envp[] = { NULL };
	char dir[512];
	char line[512];
	unsigned count = 0;
	int status;
	int fds[2];
	FILE *f;
	pid_t pid;

	if (sspr_faillock_setting("dir", dir, sizeof(dir)) && dir[0] == '/') {
		argv[3] = "--dir";
		argv[4] = dir;
	}
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid == 0) {
		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(127);
		execve(FAILLOCK_PATH, (char *const *)argv, envp);
		_exit(127);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return -EAGAIN;
	}
	f = fdopen(fds[0], "r");
	if (f == NULL) {
		close(fds[0]);
	} else {
		/* "When Type Source Valid" rows; the last word is V or I. */
		while (fgets(line, sizeof(line), f) != NULL) {
			size_t n = strcspn(line, "\n");

			while (n > 0 && sspr_ascii_space(line[n - 1]))
				n--;
			if (n >= 2 && line[n - 1] == 'V' &&
			    sspr_ascii_space(line[n - 2]))
				count++;
		}
		fclose(f);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -EIO;
	return (int)count;
}

/* Whether pam_faillock, which this command leaves alone, locks user. */
static void
print_faillock(const char *user)
{
	char deny_text[16] = "3"; /* pam_faillock's default */
	unsigned long deny;
	char *end;
	int n;

	if (access(FAILLOCK_PATH, X_OK) != 0)
		return;
	(void)sspr_faillock_setting("deny", deny_text, sizeof(deny_text));
	errno = 0;
	deny = strtoul(deny_text, &end, 10);
	if (errno != 0 || *end != '\0')
		deny = 3;
	n = faillock_count(user);
	if (n < 0)
		printf(_("Could not ask pam_faillock about %s (%s).\n"), user,
		       strerror(-n));
	else if (deny > 0 && (unsigned long)n >= deny)
		printf(_("pam_faillock still locks %s (failed sign-ins that "
			 "count: %d, deny = %lu). \"faillock --user %s "
			 "--reset\" unlocks it.\n"),
		       user, n, deny, user);
	else if (n > 0)
		printf(_("pam_faillock does not lock %s (failed sign-ins that "
			 "count: %d, deny = %lu).\n"),
		       user, n, deny);
	else
		printf(_("pam_faillock holds no failed sign-ins of %s.\n"),
		       user);
}

/* sspr admin unlock USER: reset may be tried again at once. */
int
cmd_admin_unlock(struct ctx *c, const struct admin_call *a)
{
	const char *user = a->user;
	struct sspr_record rec = { 0 };
	bool locked = false;
	bool counted = false;
	int lock;
	int r;

	r = priv_raise();
	if (r < 0)
		return EXIT_FAIL;
	r = sspr_store_open_locked(c->cfg.state_dir, user, &rec, &lock);
	if (r == 0) {
		locked = sspr_is_locked(&rec, time(NULL));
		counted = rec.failures != 0 || rec.locked_until != 0 ||
			  rec.lockouts != 0 || rec.day_failures != 0;
		sspr_clear_failures(&rec);
		/* An empty record is not created just to be cleared. */
		r = sspr_store_close_locked(c->cfg.state_dir, user, &rec, lock,
					    counted);
	}
	sspr_record_done(&rec);
	priv_lower();
	if (r < 0) {
		fail(_("cannot change the record of %s: %s"), user,
		     sspr_store_strerror(r));
		return EXIT_FAIL;
	}
	if (counted)
		syslog(LOG_AUTHPRIV | LOG_NOTICE,
		       "root cleared the reset lockout and failures of '%s'%s",
		       user, locked ? " (it was locked)" : "");
	printf(locked	 ? _("Password reset of %s is unlocked.\n")
	       : counted ? _("Password reset of %s was not locked; its failed "
			     "attempts are forgotten.\n")
			 : _("Password reset of %s was not locked.\n"),
	       user);
	print_faillock(user);
	return EXIT_OK;
}
