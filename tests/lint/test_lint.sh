#!/bin/bash
# Style and static analysis are part of the tests: the code is formatted
# as .clang-format says and cppcheck finds nothing.
. "$(dirname "$0")/../lib/lib.sh"
need clang-format cppcheck
cd "$SRC_DIR" || exit 1
check "clang-format: every source is formatted" \
	clang-format --dry-run -Werror pam_sspr/*/*.c include/sspr/*.h include/sspr/*/*.h
check "cppcheck: no warnings" \
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	--inline-suppr -D_GNU_SOURCE -Iinclude --std=c11 pam_sspr/
finish
