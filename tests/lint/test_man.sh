#!/bin/bash
# The manual pages, English and the translations under man/LL/, are
# clean for mandoc's linter (warnings included: an unparsable date in
# .TH, a bad macro, a broken cross reference), each translation has the
# three pages and keeps up with the English ones (man_translations.py),
# and pam_sspr(8) lists every line the module logs.
. "$(dirname "$0")/../lib/lib.sh"
need mandoc
cd "$SRC_DIR" || exit 1
english=(man/*.[1-8])
pages=("${english[@]}")
check "there are manual pages (${#pages[@]})" [ "${#pages[@]}" -ge 3 ]
for d in man/*/; do
	[ -d "$d" ] || continue
	for f in "${english[@]}"; do
		check "$d has ${f#man/}" [ -f "$d${f#man/}" ]
	done
	pages+=("$d"*.[1-8])
done
for f in "${pages[@]}"; do
	out=$(mandoc -Tlint -W warning "$f" 2>&1)
	check "mandoc -Tlint -W warning $f${out:+: $out}" [ $? = 0 -a -z "$out" ]
done
for f in "${pages[@]}"; do
	d=$(sed -n 's/^\.TH [^ ]* [^ ]* "\([^"]*\)".*/\1/p' "$f" | head -1)
	check "$f: the .TH date is ISO 8601 ($d)" grep -Eqx '[0-9]{4}-[0-9]{2}-[0-9]{2}' <<<"$d"
done
out=$($PY "$TESTS_DIR/lint/man_translations.py" "$SRC_DIR" 2>&1)
rc=$?
check "translations have every bold name and as many sections, subsections and .TP as the English pages (${out##*$'\n'})" [ $rc = 0 ]
[ $rc = 0 ] || echo "$out" | head -20
out=$($PY "$TESTS_DIR/lint/man_logging.py" "$SRC_DIR" 2>&1)
check "pam_sspr(8) LOGGING lists every pam_syslog line of the module (${out##*$'\n'})" [ $? = 0 ]
[ -z "$out" ] || echo "$out" | grep '^not in' | head -20
finish
