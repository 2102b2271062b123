#!/bin/bash
# The fuzz harnesses (tests/fuzz) run once over their committed seed
# corpus, with ASan and UBSan: a fast regression check for make check.
# Fuzzing itself is make fuzz. Skipped without clang's libFuzzer.
. "$(dirname "$0")/../lib/lib.sh"
need clang make pkg-config
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' >"$TMP/probe.c"
clang -fsanitize=fuzzer,address,undefined -o "$TMP/probe" "$TMP/probe.c" \
	>/dev/null 2>&1 || skip_all "clang without libFuzzer (libclang-rt-14-dev)"

out=$(bash "$TESTS_DIR/fuzz/run.sh" --corpus 2>&1)
rc=$?
grep -E '^(PASS|FAIL|SKIP):' <<<"$out"
if [ $rc != 0 ] && ! grep -q '^FAIL:' <<<"$out"; then
	fail "fuzz harness build" "$(tail -5 <<<"$out")"
fi
[ $rc = 0 ] || _failed=1
finish
