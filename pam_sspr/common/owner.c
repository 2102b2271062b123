/*
 * The owner every trusted file and directory must have: root. Alone in
 * its file on purpose: a unit test that runs as an ordinary user links
 * its own sspr_trusted_uid() ahead of the archives, so this object is not
 * pulled in. The built module, library and command have no switch to
 * turn: the answer is fixed at link time.
 */
#include "sspr/common/safefile.h"

uid_t
sspr_trusted_uid(void)
{
	return 0;
}
