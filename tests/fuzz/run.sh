#!/bin/bash
# make fuzz: build the libFuzzer harnesses (tests/fuzz/fuzz.mk: clang,
# ASan, UBSan) and run each for a bounded time, starting from the seeds in
# tests/fuzz/corpus/NAME. Prints PASS/FAIL per harness and exits non-zero
# when one crashed or broke a property; the input that did it is kept in
# $BUILD/fuzz/crashes/NAME/.
#
#   tests/fuzz/run.sh [--corpus] [NAME...]
#   FUZZ_SECONDS=N   time per harness (default 20)
#   --corpus         run every seed once, no fuzzing (tests/pam/
#                    test_fuzz_corpus.sh, for make check)
# Inputs found along the way are kept in $BUILD/fuzz/corpus/NAME and used
# again next time; copy the interesting ones into tests/fuzz/corpus/NAME.
set -u
cd "$(dirname "$0")/../.."
: "${BUILD:=$PWD/build}"
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
FB=$BUILD/fuzz
mode=fuzz
names=()
for a in "$@"; do
	case $a in
	--corpus) mode=corpus ;;
	*) names+=("$a") ;;
	esac
done
if [ ${#names[@]} = 0 ]; then
	for f in tests/fuzz/fuzz_*.c; do
		n=${f#tests/fuzz/fuzz_}
		names+=("${n%.c}")
	done
fi

if ! command -v "${FUZZ_CC:-clang}" >/dev/null; then
	echo "fuzz: needs clang with libFuzzer (Debian: clang libclang-rt-14-dev)" >&2
	exit 1
fi
jobs=$(nproc 2>/dev/null || echo 2)
make --no-print-directory -j"$jobs" -f tests/fuzz/fuzz.mk FUZZ_BUILD="$FB" ||
	exit 1

# The harnesses make their temporary state directories here.
mkdir -p "$FB/tmp"
chmod 0700 "$FB/tmp"
export TMPDIR=$FB/tmp
# Leaks are bugs too; stop at the first report of any kind.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

failed=0
for n in "${names[@]}"; do
	bin=$FB/fuzz_$n
	seeds=tests/fuzz/corpus/$n
	crashes=$FB/crashes/$n
	log=$FB/log/$n.log
	if [ ! -x "$bin" ]; then
		echo "FAIL: fuzz_$n (no such harness)"
		failed=1
		continue
	fi
	if [ "$n" = store ] && [ "$(id -u)" != 0 ]; then
		echo "SKIP: fuzz_$n needs root (its state directory is root-owned)"
		continue
	fi
	mkdir -p "$crashes" "$FB/corpus/$n" "$FB/log"
	touch "$log.start"
	if [ $mode = corpus ]; then
		# Files as arguments: each is run once.
		"$bin" -error_exitcode=1 -artifact_prefix="$crashes/" "$seeds"/* \
			>"$log" 2>&1
		rc=$?
		what="$(find "$seeds" -type f | wc -l) seeds"
	else
		"$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
			-rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
			-error_exitcode=1 \
			-artifact_prefix="$crashes/" "$FB/corpus/$n" "$seeds" \
			>"$log" 2>&1
		rc=$?
		what="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log") runs in ${FUZZ_SECONDS}s"
	fi
	if [ $rc = 0 ]; then
		echo "PASS: fuzz_$n ($what)"
	else
		failed=1
		echo "FAIL: fuzz_$n (exit $rc, log $log)"
		grep -E 'ERROR|SUMMARY|property violated|runtime error' "$log" |
			head -5 | sed 's/^/    /'
		find "$crashes" -type f -newer "$log.start" | while read -r c; do
			echo "    input kept: $c (rerun: $bin $c)"
		done
	fi
done
exit $failed
