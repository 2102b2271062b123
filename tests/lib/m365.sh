# The Microsoft 365 emulator (tests/emulator/m365.py) for a PAM sandbox.
# Needs tests/lib/lib.sh and tests/lib/sandbox.sh sourced and
# sandbox_init done.
#
#   m365_start USER...           test PKI, tenant.json with USER@$M365_TENANT
#                                (password OldPass#1, plus fields given with
#                                m365_user) for each sandbox USER, a root-only
#                                0600 client secret file in the sandbox, the
#                                emulator on a free loopback port, and the
#                                Microsoft 365 keys of sspr.conf pointing at
#                                it.  Sets M365_URL, M365_SECRET, M365_CA.
#   m365_start_rogue             a second emulator with an untrusted
#                                certificate: M365_ROGUE_URL, m365_rogue_log
#   conf_set KEY VALUE           replace a key of the sandbox's sspr.conf
#   m365_user NAME 'JSON fields'  merge fields into a user (before or after
#                                start), e.g. '{"onPremisesSyncEnabled": true}'
#   M365_TENANT_EXTRA='JSON'     set before m365_start: more top-level fields
#                                of tenant.json (e.g. "acs", "sms_webhook")
#   m365_emu METHOD PATH [JSON]  the /_emulator/ control API
#   m365_fault 'JSON'            queue one fault ({"method": "PATCH", ...})
#   m365_clear                   clear the request log and the faults
#   m365_count METHOD REGEX [STATUS]   requests in the log (path regex)
#   m365_logq EXPR               a Python expression over the log list L
#   m365_password NAME           the emulator's stored password of NAME
#   m365_field NAME FIELD        any field of NAME's emulator record
#   m365_outbox_last FIELD       a field of the newest Graph mail
# The emulator stops at exit.

. "$TESTS_DIR/lib/emulator.sh"

M365_TENANT=contoso.onmicrosoft.com
M365_TENANT_ID=9188040d-6c67-4c5b-b112-36a304b66dad
M365_CLIENT_ID=535fb089-9ff3-47b6-9bfb-4f1264799865
declare -A _m365_extra=()

m365_user() {
	_m365_extra[$1]=$2
	if [ -n "${M365_URL:-}" ]; then
		m365_emu PUT "users/$1@$M365_TENANT" "$2" >/dev/null
	fi
}

_m365_tenant_json() {
	$PY - "$@" <<'PY'
import json, os, sys
users = {}
for name in sys.argv[1:]:
    rec = {"password": "OldPass#1"}
    extra = os.environ.get("M365_X_" + name.replace("-", "_"))
    if extra:
        rec.update(json.loads(extra))
    users[name + "@" + os.environ["M365_TENANT"]] = rec
doc = {
    "tenant": os.environ["M365_TENANT"],
    "tenant_id": os.environ["M365_TENANT_ID"],
    "client_id": os.environ["M365_CLIENT_ID"],
    "client_secret": os.environ["M365_SECRET"],
    "client_certificates": [],
    "users": users,
    "app_roles": ["User-PasswordProfile.ReadWrite.All",
                  "UserAuthenticationMethod.Read.All", "Mail.Send"],
    "directory_role": "User Administrator",
    "banned_passwords": ["Password123!", "Contoso#2024"],
}
doc.update(json.loads(os.environ.get("M365_TENANT_EXTRA") or "{}"))
print(json.dumps(doc, indent=1))
PY
}

# _m365_spawn NAME CERTNAME: an emulator on the shared tenant.json; sets
# _m365_port.
_m365_spawn() {
	emulator_spawn "$1" "$TMP/m365-pki" "$2" "$TMP/m365-pki/tenant.json" ||
		{ fail "the Microsoft 365 emulator ($1) starts"; finish; }
	_m365_port=$EMULATOR_PORT
}

m365_start() {
	local u
	[ -f "$EMULATOR_DIR/m365.py" ] || skip_all "no emulator"
	$PY -c 'import cryptography' 2>/dev/null || skip_all "python3-cryptography missing"
	need openssl curl
	bash "$EMULATOR_DIR/mkca.sh" "$TMP/m365-pki" || { fail "mkca.sh"; finish; }
	M365_CA=$TMP/m365-pki/ca.pem
	# A secret with characters that need form escaping.
	M365_SECRET="sec-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')~+&="
	export M365_TENANT M365_TENANT_ID M365_CLIENT_ID M365_SECRET M365_TENANT_EXTRA
	for u in "$@"; do
		export "M365_X_${u//-/_}=${_m365_extra[$u]:-}"
	done
	_m365_tenant_json "$@" >"$TMP/m365-pki/tenant.json" || { fail "tenant.json"; finish; }
	_m365_spawn m365 server
	M365_PORT=$_m365_port
	M365_URL=https://localhost:$M365_PORT
	# The client secret: root-only, inside the sandbox.
	install -d -m 0700 "$SB/etc/security/sspr"
	install -m 0600 /dev/null "$SB/etc/security/sspr/client-secret"
	printf '%s\n' "$M365_SECRET" >"$SB/etc/security/sspr/client-secret"
	sandbox_conf "tenant = $M365_TENANT" "client_id = $M365_CLIENT_ID" \
		"client_secret_file = /etc/security/sspr/client-secret" \
		"authority = $M365_URL" "graph = $M365_URL" \
		"ca_file = $M365_CA" "upn_format = %u@$M365_TENANT" \
		"connect_timeout = 2"
}

# A second emulator (same tenant) whose certificate comes from a CA the
# module does not trust; sets M365_ROGUE_URL and M365_ROGUE_LOG.
m365_start_rogue() {
	_m365_spawn m365-rogue rogue
	M365_ROGUE_URL=https://localhost:$_m365_port
	M365_ROGUE_LOG=$TMP/m365-rogue.log
}

# Requests the rogue emulator received (its own CA to ask it).
m365_rogue_log() {
	emulator_call "$TMP/m365-pki/rogue-ca.pem" "$M365_ROGUE_URL" GET log
}

# conf_set KEY VALUE: replace KEY in the sandbox's sspr.conf ("" drops it).
conf_set() {
	sed -i "/^$1 *=/d" "$SSPR_CONF"
	[ -n "$2" ] && echo "$1 = $2" >>"$SSPR_CONF"
	return 0
}

m365_emu() { emulator_call "$M365_CA" "$M365_URL" "$@"; }

m365_fault() { m365_emu POST faults "{\"faults\": [$1]}" >/dev/null; }
m365_clear() { m365_emu DELETE log >/dev/null; m365_emu DELETE faults >/dev/null; }

m365_count() {
	m365_emu GET log | $PY -c '
import json, re, sys
m, p = sys.argv[1], sys.argv[2]
s = sys.argv[3] if len(sys.argv) > 3 else None
print(sum(1 for e in json.load(sys.stdin)
          if e["method"] == m and re.search(p, e["path"])
          and (s is None or str(e["status"]) == s)))' "$@"
}

m365_logq() { m365_emu GET log | emulator_logq "$1"; }

m365_field() {
	m365_emu GET "users/$1@$M365_TENANT" |
		$PY -c 'import json, sys; print(json.load(sys.stdin).get(sys.argv[1]))' "$2"
}

m365_password() { m365_field "$1" password; }

m365_outbox_last() {
	m365_emu GET outbox | $PY -c '
import json, sys
o = json.load(sys.stdin)
v = o[-1].get(sys.argv[1]) if o else None
print(" ".join(v) if isinstance(v, list) else ("" if v is None else v))' "$1"
}

m365_outbox_count() {
	m365_emu GET outbox | $PY -c 'import json, sys; print(len(json.load(sys.stdin)))'
}

# A fault with "hold": true keeps its request until m365_release; a test
# acts while it is known to be in flight, whatever the machine's load.
#   m365_wait_held     until the emulator holds a request (at most 30 s);
#                      1 if none came
#   m365_release       let every held request go on with its fault
m365_wait_held() {
	local i
	for ((i = 0; i < 300; i++)); do
		m365_emu GET held | grep -q '"path"' && return 0
		sleep 0.1
	done
	return 1
}

m365_release() { m365_emu POST release >/dev/null; }
