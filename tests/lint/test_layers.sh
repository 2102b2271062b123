#!/bin/bash
# The layout is the design: each folder of pam_sspr/ is a layer, and no
# object uses one above it (tests/lint/layers.py has the order), nor do
# objects use each other in a cycle. The module's promise to stay lean is
# the bottom of that order; the code of "sspr admin test" belongs to the
# command, not to the library logins load.
. "$(dirname "$0")/../lib/lib.sh"
need nm
out=$(/usr/bin/python3 "$TESTS_DIR/lint/layers.py" "$BUILD/obj" "$SRC_DIR")
check "no object uses a folder above its own, no objects use each other in a cycle" [ -z "$out" ]
[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/    /'
check "the flow library holds no code of the command" \
	bash -c "! nm '$BUILD/pam_sspr/sspr-flow.so' | grep -Eq ' (sspr_admin_test|sspr_tty_)'"
finish
