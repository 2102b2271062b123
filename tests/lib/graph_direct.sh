# The Microsoft 365 emulator (tests/emulator/m365.py) for scripts that
# drive the client directly (graph_tool, mail_tool, sspr admin test)
# rather than through a PAM login: tests/pam/test_graph_*.sh,
# test_mail_graph.sh, test_sms_transport.sh, test_admin_test.sh and
# tests/bench/graph.sh. (A PAM login test uses tests/lib/m365.sh, which
# writes the sandbox's sspr.conf instead.) Needs tests/lib/lib.sh sourced.
#
#   graph_direct_init TOOL      skip the test unless TOOL, the emulator and
#                               what it needs are there, and we are root;
#                               then graph_direct_pki (a failure is a FAIL)
#   graph_direct_pki            the test PKI in $TMP/pki; sets CA
#   graph_direct_tenant <JSON   $TMP/tenant.json: the fixed tenant, app ids
#                               and $SECRET, plus (or replaced by) the
#                               fields of the JSON object on stdin
#   graph_direct_start NAME CERT  an emulator; sets PORT
#   graph_direct_conf FILE KEY=VALUE...  a root-only sspr.conf
#   graph_direct_two_hosts KEY=VALUE...  $CONF for counting connections:
#                               login service and Graph under two names,
#                               secret $TMP/secret, state $STATE
#   secret_file FILE VALUE      a root-only file holding VALUE
#   emu METHOD PATH [JSON]      the /_emulator/ control API at $BASE
#   logq EXPR                   a Python expression over the request log L
#   fault 'JSON'                queue one fault ({"method": "PATCH", ...})
# The script sets SECRET before graph_direct_tenant and BASE (the
# emulator's URL under the name it wants) before emu; EMU_MAX_TIME (default
# 5) is how many seconds one control request may take.

. "$TESTS_DIR/lib/emulator.sh"

TENANT=contoso.onmicrosoft.com
TENANT_ID=9188040d-6c67-4c5b-b112-36a304b66dad
CLIENT_ID=535fb089-9ff3-47b6-9bfb-4f1264799865

# graph_direct_init TOOL: what every such test needs, each missing piece a
# skip, not a failure: the tool it drives, the emulator, its PKI tools and
# Python module, and root, because the client refuses configuration and
# secret files that root does not own. Then the test PKI, without which
# no emulator starts (the bench, which must not skip, calls that alone).
graph_direct_init() {
	[ -x "$1" ] || skip_all "no $1"
	[ -f "$EMULATOR_DIR/m365.py" ] || skip_all "no emulator"
	need openssl curl
	need_root
	$PY -c 'import cryptography' 2>/dev/null || skip_all "python3-cryptography missing"
	graph_direct_pki || { fail "mkca.sh"; finish; }
}

# A fresh test CA with server, rogue (another CA, so untrusted) and client
# certificates in $TMP/pki (tests/emulator/mkca.sh); CA is the one the
# client is told to trust. Fails when mkca.sh does.
graph_direct_pki() {
	bash "$EMULATOR_DIR/mkca.sh" "$TMP/pki" || return 1
	CA=$TMP/pki/ca.pem
}

# The tenant the emulator serves. What every test shares (the tenant, its
# id, the app's client id and secret, no certificate credential, the
# directory role to reset passwords) is written here; each test adds its
# users, permissions and the rest as a JSON object on stdin, and any field
# it gives wins. The secret goes through the environment, so it is JSON
# escaped whatever characters it has and is never on a command line.
graph_direct_tenant() {
	_GD_SECRET=$SECRET $PY -c '
import json, os, sys
doc = {"tenant": sys.argv[1], "tenant_id": sys.argv[2], "client_id": sys.argv[3],
       "client_secret": os.environ["_GD_SECRET"], "client_certificates": [],
       "directory_role": "User Administrator"}
doc.update(json.load(sys.stdin))
print(json.dumps(doc, indent=1))' "$TENANT" "$TENANT_ID" "$CLIENT_ID" >"$TMP/tenant.json"
}

# graph_direct_start NAME CERT: an emulator of $TMP/tenant.json
# presenting $TMP/pki/CERT.pem ("server" is trusted by CA, "rogue" is
# not), as emulator_spawn starts it (log $TMP/NAME.log); sets PORT.
graph_direct_start() {
	emulator_spawn "$1" "$TMP/pki" "$2" "$TMP/tenant.json" || return 1
	PORT=$EMULATOR_PORT
}

# graph_direct_conf FILE KEY=VALUE...: a configuration for the emulator's
# tenant at FILE, root-only 0600 as the client demands: tenant, client_id
# and ca_file, then each KEY = VALUE in order (authority, graph, state_dir
# and timeouts differ between tests, so they are given; a later key wins).
graph_direct_conf() {
	local f=$1 kv
	shift
	install -m 0600 /dev/null "$f"
	{
		echo "tenant = $TENANT"
		echo "client_id = $CLIENT_ID"
		echo "ca_file = $CA"
		for kv in "$@"; do echo "${kv%%=*} = ${kv#*=}"; done
	} >"$f"
}

# graph_direct_two_hosts KEY=VALUE...: for tests that count connections
# (tests/pam/test_graph_connections.sh, tests/bench/graph.sh): CONF, a
# configuration that names the login service localhost and Graph
# 127.0.0.1, two names as two hosts in real life, so each gets its own
# connections; the client secret $SECRET in $TMP/secret; STATE, a fresh
# state directory (token cache and lock); then KEY=VALUE as for
# graph_direct_conf (the timeouts).
graph_direct_two_hosts() {
	secret_file "$TMP/secret" "$SECRET"
	STATE=$TMP/state
	mkdir -m 0700 "$STATE"
	CONF=$TMP/sspr.conf
	graph_direct_conf "$CONF" "client_secret_file=$TMP/secret" \
		"authority=https://localhost:$PORT" "graph=https://127.0.0.1:$PORT" \
		"state_dir=$STATE" "upn_format=%u@$TENANT" "$@"
}

# secret_file FILE VALUE: VALUE and a new line in FILE, made root-only
# before it is written, as the client demands of a credential file.
secret_file() {
	install -m 0600 /dev/null "$1"
	printf '%s\n' "$2" >"$1"
}

# emu METHOD PATH [JSON]: the control API (request log, faults, users,
# latency) of the emulator at $BASE.
emu() { emulator_call "$CA" "$BASE" "$@"; }

# logq EXPR: what the client sent, as emulator_logq sees it.
logq() { emu GET log | emulator_logq "$1"; }

# fault 'JSON': make the emulator misbehave once (or as JSON says).
fault() { emu POST faults "{\"faults\": [$1]}" >/dev/null; }
