#!/bin/bash
# The translations are complete and in step with the sources: a template
# made afresh from pam_sspr/*/*.c (so a message added without its
# translation fails here), every msgid of it translated and not fuzzy in
# each po/LL.po of po/LINGUAS, and msgfmt --check (formats, plural forms,
# header) clean. The committed po/pam_sspr.pot is current too.
. "$(dirname "$0")/../lib/lib.sh"
need xgettext msgfmt msgcmp msgattrib msgmerge
cd "$SRC_DIR" || exit 1

pot=$TMP/pam_sspr.pot
check "make pot writes a fresh template" \
	make --no-print-directory -s pot POT="$pot" BUILD="$TMP/build"
n=$(grep -c '^msgid ' "$pot")
check "the template has messages ($((n - 1)))" [ "$n" -gt 100 ]

# The committed template differs from a fresh one only in its date.
strip() { grep -v '^"POT-Creation-Date:' "$1" | sed '/^#:/d'; }
check "po/pam_sspr.pot is current (make pot)" \
	cmp -s <(strip po/pam_sspr.pot) <(strip "$pot")

langs=$(sed 's/#.*//' po/LINGUAS)
check "po/LINGUAS names a language" [ -n "$langs" ]
for l in $langs; do
	po=po/$l.po
	check "$po exists" [ -f "$po" ]
	[ -f "$po" ] || continue
	out=$(msgcmp "$po" "$pot" 2>&1)
	check "every msgid of the template is translated in $po${out:+: $(head -c 2000 <<<"$out")}" [ -z "$out" ]
	fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$po" | grep -c '^msgid ')
	check "$po has no fuzzy entry ($fuzzy)" [ "$fuzzy" = 0 ]
	untr=$(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid ')
	check "$po has no untranslated entry ($untr)" [ "$untr" = 0 ]
	out=$(msgfmt --check --statistics -o "$TMP/$l.mo" "$po" 2>&1)
	check "msgfmt --check $po: $out" [ $? = 0 ]
	check "$po: msgfmt counts no fuzzy or untranslated message" \
		eval '! grep -q "fuzzy\|untranslated" <<<"$out"'
	check "$po declares its plural forms" grep -q '^"Plural-Forms: nplurals=' "$po"
done
finish
