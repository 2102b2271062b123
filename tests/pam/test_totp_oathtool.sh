#!/bin/bash
# Cross-check our TOTP codes against oathtool (OATH Toolkit) for random
# keys and times, for SHA-1/6 digits, SHA-256/8 and SHA-512/7.
. "$(dirname "$0")/../lib/lib.sh"
need oathtool base32 od
TOOL=$BUILD/tests/totp_tool
[ -x "$TOOL" ] || skip_all "missing $TOOL (make check builds it)"

# random unsigned number below $1 from the kernel's CSPRNG
rnd() { echo $(( $(od -An -N6 -tu8 /dev/urandom | tr -d ' ') % $1 )); }

n=0 mismatches=0 inputs=$TMP/in expected=$TMP/want
: >"$inputs"; : >"$expected"
for ((i = 0; i < 20; i++)); do
	# key lengths 10..64 bytes, times 0..2^34 (past 2038)
	len=$((10 + $(rnd 55)))
	key=$(head -c "$len" /dev/urandom | base32 -w0 | tr -d '=')
	t=$(rnd 17179869184)
	for spec in "sha1 6" "sha256 8" "sha512 7"; do
		set -- $spec
		echo "$key $1 $2 $t" >>"$inputs"
		oathtool --totp="$1" -d "$2" --base32 -N "@$t" "$key" \
		    >>"$expected" || fail "oathtool ran" "$1 $2 @$t"
		n=$((n + 1))
	done
done
# Keys reach our side on stdin only.
if ! "$TOOL" <"$inputs" >"$TMP/got"; then
	fail "totp_tool ran"
elif ! cmp -s "$TMP/got" "$expected"; then
	mismatches=$(diff "$TMP/got" "$expected" | grep -c '^<')
	paste -d' ' "$inputs" "$TMP/got" "$expected" | awk '$5 != $6' | \
	    sed 's/^[^ ]* /KEY /' | head -5
	fail "oathtool agrees" "$mismatches of $n codes differ"
else
	pass "oathtool agrees on $n codes (20 keys x sha1/6, sha256/8, sha512/7)"
fi

# RFC 6238 anchors through the tool, so a broken tool cannot pass alone
printf '%s sha1 8 59\n' "$(printf 12345678901234567890 | base32 | tr -d =)" \
    >"$TMP/rfc"
check "tool reproduces RFC 6238 T=59" \
    test "$("$TOOL" <"$TMP/rfc")" = 94287082
finish
