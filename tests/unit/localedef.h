/*
 * For the unit tests that need a locale the machine may not have
 * generated: build it with localedef into a private directory and point
 * LOCPATH at it, so nothing outside the test changes.
 */
#ifndef SSPR_TEST_LOCALEDEF_H
#define SSPR_TEST_LOCALEDEF_H

#include <stdio.h>
#include <stdlib.h>

/*
 * mkdtemp(dir), then "localedef -i input -f charset dir/name" and
 * LOCPATH=dir. 0, or -1 when the directory or the locale cannot be made.
 */
static inline int
test_localedef(char *dir, const char *input, const char *charset,
	       const char *name)
{
	char cmd[512];

	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "localedef -i %s -f %s %s/%s >/dev/null 2>&1", input, charset,
		 dir, name);
	if (system(cmd) != 0)
		return -1;
	setenv("LOCPATH", dir, 1);
	return 0;
}

#endif
