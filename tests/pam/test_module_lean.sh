#!/bin/bash
# The module libpam loads for every login exports only pam_sm_* and maps
# no libcurl, OpenSSL, cJSON or libqrencode until the reset branch is
# taken; sspr-flow.so exports only its table.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
need readelf nm pamtester
MODULE=$BUILD/pam_sspr.so
FLOW=$BUILD/pam_sspr/sspr-flow.so

exports=$(nm -D --defined-only "$MODULE" | awk '{print $3}' | sort | tr '\n' ' ')
check "module exports only pam_sm_*" \
	[ "$exports" = "pam_sm_authenticate pam_sm_chauthtok pam_sm_close_session pam_sm_open_session pam_sm_setcred " ]

needed=$(readelf -d "$MODULE" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
check "module needs only libpam and libc" [ "$needed" = "libc.so.6 libpam.so.0 " ]

flow_exports=$(nm -D --defined-only "$FLOW" | awk '{print $3}' | tr '\n' ' ')
check "flow library exports only its table" [ "$flow_exports" = "sspr_flow_api " ]
check "flow library carries the heavy libraries" \
	bash -c "readelf -d '$FLOW' | grep -q 'libcurl' && readelf -d '$FLOW' | grep -q 'libcrypto'"

sandbox_init
sandbox_add_user alice 'OldPass#1'

# Which shared objects does a login load? (ld.so reports each one.)
loaded_libs() {
	LD_DEBUG=files sandbox_run pamtester login alice authenticate 2>&1 |
		sed -n 's/.*file=\([^ ]*\).*generating link map.*/\1/p'
}
heavy='libcurl|libcrypto|libssl|libcjson|libqrencode|sspr-flow'

libs=$(printf 'OldPass#1\n' | loaded_libs)
check "correct password: module loaded" grep -q pam_sspr.so <<<"$libs"
check "correct password: nothing heavy loaded" bash -c "! grep -Eq '$heavy' <<<'$libs'"

libs=$(printf 'wrong\nn\n' | loaded_libs)
check "wrong password, no reset: nothing heavy loaded" bash -c "! grep -Eq '$heavy' <<<'$libs'"

libs=$(printf 'wrong\ny\n' | loaded_libs)
# loaded through the descriptor that was checked (/proc/self/fd/N)
check "reset branch loads sspr-flow.so and its libraries" \
	bash -c "grep -q '^/proc/self/fd/' <<<'$libs' && grep -q libcurl <<<'$libs'"
finish
