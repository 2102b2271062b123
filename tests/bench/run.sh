#!/bin/bash
# make bench: what pam_sspr.so costs a login that does not take the reset
# branch (design.md, "Staying out of the way of every other login").
#
# In one private sandbox (tests/lib/sandbox.sh), with the same short stack
# with and without the module, runs pamtester transactions interleaved
# (base lean heavy base lean heavy ...) and compares medians as ratios:
#   (a) correct password: authenticate acct_mgmt open_session close_session
#   (b) wrong password, "Forgot your password?" answered n
#   (c) "heavy": the same module objects linked straight against libcurl,
#       libcrypto, libcjson and libqrencode, what the lean design avoids
#   (d) dlopen of pam_sspr.so against sspr-flow.so (and the heavy module)
#   "gauth": pam_google_authenticator.so in the module's place, the lean
#       peer the module must be no worse than
#   (e) the "not available" answer plus the administrator request, for a
#       name that is no account against an account whose answer needs
#       Microsoft 365 (emulator, 0.3 s a request) and a mail, and one
#       the administrator locked: with the fail_delay floor the medians
#       must agree within 5 %; without it (fail_delay = 0) they do not
#   (e2) a synced passwd: the PATCH on the connection of its lookup
#   (f) memory: RSS the module adds, and growth over 10,000 transactions
#       in one process
#   (g) Microsoft 365: requests, connections and handshakes per reset,
#       and the wait after the last keystroke, against the emulator with
#       a fixed delay per request and per connection (tests/bench/graph.sh)
#   (h) fleet: 200 resets from 20 sessions at once, 10 % answered 429
#   (i) record lookup with 10 and 100,000 records
# and at the end the whole table: each figure with its target and
# PASS/FAIL. Ratios, not absolute times: this machine is noisy.
#   BENCH_RUNS=N  runs of each variant (default 51)
#   BENCH_NA_RUNS=N  runs of each (e) case (default 21, about 2 s each)
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
. "$TESTS_DIR/lib/smtp.sh"
. "$TESTS_DIR/lib/m365.sh"
need pamtester pkg-config "${CC:-cc}" readelf
RUNS=${BENCH_RUNS:-51}
NA_RUNS=${BENCH_NA_RUNS:-21}
CC=${CC:-cc}
PAMTESTER=$(command -v pamtester)
LEAN=$BUILD/pam_sspr.so
FLOW=$BUILD/pam_sspr/sspr-flow.so
HEAVY=$TMP/heavy/pam_sspr.so
[ -f "$LEAN" ] && [ -f "$FLOW" ] && [ -f "$BUILD/libsspr-common.a" ] ||
	{ echo "bench: build first (make bench)" >&2; exit 1; }

# The timing program, and the heavy variant of the module: the same
# objects, with the four libraries forced into its NEEDED list.
$CC -O2 -Wall -D_GNU_SOURCE -o "$TMP/timing" "$TESTS_DIR/bench/timing.c" \
	-Wl,--no-as-needed -lpam || exit 1
$CC -O2 -Wall -D_GNU_SOURCE -o "$TMP/txn" "$TESTS_DIR/bench/txn.c" -lpam ||
	exit 1
$CC -O2 -Wall -D_GNU_SOURCE -I"$SRC_DIR/include" -o "$TMP/store_lookup" \
	"$TESTS_DIR/bench/store_lookup.c" "$BUILD/libsspr-common.a" || exit 1
mkdir -p "$TMP/heavy"
# shellcheck disable=SC2046
$CC -shared -Wl,-z,relro,-z,now \
	-Wl,--version-script="$SRC_DIR/pam_sspr/module/pam_sspr.map" -o "$HEAVY" \
	"$BUILD/obj/module/pam_sspr.o" "$BUILD/obj/module/loader.o" "$BUILD/libsspr-common.a" \
	-Wl,--no-as-needed $(pkg-config --libs libcurl libcrypto libcjson libqrencode) \
	-lpam || exit 1
for lib in libcurl libcrypto libcjson libqrencode; do
	readelf -d "$HEAVY" | grep -q "NEEDED.*$lib" ||
		{ echo "bench: heavy variant lacks $lib" >&2; exit 1; }
done

sandbox_init
sandbox_add_user alice 'OldPass#1'
# The session stage reads the config and alice's record (she has a
# method, confirmed just now, so no enrollment offer and no
# reconfirmation): the whole lean path of a login. The config is what a
# host has: the shipped sspr.conf, all comments, and the admin's lines.
cat "$SRC_DIR/conf/sspr.conf" >>"$SSPR_CONF"
sandbox_conf "services = bench-lean bench-heavy" "enroll_at_login = offer"
sandbox_record alice "email = alice@example.org" "confirmed_at = $(date +%s)"

# The stanzas pam-auth-update makes from conf/pam-configs/sspr: auth
# after pam_unix, session optional.
stack() {
	local mod=$1 f=$SB/etc/pam.d/bench-$2
	if [ -z "$mod" ]; then
		cat >"$f" <<-PAM
		auth	[success=1 default=ignore]	pam_unix.so nullok nodelay
		auth	requisite			pam_deny.so
		auth	required			pam_permit.so
		account	required			pam_unix.so
		session	required			pam_unix.so
		PAM
	else
		cat >"$f" <<-PAM
		auth	[success=2 default=ignore]	pam_unix.so nullok nodelay
		auth	[success=1 default=ignore]	$mod
		auth	requisite			pam_deny.so
		auth	required			pam_permit.so
		account	required			pam_unix.so
		session	required			pam_unix.so
		session	optional			$mod
		PAM
	fi
}
# libpam always loads /etc/pam.d/other as well, and Debian's pulls in the
# common-* files, where the sandbox put pam_sspr: without this the
# baseline would load the module too.
cat >"$SB/etc/pam.d/other" <<PAM
auth	required	pam_deny.so
account	required	pam_deny.so
password	required	pam_deny.so
session	required	pam_deny.so
PAM
stack "" base
stack "$LEAN" lean
stack "$HEAVY" heavy
variants="base lean heavy"
# The lean peer in the module's place (it has no session stage).
GAUTH=pam_google_authenticator.so
if sandbox_run test -e "/lib/x86_64-linux-gnu/security/$GAUTH"; then
	stack "$GAUTH nullok" gauth
	sed -i '/^session.*google/d' "$SB/etc/pam.d/bench-gauth"
	variants="base lean heavy gauth"
fi
printf 'OldPass#1\n' >"$TMP/in-good"
printf 'wrong\nn\n' >"$TMP/in-wrong"
ops="authenticate acct_mgmt open_session close_session"

# Before timing anything, check that each variant does what its row says,
# and count the shared objects ld.so maps into the process.
# LD_DEBUG is set by the shell that execs pamtester, so only pamtester's
# ld.so reports.
objects() {
	sandbox_run bash -c 'LD_DEBUG=files exec "$0" "$@"' "$PAMTESTER" \
		"bench-$1" alice $ops <"$TMP/in-$2" 2>&1 >/dev/null |
		grep -c 'generating link map'
}
declare -A nobj
for v in $variants; do
	for input in good wrong; do
		out=$(sandbox_run "$PAMTESTER" -v "bench-$v" alice $ops \
			<"$TMP/in-$input" 2>&1)
		rc=$?
		if [ $input = good ] && [ $rc != 0 ]; then
			echo "bench: $v, correct password failed: $out" >&2
			exit 1
		fi
		if [ $input = wrong ] && [ $rc = 0 ]; then
			echo "bench: $v, wrong password succeeded" >&2
			exit 1
		fi
		asked=no
		grep -q 'Forgot your password' <<<"$out" && asked=yes
		if [ $input = wrong ] && [ $v = lean -o $v = heavy ] &&
			[ $asked = no ]; then
			echo "bench: $v: the module did not ask: $out" >&2
			exit 1
		fi
		nobj[$v-$input]=$(objects $v $input)
	done
done
if grep -Eq 'libcurl|libcrypto|sspr-flow' < <(sandbox_run bash -c \
	'LD_DEBUG=files exec "$0" "$@"' "$PAMTESTER" bench-lean alice $ops \
	<"$TMP/in-wrong" 2>&1 >/dev/null); then
	echo "bench: the lean module loaded heavy libraries" >&2
	exit 1
fi

# Instructions the whole pamtester process executes, if valgrind is
# here: deterministic, unlike the clock.
declare -A instr
for v in $variants; do
	for input in good wrong; do
		instr[$v-$input]=-
		command -v valgrind >/dev/null || continue
		instr[$v-$input]=$(sandbox_run valgrind --tool=callgrind \
			--callgrind-out-file=/dev/null "$PAMTESTER" "bench-$v" \
			alice $ops <"$TMP/in-$input" 2>&1 >/dev/null |
			sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
	done
done

# Interleaved runs, one sandbox entry for all of them.
time_case() {
	local v args=()
	for v in $variants; do
		args+=("$v" "$TMP/in-$1" "$PAMTESTER bench-$v alice $ops")
	done
	sandbox_run "$TMP/timing" exec "$RUNS" "${args[@]}"
}
good=$(time_case good) || exit 1
wrong=$(time_case wrong) || exit 1
dl=$("$TMP/timing" dlopen "$RUNS" pam_sspr.so "$LEAN" \
	sspr-flow.so "$FLOW" heavy "$HEAVY") || exit 1

# Shared objects a library depends on (ldd), ld.so and libc included.
deps() { ldd "$1" | grep -c '=>\|ld-linux'; }

median() { awk -v n="$2" '$1 == n { print $2 }' <<<"$1"; }
row() {	# label results name base objects [instructions base-instructions]
	local m b
	m=$(median "$2" "$3")
	b=$(median "$2" "$4")
	awk -v l="$1" -v m="$m" -v b="$b" -v o="$5" -v i="${6:-}" \
		-v ib="${7:-}" 'BEGIN {
		printf "  %-42s %8.2f ms %6.2fx %5s", l, m / 1000, m / b, o
		if (i ~ /^[0-9]+$/ && ib ~ /^[0-9]+$/)
			printf " %8.1fM %6.3fx", i / 1e6, i / ib
		printf "\n" }'
}
prow() {	# label results variant input
	row "$1" "$2" "$3" base "${nobj[$3-$4]}" "${instr[$3-$4]}" \
		"${instr[base-$4]}"
}

echo
echo "pam_sspr bench: medians of $RUNS interleaved runs each, ratio against"
echo "the baseline of the same run (stack without pam_sspr)"
echo
echo "  pamtester alice $ops"
printf '  %-42s %11s %7s %5s %9s %7s\n' "" "median" ratio objs instr ratio
prow "(a) correct password, no pam_sspr" "$good" base good
prow "(a) correct password, lean pam_sspr.so" "$good" lean good
prow "(c) correct password, heavy variant" "$good" heavy good
prow "(b) wrong password, no pam_sspr" "$wrong" base wrong
prow "(b) wrong password + n, lean pam_sspr.so" "$wrong" lean wrong
prow "(c) wrong password + n, heavy variant" "$wrong" heavy wrong
if [ "${variants#*gauth}" != "$variants" ]; then
	prow "correct password, pam_google_authenticator" "$good" gauth good
	prow "wrong password, pam_google_authenticator" "$wrong" gauth wrong
fi
echo
printf '  %-42s %11s %7s %5s\n' "(d) dlopen(RTLD_NOW), fresh process" median ratio objs
row "pam_sspr.so (every login)" "$dl" pam_sspr.so pam_sspr.so "$(deps "$LEAN")"
row "sspr-flow.so (reset/enroll branch only)" "$dl" sspr-flow.so pam_sspr.so "$(deps "$FLOW")"
row "heavy variant of pam_sspr.so" "$dl" heavy pam_sspr.so "$(deps "$HEAVY")"
echo
echo "  objs: shared objects ld.so mapped into the process (pamtester rows),"
echo "  or the library's dependencies as ldd lists them (dlopen rows); instr:"
echo "  instructions the whole process executed (valgrind --tool=callgrind)."

# ------------------------------------------------------------------
# (e) Not available: every case hears the same words (tests/pam/
# test_not_available.sh); here, after the same time. A stack of the
# module alone, so pam_unix's own time for a wrong password does not
# count: without a password typed, the branch starts at once. Each run
# first removes the user's record, so every request of nadia's is mailed
# again rather than refused for the hour (the same rm runs for the
# others).
smtp_start
sandbox_add_user nadia 'OldPass#1'
sandbox_add_user lars 'OldPass#1'
sandbox_run passwd -l lars >/dev/null
m365_start nadia lars
m365_fault '{"method": "GET", "path": "emailMethods", "delay": 0.3, "times": null}'
cat "$SMTP_CA" "$M365_CA" >"$TMP/ca-both.pem"
for floor in 1 0; do
	f=$SB/etc/security/sspr-na$floor.conf
	install -m 0600 "$SSPR_CONF" "$f"
	sed -i '/^\(fail_delay\|services\|ca_file\) *=/d' "$f"
	cat >>"$f" <<-CONF
	fail_delay = $floor
	services = bench-na1 bench-na0
	email_source = both
	ca_file = $TMP/ca-both.pem
	smtp_url = smtp://127.0.0.1:$SMTP_PORT
	mail_from = sspr@test.example
	admin_contact = admin@test.example
	CONF
	cat >"$SB/etc/pam.d/bench-na$floor" <<-PAM
	auth	[success=1 default=ignore]	$LEAN conf=/etc/security/sspr-na$floor.conf
	auth	requisite			pam_deny.so
	auth	required			pam_permit.so
	PAM
done
cat >"$TMP/na-run" <<RUN
#!/bin/sh
rm -f "$SB/state/u-\$2"
exec "$PAMTESTER" "bench-na\$1" "\$2" authenticate
RUN
chmod 0755 "$TMP/na-run"
printf 'y\n' >"$TMP/in-na"
for u in nosuchuser nadia lars; do
	out=$(sandbox_run "$TMP/na-run" 0 $u <"$TMP/in-na" 2>&1)
	if ! grep -q 'Password reset is not available' <<<"$out" ||
		! grep -q 'Your request has been recorded' <<<"$out"; then
		echo "bench: $u is not answered as not available: $out" >&2
		exit 1
	fi
done
m365_clear
n=$(smtp_count)
sandbox_run "$TMP/na-run" 0 nadia <"$TMP/in-na" >/dev/null 2>&1
if [ "$(m365_count GET emailMethods)" != 1 ] || ! smtp_wait_count $((n + 1)); then
	echo "bench: nadia's case did not ask Microsoft 365 and mail" >&2
	exit 1
fi
m365_fault '{"method": "GET", "path": "emailMethods", "delay": 0.3, "times": null}'
na=$(sandbox_run "$TMP/timing" exec "$NA_RUNS" \
	unknown1 "$TMP/in-na" "$TMP/na-run 1 nosuchuser" \
	exists1 "$TMP/in-na" "$TMP/na-run 1 nadia" \
	locked1 "$TMP/in-na" "$TMP/na-run 1 lars" \
	unknown0 "$TMP/in-na" "$TMP/na-run 0 nosuchuser" \
	exists0 "$TMP/in-na" "$TMP/na-run 0 nadia" \
	locked0 "$TMP/in-na" "$TMP/na-run 0 lars") || exit 1
echo
echo "  (e) not available + administrator request, pam_sspr alone, $NA_RUNS runs"
printf '  %-42s %11s %7s\n' "" median ratio
narow() { row "$1" "$na" "$2" "$3" ""; }
narow "fail_delay = 1: no such account" unknown1 unknown1
narow "fail_delay = 1: no method (Graph + mail)" exists1 unknown1
narow "fail_delay = 1: locked by the admin" locked1 unknown1
narow "fail_delay = 0: no such account" unknown0 unknown0
narow "fail_delay = 0: no method (Graph + mail)" exists0 unknown0
narow "fail_delay = 0: locked by the admin" locked0 unknown0
na_diff=$(awk -v u="$(median "$na" unknown1)" -v e="$(median "$na" exists1)" \
	-v l="$(median "$na" locked1)" 'BEGIN {
	d = (e > u ? e - u : u - e) / u; d2 = (l > u ? l - u : u - l) / u
	if (d2 > d) d = d2
	printf "%.1f", d * 100 }')
within="$na_diff % ($(awk -v d="$na_diff" 'BEGIN { print d <= 5 ? "within 5 %" : "NOT within 5 %" }'))"
echo "  with the floor, account or not: medians differ by at most $within"
echo "  (each run waits for the floor twice: before the sentence, and before"
echo "  the answer to the administrator request)"

# (e2) A synced passwd (sync_on_passwd): the preliminary pass looks the
# user up, the update pass sends the PATCH after the new password was
# typed. Counted at the emulator: the PATCH on the lookup's connection
# is no handshake after the last keystroke.
f=$SB/etc/security/sspr-pw.conf
install -m 0600 "$SSPR_CONF" "$f"
echo "sync_on_passwd = yes" >>"$f"
cat >"$SB/etc/pam.d/bench-pw" <<PAM
password	required	pam_unix.so
password	required	$LEAN conf=/etc/security/sspr-pw.conf
PAM
m365_clear
m365_emu DELETE faults >/dev/null
printf 'Bench#Passwd1\nBench#Passwd1\n' >"$TMP/in-pw"
if ! sandbox_run "$PAMTESTER" bench-pw nadia chauthtok <"$TMP/in-pw" >/dev/null 2>&1 ||
	[ "$(m365_password nadia)" != 'Bench#Passwd1' ]; then
	echo "bench: the synced passwd of nadia did not change Microsoft 365" >&2
	exit 1
fi
pw_requests=$(m365_logq 'len(L)')
pw_handshakes=$(m365_logq '[e["on_connection"] for e in L if e["method"] == "PATCH"] == [1] and 1 or 0')
echo
echo "  (e2) a synced passwd: $pw_requests requests, $(m365_logq 'len({e["connection"] for e in L})') connections;"
echo "       the PATCH after the new password: $pw_handshakes new connections"

# ------------------------------------------------------------------
# (f) Memory: N ordinary logins in one process (authenticate, acct_mgmt,
# open and close a session) on the stacks above. RSS after the first,
# the 100th and the last.
# ------------------------------------------------------------------
TXNS=${BENCH_TXNS:-10000}
# carol's password is empty (pam_unix nullok): an ordinary login with no
# hash to compute, so 10,000 of them fit in seconds. Her methods were
# confirmed now, like alice's, so no reconfirmation is due.
sandbox_add_user carol ''
sed -i 's/^carol:[^:]*:/carol::/' "$SB/etc/shadow"
sandbox_record carol "email = carol@example.org" "confirmed_at = $(date +%s)"
# RSS moves by whole pages and differs between runs: the median of three
# pairs, after 100 transactions. The heap in use shows a leak exactly.
rss_pairs=()
for k in 1 2 3; do
	read -r rb _ _ _ < <(sandbox_run "$TMP/txn" 100 bench-base carol) || exit 1
	read -r rl _ _ _ < <(sandbox_run "$TMP/txn" 100 bench-lean carol) || exit 1
	rss_pairs+=($((rl - rb)))
done
rss_added=$(printf '%s\n' "${rss_pairs[@]}" | sort -n | sed -n 2p)
read -r _ _ hb100 hbN < <(sandbox_run "$TMP/txn" "$TXNS" bench-base carol)
read -r rl100 rlN hl100 hlN < <(sandbox_run "$TMP/txn" "$TXNS" bench-lean carol)
[ -n "${hlN:-}" ] && [ -n "${hbN:-}" ] || { echo "bench: txn failed" >&2; exit 1; }
# What the module adds to whatever libpam and libc keep without it.
rss_growth=$(((hlN - hl100) - (hbN - hb100)))
echo
echo "  (f) memory, one process of ordinary logins (carol, empty password)"
echo "      RSS lean pam_sspr.so minus no pam_sspr after 100 logins: ${rss_pairs[*]} KiB" \
	"(median ${rss_added} KiB)"
echo "      lean, after 100 and $TXNS logins: RSS ${rl100} and ${rlN} KiB," \
	"heap in use ${hl100} and ${hlN} bytes;"
echo "      no pam_sspr: heap ${hb100} and ${hbN} bytes; the module's growth ${rss_growth} bytes"

# ------------------------------------------------------------------
# (g), (h) Microsoft 365 and the fleet (tests/bench/graph.sh).
# ------------------------------------------------------------------
declare -A G
while IFS='=' read -r k v; do
	[ -n "$k" ] && G[$k]=$v
done < <(bash "$TESTS_DIR/bench/graph.sh") || exit 1
[ -n "${G[fleet_requests]:-}" ] || { echo "bench: tests/bench/graph.sh failed" >&2; exit 1; }
echo
echo "  (g) Microsoft 365, one reset (emulator: ${G[rtt]} s per request, twice that per new connection)"
printf '      %-36s %8s %11s %15s %10s %9s %9s\n' "" requests connections "after keystroke" handshakes "wait/RTT" "code→prompt"
for c in cold warm closed; do
	label=$c
	[ $c = cold ] && label="cold (token from the login service)"
	[ $c = warm ] && label="warm (token from the cache)"
	[ $c = closed ] && label="server closed it while typing"
	printf '      %-36s %8s %11s %15s %10s %8sx %8sx\n' "$label" "${G[${c}_requests]}" \
		"${G[${c}_connections]}" "${G[${c}_after_requests]}" \
		"${G[${c}_after_handshakes]}" "${G[${c}_after_rtt]}" "${G[${c}_before_rtt]}"
done
echo "      (after keystroke: requests from the PATCH on, and the wait for them; the last row"
echo "      reconnected, as it must; code→prompt: the wait between the proven code and"
echo "      \"New password:\", the token and the user lookup)"
echo
echo "  (h) fleet: ${G[fleet_users]} resets of different users from ${G[fleet_sessions]} sessions at once,"
echo "      cold token cache, every 10th request answered 429 with Retry-After: 1"
echo "      succeeded ${G[fleet_ok]}/${G[fleet_users]}, duplicate PATCHes ${G[fleet_duplicate_patches]}," \
	"tokens issued ${G[fleet_tokens_issued]} (${G[fleet_token_requests]} token requests)," \
	"429s ${G[fleet_429]}, requests ${G[fleet_requests]}, ${G[fleet_seconds]} s"

# ------------------------------------------------------------------
# (i) Record lookup, sspr_store_load() of random users.
# ------------------------------------------------------------------
lookup() {
	local d=$TMP/store-$1
	install -d -m 0700 "$d"
	"$TMP/store_lookup" "$d" "$1" 2001
	rm -rf "$d"
}
look10=$(lookup 10) || exit 1
look100k=$(lookup 100000) || exit 1
echo
echo "  (i) record lookup: 10 records $((look10 / 1000)) us, 100,000 records $((look100k / 1000)) us (medians)"

# ------------------------------------------------------------------
# The whole table.
# ------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9]+$/ && b ~ /^[0-9]+$/ && b > 0) printf "%.3f", a / b; else print "-" }'; }
SUMMARY=()
# summary_row FIGURE MEASURED TARGET OK(0/1/-)
summary_row() {
	local v=FAIL
	[ "$4" = 1 ] && v=PASS
	[ "$4" = - ] && v=n/a
	SUMMARY+=("$(printf '  %-52s %12s %-22s %s' "$1" "$2" "$3" "$v")")
}
le() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || a == "") print "-"; else print (a + 0 <= b + 0) ? 1 : 0 }'; }
w_base=$(ratio "$(median "$good" lean)" "$(median "$good" base)")
i_base=$(ratio "${instr[lean-good]}" "${instr[base-good]}")
summary_row "login vs no module, wall" "${w_base}x" "<= 1.03x" "$(le "$w_base" 1.03)"
summary_row "login vs no module, instructions" "${i_base}x" "<= 1.03x" "$(le "$i_base" 1.03)"
if [ "${variants#*gauth}" != "$variants" ]; then
	w_g=$(ratio "$(median "$good" lean)" "$(median "$good" gauth)")
	i_g=$(ratio "${instr[lean-good]}" "${instr[gauth-good]}")
	summary_row "login vs pam_google_authenticator, wall" "${w_g}x" "<= 1.03x (noise)" "$(le "$w_g" 1.03)"
	summary_row "login vs pam_google_authenticator, instr." "${i_g}x" "<= 1.00x" "$(le "$i_g" 1.00)"
else
	summary_row "login vs pam_google_authenticator" "-" "not installed" -
fi
summary_row "RSS added by the module" "${rss_added} KiB" "<= 100 KiB" "$(le "$rss_added" 100)"
# Any leaked allocation costs at least 16 bytes a login; less than one
# byte a login is malloc's bookkeeping, not a leak.
per_login=$(awk -v g="$rss_growth" -v n="$TXNS" 'BEGIN { printf "%.2f", g / (n - 100) }')
summary_row "heap growth a login, $TXNS in one process" "${per_login} B" "0 (a leak: >= 16 B)" \
	"$(le "$per_login" 0.99)"
for c in cold warm; do
	summary_row "$c reset: requests / connections" \
		"${G[${c}_requests]} / ${G[${c}_connections]}" \
		"$([ $c = cold ] && echo "3 / 2" || echo "2 / 1")" \
		"$([ "${G[${c}_requests]} ${G[${c}_connections]}" = "$([ $c = cold ] && echo "3 2" || echo "2 1")" ] && echo 1 || echo 0)"
	summary_row "$c reset: requests / handshakes after keystroke" \
		"${G[${c}_after_requests]} / ${G[${c}_after_handshakes]}" "1 / 0" \
		"$([ "${G[${c}_after_requests]} ${G[${c}_after_handshakes]}" = "1 0" ] && echo 1 || echo 0)"
	summary_row "$c reset: last keystroke to result" "${G[${c}_after_rtt]}x RTT" \
		"<= 1.1x + local hash" "$(le "${G[${c}_after_rtt]}" 1.1)"
done
summary_row "closed while typing: reconnects, PATCH sent once" \
	"${G[closed_after_requests]} / ${G[closed_after_handshakes]}" "1 / 1" \
	"$([ "${G[closed_after_requests]} ${G[closed_after_handshakes]}" = "1 1" ] && echo 1 || echo 0)"
summary_row "fleet: resets that succeeded" "${G[fleet_ok]}/${G[fleet_users]}" "all" \
	"$([ "${G[fleet_ok]}" = "${G[fleet_users]}" ] && echo 1 || echo 0)"
summary_row "fleet: duplicate PATCHes" "${G[fleet_duplicate_patches]}" "0" "$(le "${G[fleet_duplicate_patches]}" 0)"
summary_row "fleet: tokens fetched in the cold burst" "${G[fleet_tokens_issued]}" "1" \
	"$([ "${G[fleet_tokens_issued]}" = 1 ] && echo 1 || echo 0)"
summary_row "fleet: total requests (429s included)" "${G[fleet_requests]}" "-" -
summary_row "synced passwd: handshakes for the PATCH" "$pw_handshakes" "0" "$(le "$pw_handshakes" 0)"
summary_row "not available: unknown vs known, medians apart" "${na_diff} %" "<= 5 % (fail_delay = 1)" \
	"$(le "$na_diff" 5)"
l_ratio=$(ratio "$look100k" "$look10")
summary_row "record lookup, 100,000 vs 10 records" "${l_ratio}x" "O(1): <= 3x" "$(le "$l_ratio" 3)"
echo
echo "  The whole table (make bench):"
printf '  %-52s %12s %-22s %s\n' figure measured target result
printf '%s\n' "${SUMMARY[@]}"
exit 0
