# Shared shell helpers for pam_sspr tests.  Source it; every test prints
# "PASS: name" / "FAIL: name" lines that tests/run.sh counts, and exits 77
# when something it needs is missing (counted as skipped).
set -u
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC_DIR=$(cd "$TESTS_DIR/.." && pwd)
: "${BUILD:=$SRC_DIR/build}"
PY=/usr/bin/python3
# One known locale for every program a test runs (the masked address
# shows U+2022 only on a UTF-8 terminal; tmux needs it too).
export LANG=C.UTF-8
unset LC_ALL LC_CTYPE LC_MESSAGES
_failed=0

_checked=0
pass() { echo "PASS: $1"; _checked=$((_checked + 1)); }
fail() { echo "FAIL: $1${2:+ ($2)}"; _failed=1; _checked=$((_checked + 1)); }
# Skip what is left of the test: the whole test (status 77) when nothing
# was checked yet, otherwise the rest, keeping what was checked (so a
# missing precondition is one sentence, never a failure).
skip_all() {
	echo "SKIP: $*"
	[ "$_checked" = 0 ] && exit 77
	exit $_failed
}

# check NAME CMD...: PASS when CMD succeeds.
check() {
	local name=$1; shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

# need TOOL...: skip the whole test when a tool is missing.
need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || skip_all "missing $t"
	done
}

need_root() { [ "$(id -u)" = 0 ] || skip_all "needs root"; }

# A private temporary directory removed at exit (after any other traps).
TMP=$(mktemp -d /tmp/sspr-test.XXXXXX)
chmod 0711 "$TMP"
_cleanups=()
at_exit() { _cleanups+=("$*"); }
_run_cleanups() {
	local i
	for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do eval "${_cleanups[$i]}" || true; done
	rm -rf "$TMP"
}
trap _run_cleanups EXIT

# Finish a test script: exit status reflects the checks.
finish() { exit $_failed; }

# wait_for CMD...: poll up to 10 s for CMD to succeed.
wait_for() {
	local i
	for ((i = 0; i < 100; i++)); do "$@" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}

# not CMD...: succeeds when CMD fails (for check).
not() { ! "$@"; }

# stop_process PID: SIGTERM, up to 5 s to go, then SIGKILL; reaped either
# way, so a server that hangs on shutdown never hangs the test.
stop_process() {
	local pid=$1 i
	kill "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 50; i++)); do
		# gone, or a zombie waiting to be reaped
		case $(ps -o stat= -p "$pid" 2>/dev/null) in "" | Z*) break ;; esac
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}
