#!/bin/bash
# The Microsoft 365 figures of "make bench" (tests/bench/run.sh sources
# the KEY=VALUE lines this prints). The emulator (tests/emulator/m365.py)
# models a network: RTT seconds before every answer, 2 RTT before every
# TLS handshake (TCP, then TLS 1.3: one round trip each), and numbers its
# connections, so requests and handshakes are counted, not guessed.
# graph_tool's "reset" is the Microsoft 365 side of a reset at the
# console: the user lookup before "New password:", then the PATCH after
# the last keystroke (the host's own hash time comes on top).
#   BENCH_RTT=seconds (default 0.1)
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/graph_direct.sh"

TOOL=$BUILD/tests/graph_tool
RTT=${BENCH_RTT:-0.1}
FLEET_USERS=200
FLEET_SESSIONS=20
[ -x "$TOOL" ] || { echo "bench: no $TOOL (make bench builds it)" >&2; exit 1; }
graph_direct_pki || exit 1
SECRET=bench-secret
$PY - "$TENANT" "$FLEET_USERS" <<'PY' | graph_direct_tenant
import json, sys
tenant, n = sys.argv[1], int(sys.argv[2])
users = {"f%03d@%s" % (i, tenant): {} for i in range(n)}
users["alice@" + tenant] = {}
print(json.dumps({"users": users, "app_roles": ["User-PasswordProfile.ReadWrite.All"],
                  "banned_passwords": []}))
PY
graph_direct_start emu server || exit 1
BASE=https://127.0.0.1:$PORT
EMU_MAX_TIME=10	# the fleet keeps the emulator busy: control requests may wait
# The login service and Graph under two names, as two hosts; sets CONF, STATE.
graph_direct_two_hosts connect_timeout=5 timeout=30

# one_reset NAME [PAUSE_MS]: one reset of alice; prints NAME_requests,
# NAME_connections, NAME_after_requests and NAME_after_handshakes (from
# the PATCH on: what the person waits for after the last keystroke) and
# NAME_after_rtt (that wait as a multiple of RTT).
n=0
one_reset() {
	local out us
	n=$((n + 1))
	emu DELETE log >/dev/null
	out=$(printf 'Bench#Pass%04dx\n' "$n" | "$TOOL" "$CONF" reset alice ${2:-} 2>&1)
	grep -qx 'rc=0' <<<"$out" || { echo "bench: reset $1 failed: $out" >&2; exit 1; }
	us=$(sed -n 's/^sync_us=//p' <<<"$out")
	emu GET log | $PY -c '
import json, sys
n, L = sys.argv[1], json.load(sys.stdin)
p = next((i for i, e in enumerate(L) if e["method"] == "PATCH"), len(L))
print("%s_requests=%d" % (n, len(L)))
print("%s_connections=%d" % (n, len({e["connection"] for e in L})))
print("%s_after_requests=%d" % (n, len(L) - p))
print("%s_after_handshakes=%d" % (n, sum(1 for e in L[p:] if e["on_connection"] == 1)))' "$1"
	awk -v n="$1" -v us="$us" -v rtt="$RTT" \
		'BEGIN { printf "%s_after_rtt=%.2f\n", n, us / 1e6 / rtt }'
	us=$(sed -n 's/^precheck_us=//p' <<<"$out")
	awk -v n="$1" -v us="$us" -v rtt="$RTT" \
		'BEGIN { printf "%s_before_rtt=%.2f\n", n, us / 1e6 / rtt }'
}

emu PUT latency "{\"request\": $RTT, \"connect\": $(awk -v r="$RTT" 'BEGIN{print 2*r}')}" >/dev/null
one_reset cold
one_reset warm
# The server closes idle connections after 0.5 s; the person takes 1.5 s.
emu PUT latency '{"idle_timeout": 0.5}' >/dev/null
one_reset closed 1500
emu PUT latency '{"idle_timeout": null}' >/dev/null
echo "rtt=$RTT"

# Fleet: FLEET_USERS resets of different users from FLEET_SESSIONS
# sessions at once, a cold token cache, every 10th request answered 429
# with Retry-After: 1, a little server time per request.
emu PUT latency '{"request": 0.02, "connect": 0.04}' >/dev/null
emu DELETE log >/dev/null
rm -f "$STATE/token.cache"
emu POST faults '{"faults": [{"status": 429, "retry_after": 1, "every": 10, "times": null}]}' >/dev/null
t0=${EPOCHREALTIME/./}
pids=()
for ((s = 0; s < FLEET_SESSIONS; s++)); do
	(
		ok=0
		for ((u = s; u < FLEET_USERS; u += FLEET_SESSIONS)); do
			printf 'Fleet#Pass%03dx\n' "$u" |
				"$TOOL" "$CONF" reset "$(printf 'f%03d' "$u")" >"$TMP/fleet.$u" 2>&1 &&
				ok=$((ok + 1))
		done
		echo "$ok" >"$TMP/fleet-ok.$s"
	) &
	pids+=($!)
done
wait "${pids[@]}"
t1=${EPOCHREALTIME/./}
emu DELETE faults >/dev/null
ok=$(cat "$TMP"/fleet-ok.* | awk '{ s += $1 } END { print s }')
echo "fleet_users=$FLEET_USERS"
echo "fleet_sessions=$FLEET_SESSIONS"
echo "fleet_ok=$ok"
echo "fleet_seconds=$(( (t1 - t0) / 1000000 ))"
emu GET log | $PY -c '
import collections, json, sys
L = json.load(sys.stdin)
done = collections.Counter(e["path"] for e in L if e["method"] == "PATCH" and e["status"] == 204)
print("fleet_duplicate_patches=%d" % sum(n - 1 for n in done.values() if n > 1))
print("fleet_patched_users=%d" % len(done))
print("fleet_token_requests=%d" % sum(1 for e in L if "/oauth2/" in e["path"]))
print("fleet_tokens_issued=%d" % sum(1 for e in L if "/oauth2/" in e["path"] and e["status"] == 200))
print("fleet_429=%d" % sum(1 for e in L if e["status"] == 429))
print("fleet_requests=%d" % len(L))
print("fleet_connections=%d" % len({e["connection"] for e in L}))'
