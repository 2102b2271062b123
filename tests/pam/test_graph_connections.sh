#!/bin/bash
# Connections and tokens of the Microsoft 365 client, counted at the
# emulator (tests/emulator/m365.py numbers its TCP connections):
#   - one reset (user lookup, then the PATCH) keeps its connection, so the
#     PATCH after the last keystroke costs no TCP or TLS handshake, cold
#     (token from the login service) and warm (token from the cache);
#   - a connection the server closed while the person typed is replaced,
#     and the PATCH still goes out once;
#   - a PATCH whose reused connection dies under it is never sent again;
#   - sessions starting together with no cached token fetch one token.
# Counts only, never timings.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/graph_direct.sh"

TOOL=$BUILD/tests/graph_tool
graph_direct_init "$TOOL"

SECRET=s3cr3t-connections
USERS=$(for i in 0 1 2 3 4 5 6 7; do printf '"u%d@%s": {}, ' "$i" "$TENANT"; done)
graph_direct_tenant <<EOF
{"users": {$USERS "alice@$TENANT": {"password": "OldPass#1"}},
 "app_roles": ["User-PasswordProfile.ReadWrite.All"], "banned_passwords": []}
EOF
graph_direct_start emu server || { fail "emulator starts"; finish; }
BASE=https://127.0.0.1:$PORT

fresh() { emu DELETE log; emu DELETE faults; rm -f "$STATE/token.cache"; }
# Connections that carried requests; the PATCH's place on its connection.
conns() { logq 'len({e["connection"] for e in L})'; }
patch_on() { logq '[e["on_connection"] for e in L if e["method"] == "PATCH"]'; }

# The login service and Graph under two names, as two hosts; sets CONF, STATE.
graph_direct_two_hosts connect_timeout=2 timeout=15
printf 'Fresh#Start2024x\n' >"$TMP/pw"

gt() { OUT=$("$TOOL" "$CONF" "$@" <"$TMP/pw" 2>&1); }

# 1. Cold: token (login service), user lookup and PATCH (Graph): two
#    connections, and the PATCH is the second request on its own.
fresh
gt reset alice
check "cold reset succeeds" grep -qx 'rc=0' <<<"$OUT"
check "cold reset: 3 requests" test "$(logq 'len(L)')" = 3
check "cold reset: 2 connections (login service, Graph)" test "$(conns)" = 2
check "cold reset: the PATCH reuses the lookup's connection" \
	test "$(patch_on)" = "[2]"

# 2. Warm: the cached token; lookup and PATCH on one connection.
emu DELETE log
printf 'Fresh#Start2025y\n' >"$TMP/pw"
gt reset alice
check "warm reset succeeds" grep -qx 'rc=0' <<<"$OUT"
check "warm reset: 2 requests, 1 connection" \
	test "$(logq 'len(L)') $(conns)" = "2 1"
check "warm reset: no handshake for the PATCH" test "$(patch_on)" = "[2]"

# 3. The server closes idle connections after 0.3 s; the person takes 1 s:
#    a new connection for the PATCH, sent once, and the change is made.
emu DELETE log
emu PUT latency '{"idle_timeout": 0.3}' >/dev/null
printf 'Fresh#Start2026z\n' >"$TMP/pw"
gt reset alice 1000
emu PUT latency '{"idle_timeout": null}' >/dev/null
check "closed while typing: reset succeeds" grep -qx 'rc=0' <<<"$OUT"
check "closed while typing: the PATCH reconnects, sent once" \
	test "$(patch_on) $(conns)" = "[1] 2"
check "closed while typing: the password changed" test \
	"$(emu GET "users/alice@$TENANT" | $PY -c 'import json,sys; print(json.load(sys.stdin)["password"])')" = Fresh#Start2026z

# 3b. While the person types, the kept connection is open: it must be
#     close-on-exec, so no program the local password stack runs (pam_exec,
#     helpers) inherits it. (TCP sockets only: libcurl's own wake-up
#     socketpair is local, connected to nothing but itself.)
printf 'Fresh#Start2029u\n' >"$TMP/pw"
"$TOOL" "$CONF" reset alice 1500 <"$TMP/pw" >"$TMP/typing.out" 2>&1 &
typing=$!
socks=""
for ((i = 0; i < 50; i++)); do
	[ -n "$socks" ] && break
	sleep 0.1
	for fd in /proc/$typing/fd/*; do
		inode=$(readlink "$fd" 2>/dev/null | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p')
		[ -n "$inode" ] || continue
		awk -v i="$inode" '$10 == i { f = 1 } END { exit !f }' \
			/proc/$typing/net/tcp /proc/$typing/net/tcp6 2>/dev/null &&
			socks+=" ${fd##*/}"
	done
done
cloexec=yes
for fd in $socks; do
	flags=$(sed -n 's/^flags:[[:space:]]*//p' "/proc/$typing/fdinfo/$fd" 2>/dev/null)
	[ $((8#${flags:-0} & 8#2000000)) != 0 ] || cloexec="no (fd $fd flags $flags)"
done
wait "$typing"
check "the kept connection is open while the person types" test -n "$socks"
check "the kept connection is close-on-exec: $cloexec" test "$cloexec" = yes
check "reset after the pause succeeds" grep -qx 'rc=0' "$TMP/typing.out"

# 4. The kept connection dies under the PATCH: libcurl would send it
#    again on a fresh connection; it must not. The lost answer is then
#    resolved by asking the account (lastPasswordChangeDateTime), as for
#    any lost answer. (lastPasswordChangeDateTime has whole seconds: the
#    pause keeps the last change out of this one's second.)
sleep 1.1
emu DELETE log
emu POST faults '{"faults": [{"method": "PATCH", "action": "drop"}]}' >/dev/null
printf 'Fresh#Start2028v\n' >"$TMP/pw"
gt reset alice
check "dropped before the PATCH ran: sent once" \
	test "$(logq 'sum(1 for e in L if e["method"] == "PATCH")')" = 1
check "dropped before the PATCH ran: outcome unknown, not sent again" \
	grep -qx 'rc=EINPROGRESS' <<<"$OUT"
emu DELETE log
emu POST faults '{"faults": [{"method": "PATCH", "action": "apply_then_drop"}]}' >/dev/null
printf 'Fresh#Start2027w\n' >"$TMP/pw"
gt reset alice
check "dropped after the PATCH ran: sent once" \
	test "$(logq 'sum(1 for e in L if e["method"] == "PATCH")')" = 1
check "dropped after the PATCH ran: the change is found" grep -qx 'rc=0' <<<"$OUT"

# 5. A burst: 8 sessions, no cached token, the login service slow to
#    answer (each token answer held 1.5 s, so all 8 are waiting): one
#    token request, and every session gets its token.
fresh
emu POST faults '{"faults": [{"method": "POST", "path": "/oauth2/", "delay": 1.5, "times": null}]}' >/dev/null
pids=()
for i in 0 1 2 3 4 5 6 7; do
	"$TOOL" "$CONF" precheck "u$i" >"$TMP/burst.$i" 2>&1 &
	pids+=($!)
done
ok=0
for i in 0 1 2 3 4 5 6 7; do
	wait "${pids[$i]}" && grep -qx 'rc=0' "$TMP/burst.$i" && ok=$((ok + 1))
done
check "burst: all 8 sessions succeed" test "$ok" = 8
check "burst: 1 token request for 8 cold sessions" \
	test "$(logq 'sum(1 for e in L if "/oauth2/" in e["path"])')" = 1
check "burst: 8 user lookups" \
	test "$(logq 'sum(1 for e in L if e["method"] == "GET")')" = 8
check "the token lock is root-only" test "$(stat -c %a "$STATE/token.lock")" = 600
emu DELETE faults

finish
