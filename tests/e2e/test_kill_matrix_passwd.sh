#!/bin/bash
# Both or neither, even when the process dies (issue 9): passwd with
# sync_on_passwd, killed with SIGKILL at every state-changing system call
# from the first write of its journal of intent on, for each answer of
# Microsoft 365 to the PATCH (accepted, refused with 403, lost without
# being applied, lost after being applied); after each kill the next run
# reconciles and both passwords agree (tests/lib/killmatrix.sh).
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
. "$TESTS_DIR/lib/m365.sh"
. "$TESTS_DIR/lib/killmatrix.sh"

km_init paul
km_outcomes passwd paul
km_journal_first passwd-accepted
check "passwd: the new password is in no journal and no log" \
	not grep -rqF -e "$KM_NEW" "$SB/state" "$SB/syslog"
finish
