/*
 * The sspr command's privileges and process hygiene. Installed setuid
 * root, it runs as its caller and raises its effective uid to root only
 * around the steps that need it.
 */
#ifndef SSPR_CMD_PRIV_H
#define SSPR_CMD_PRIV_H

#include <sys/types.h>

/*
 * Keep the saved uid 0 so that priv_raise() works, run as the caller
 * otherwise. 0, or -EPERM when not installed setuid root.
 */
int priv_init(void);

/* Effective root, or the end of the program: 0 (the hook's shape). */
int priv_raise(void);

/* Back to the caller's ids, or the end of the program. */
void priv_lower(void);

/* The real uid that started the program (valid after priv_init()). */
uid_t priv_caller_uid(void);

/* Keep TERM, LANG and LC_* with plain values; drop everything else. */
void sanitize_environment(void);

/* Make sure 0, 1 and 2 are open, so no file we open lands there. */
int sanitize_fds(void);

#endif
