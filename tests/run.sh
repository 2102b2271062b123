#!/bin/bash
# Runs every test layer and prints "N passed, N failed" last.
# Usage: BUILD=dir tests/run.sh [PATTERN]   (PATTERN filters test paths)
set -u
cd "$(dirname "$0")/.."
: "${BUILD:=$PWD/build}"
export BUILD
pattern=${1:-}
passed=0 failed=0 skipped=0
failed_names=()

run_one() {
	local t=$1 out rc n_pass n_fail
	out=$(mktemp)
	case $t in
	*.sh) timeout 600 bash "$t" >"$out" 2>&1 ;;
	*) timeout 120 "$t" >"$out" 2>&1 ;;
	esac
	rc=$?
	n_pass=$(grep -c '^PASS: ' "$out")
	n_fail=$(grep -c '^FAIL: ' "$out")
	if [ "$rc" = 77 ] && [ "$n_pass$n_fail" = 00 ]; then
		skipped=$((skipped + 1))
		echo "SKIP  $t: $(grep -m1 '^SKIP' "$out")"
	else
		# A crash or non-zero exit without a FAIL line is a failure too.
		if [ "$rc" != 0 ] && [ "$n_fail" = 0 ]; then
			n_fail=1
			echo "FAIL: $t exited with status $rc" >>"$out"
		fi
		passed=$((passed + n_pass))
		failed=$((failed + n_fail))
		if [ "$n_fail" != 0 ]; then
			echo "FAIL  $t"
			sed 's/^/    /' "$out"
			failed_names+=("$t")
		elif grep -q '^SKIP: ' "$out"; then
			echo "ok    $t ($n_pass; the rest skipped: $(sed -n 's/^SKIP: //p' "$out" | head -n 1))"
		else
			echo "ok    $t ($n_pass)"
		fi
	fi
	rm -f "$out"
}

tests=()
for t in "$BUILD"/tests/test_*; do [ -x "$t" ] && tests+=("$t"); done
for layer in lint emulator pam e2e package; do
	for t in tests/$layer/test_*.sh; do [ -f "$t" ] && tests+=("$t"); done
done
selected=()
for t in "${tests[@]}"; do
	case $t in *"$pattern"*) selected+=("$t") ;; esac
done
# The sandboxed layers share one pristine root: make it once, up front, so
# that a missing precondition is one sentence, not a failure per test.
case " ${selected[*]} " in
*" tests/pam/"* | *" tests/e2e/"*)
	if ! (. tests/lib/lib.sh && . tests/lib/testroot.sh && testroot_ensure); then
		echo "SKIP  the PAM and end-to-end layers: no pristine test root: $(cat "$BUILD/testroot/unavailable" 2>/dev/null)"
	fi
	export TESTROOT_TRIED=1
	;;
esac
# The tests promise to leave the machine as they found it: its PAM files
# and its login records are compared before and after.
host_state() {
	find /etc/pam.d /etc/security -type f -print0 2>/dev/null | sort -z |
		xargs -0 sha256sum 2>/dev/null
	for f in /var/log/wtmp /var/log/btmp /var/log/lastlog /run/utmp; do
		if [ -e "$f" ]; then echo "$f $(sha256sum <"$f")"; else echo "$f absent"; fi
	done
}
before=$(host_state)
for t in "${selected[@]}"; do run_one "$t"; done
if [ "$(host_state)" = "$before" ]; then
	passed=$((passed + 1))
	echo "ok    the machine's /etc/pam.d, /etc/security and login records are unchanged"
else
	failed=$((failed + 1))
	echo "FAIL  the machine's /etc/pam.d, /etc/security and login records changed during the tests:"
	diff <(echo "$before") <(host_state) | sed 's/^/    /'
	failed_names+=("(host state)")
fi
if [ ${#failed_names[@]} -gt 0 ]; then
	echo "failed: ${failed_names[*]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
