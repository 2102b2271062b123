#!/bin/bash
# "sspr admin test" against the Microsoft 365 emulator and a loopback SMTP
# server, with local users in the PAM sandbox: every line OK with a good
# configuration (SMTP and Graph mail); a wrong client secret, a missing
# application permission, an untrusted CA, a synced account, a sender
# without a mailbox, an unknown user and a broken configuration each give
# a FAIL line that names the problem and what to do, and exit status 1;
# and nothing is changed: no PATCH and no sendMail reach the emulator, no
# mail reaches the SMTP server, no token cache or record is written
# (unless --send-to asks for a test mail). With --json, the same checks
# and verdicts as one JSON object.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
. "$TESTS_DIR/lib/smtp.sh"

. "$TESTS_DIR/lib/graph_direct.sh"

SSPR=$BUILD/sspr
# One test CA for the emulator and the SMTP server (smtp.sh uses $TMP/pki).
graph_direct_init "$SSPR"
ROGUE_CA=$TMP/pki/rogue-ca.pem
smtp_start starttls

SECRET="at-$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n')"
ROLES='["User-PasswordProfile.ReadWrite.All", "User.Read.All", "UserAuthenticationMethod.Read.All", "Mail.Send"]'
graph_direct_tenant <<EOF
{"client_certificates": ["pki/client.pem"],
 "users": {"alice@$TENANT": {"password": "OldPass#1", "emailMethods": ["alice.backup@example.org"]},
           "bob@$TENANT": {"onPremisesSyncEnabled": true},
           "carol@$TENANT": {},
           "noreply@$TENANT": {},
           "nobox@$TENANT": {"mailbox": false}},
 "app_roles": $ROLES}
EOF
graph_direct_start emu server || { fail "emulator starts"; finish; }
BASE=https://localhost:$PORT

outbox_count() { emu GET outbox | $PY -c 'import json, sys; print(len(json.load(sys.stdin)))'; }

sandbox_init
sandbox_add_user alice 'OldPass#1'
sandbox_add_user bob 'OldPass#1'
sandbox_add_user carol 'OldPass#1'

secret_file "$TMP/secret" "$SECRET"
secret_file "$TMP/wrong-secret" wrong-secret-value
install -m 0644 "$TMP/pki/client.pem" "$TMP/client.pem"
install -m 0600 "$TMP/pki/client.key" "$TMP/client.key"
install -m 0600 "$TMP/pki/server.key" "$TMP/other.key"
STATE=$TMP/state
install -d -m 0700 "$STATE"

# conf NAME KEY=VALUE...: a root-only configuration (later keys win).
conf() {
	local f=$TMP/$1.conf kv
	shift
	install -m 0600 /dev/null "$f"
	{
		echo "enable = all"
		echo "state_dir = $STATE"
		echo "tenant = $TENANT"
		echo "client_id = $CLIENT_ID"
		echo "authority = $BASE"
		echo "graph = $BASE"
		echo "upn_format = %u@$TENANT"
		echo "connect_timeout = 2"
		echo "timeout = 10"
		echo "email_source = entra"
		echo "mail_from = noreply@$TENANT"
	} >"$f"
	for kv in "$@"; do
		sed -i "/^${kv%%=*} = /d" "$f"
		echo "${kv%%=*} = ${kv#*=}" >>"$f"
	done
	echo "$f"
}

# at CONF ARGS...: sspr --conf CONF admin test ARGS in the sandbox; sets
# OUT and RC, keeps every output for the secrecy check. AT_WRAP runs it
# under a wrapper, e.g. AT_WRAP="valgrind -q --error-exitcode=9 --leak-check=full".
at() {
	local c=$1
	shift
	OUT=$(sandbox_run ${AT_WRAP:-} "$SSPR" --conf "$c" admin test "$@" 2>&1)
	RC=$?
	printf '%s\n' "$OUT" >>"$TMP/all.out"
}
has() { grep -qF -- "$1" <<<"$OUT"; }
# line TAG TEXT: a line tagged TAG that contains TEXT.
line() { grep -E "^$1 " <<<"$OUT" | grep -qF -- "$2"; }
only_ok_info() { ! grep -Evq '^(OK|INFO) |^      |^All checks passed\.$' <<<"$OUT"; }

SMTP_CONF=(client_secret_file="$TMP/secret" ca_file="$CA"
	smtp_url="smtp://localhost:$SMTP_PORT" mail_from="noreply@$TENANT")
GOOD=$(conf good "${SMTP_CONF[@]}")

# 1. A good configuration with SMTP mail: every check passes.
emu DELETE log >/dev/null
at "$GOOD" alice
check "good (SMTP): exit 0" [ "$RC" = 0 ]
check "good (SMTP): only OK and INFO lines" only_ok_info
check "good: says all passed" has "All checks passed."
check "good: configuration line" line OK "configuration $GOOD"
check "good: state_dir line" line OK "state_dir $STATE"
check "good: sign-in with the client secret" line OK "Microsoft 365 sign-in: app $CLIENT_ID in tenant $TENANT with a client secret"
check "good: permissions listed" line OK "Microsoft 365 permissions granted: User-PasswordProfile.ReadWrite.All, User.Read.All, UserAuthenticationMethod.Read.All"
check "good: directory role named as not checkable" line INFO '"User Administrator"'
check "good: SMTP with STARTTLS verified" line OK "SMTP server smtp://localhost:$SMTP_PORT answered, STARTTLS certificate verified"
check "good: local user may reset" line OK "user alice may reset"
check "good: UPN mapping" line OK "user alice is alice@$TENANT in Microsoft 365"
check "good: account found" line OK "Microsoft 365 account alice@$TENANT: found, enabled"
check "good: registered email, masked" line OK "registered email a•••••@example.org"
check "good: the full address is not shown" not has "alice.backup@example.org"
check "good: only a token request and GETs" \
	[ "$(logq 'sorted(set((e["method"], e["status"]) for e in L))')" = "[('GET', 200), ('POST', 200)]" ]
check "good: no token cache read or written" [ ! -e "$STATE/token.cache" ]

# 2. Graph mail: the sender's mailbox is checked, Mail.Send is listed.
GRAPH=$(conf graph client_secret_file="$TMP/secret" ca_file="$CA" mail_transport=graph)
at "$GRAPH" alice
check "good (Graph mail): exit 0" [ "$RC" = 0 ]
check "good (Graph mail): only OK and INFO lines" only_ok_info
check "Graph mail: mailbox of mail_from checked" line OK "Graph sendMail as noreply@$TENANT, a Microsoft 365 user with a mailbox"
check "Graph mail: Mail.Send among the permissions" line OK "UserAuthenticationMethod.Read.All, Mail.Send"
check "Graph mail: the lookup asked for id and mail only" \
	[ "$(logq '[e["query"] for e in L if e["path"] == "/v1.0/users/noreply@'$TENANT'"][-1]')" = "[['\$select', 'id,mail']]" ]

NOBOX=$(conf nobox client_secret_file="$TMP/secret" ca_file="$CA" mail_transport=graph mail_from="nobox@$TENANT")
at "$NOBOX"
check "sender without mailbox: exit 1" [ "$RC" = 1 ]
check "sender without mailbox: FAIL names it" line FAIL "mail_from nobox@$TENANT is a Microsoft 365 user without a mailbox"
GHOST=$(conf ghost client_secret_file="$TMP/secret" ca_file="$CA" mail_transport=graph mail_from="ghost@$TENANT")
at "$GHOST"
check "unknown sender: FAIL names it" line FAIL "mail_from ghost@$TENANT is not a user in tenant $TENANT"

# Nothing changed by any of the above.
check "no PATCH ever reached the emulator" [ "$(logq 'sum(e["method"] == "PATCH" for e in L)')" = 0 ]
check "no sendMail ever reached the emulator" [ "$(logq 'sum("sendMail" in e["path"] for e in L)')" = 0 ]
check "emulator outbox empty" [ "$(outbox_count)" = 0 ]
check "SMTP server received nothing" [ "$(smtp_count)" = 0 ]
check "alice's Microsoft 365 password unchanged" \
	[ "$(emu GET "users/alice@$TENANT" | $PY -c 'import json,sys; u=json.load(sys.stdin); print(u["password"], u["passwordChangeCount"])')" = "OldPass#1 0" ]
check "no record written for alice" [ ! -e "$STATE/u-alice" ]

# 3. A wrong client secret: FAIL about the secret, exit 1.
WRONG=$(conf wrong client_secret_file="$TMP/wrong-secret" ca_file="$CA" smtp_url="smtp://localhost:$SMTP_PORT")
at "$WRONG" alice
check "wrong secret: exit 1" [ "$RC" = 1 ]
check "wrong secret: FAIL names the secret file" line FAIL "the client secret in $TMP/wrong-secret was refused (AADSTS7000215)"
check "wrong secret: fix says Value, not Secret ID" has "must hold the secret's Value, not its Secret ID"
check "wrong secret: the user's Microsoft 365 checks are skipped" line INFO "Microsoft 365 account not checked (no sign-in)"
check "wrong secret: counts one failure" has "1 check failed."

# A certificate credential signs in too; a key that is not the
# certificate's is named, and nothing is sent.
CERT=$(conf cert client_certificate="$TMP/client.pem" client_key="$TMP/client.key" \
	ca_file="$CA" smtp_url="smtp://localhost:$SMTP_PORT")
at "$CERT" alice
check "certificate: exit 0" [ "$RC" = 0 ]
check "certificate: sign-in OK" line OK "in tenant $TENANT with a certificate"
check "certificate: a PS256 assertion was sent" \
	[ "$(logq '[e.get("credential") for e in L if e["path"].endswith("/token")][-1]')" = assertion-PS256 ]
BADKEY=$(conf badkey client_certificate="$TMP/client.pem" client_key="$TMP/other.key" \
	ca_file="$CA" smtp_url="smtp://localhost:$SMTP_PORT")
emu DELETE log >/dev/null
at "$BADKEY"
check "wrong key: FAIL says so" line FAIL "the key does not belong to the certificate"
check "wrong key: nothing sent to the token endpoint" [ "$(logq 'len(L)')" = 0 ]

# 4. A missing application permission: named, with the Entra steps.
emu PUT app '{"app_roles": ["User-PasswordProfile.ReadWrite.All", "User.Read.All"]}' >/dev/null
at "$GOOD" alice
check "missing permission: exit 1" [ "$RC" = 1 ]
check "missing permission: FAIL names it" line FAIL "the app lacks UserAuthenticationMethod.Read.All"
check "missing permission: says what it is for" has "UserAuthenticationMethod.Read.All is needed to read the email address"
check "missing permission: Entra steps" has "API permissions > Add a permission > Microsoft Graph > Application permissions > UserAuthenticationMethod.Read.All"
check "missing permission: admin consent" has '"Grant admin consent"'
check "missing permission: emailMethods 403 FAIL" line FAIL "reading emailMethods was refused (HTTP 403)"
check "missing permission: the directory role named" has 'Roles and administrators > User Administrator > Add assignments'
emu PUT app '{"app_roles": ["User.Read.All", "UserAuthenticationMethod.Read.All"]}' >/dev/null
at "$GRAPH" alice
check "no password or mail permission: both named" \
	line FAIL "the app lacks User-PasswordProfile.ReadWrite.All, Mail.Send"
emu PUT app '{"app_roles": []}' >/dev/null
at "$GOOD"
check "no permission at all (no roles claim): all named" \
	line FAIL "the app lacks User-PasswordProfile.ReadWrite.All, User.Read.All, UserAuthenticationMethod.Read.All"
emu PUT app "{\"app_roles\": $ROLES}" >/dev/null

# 5. An untrusted CA: Microsoft 365 and SMTP both say ca_file.
ROGUE=$(conf rogue client_secret_file="$TMP/secret" ca_file="$ROGUE_CA" smtp_url="smtp://localhost:$SMTP_PORT")
at "$ROGUE" alice
check "untrusted CA: exit 1" [ "$RC" = 1 ]
check "untrusted CA: sign-in FAIL" line FAIL "Microsoft 365 sign-in: TLS to $BASE failed: the server's certificate is not trusted"
check "untrusted CA: SMTP FAIL" line FAIL "mail: SMTP server smtp://localhost:$SMTP_PORT: SSL certificate problem"
check "untrusted CA: the fixes mention ca_file" [ "$(grep -c 'fix: .*ca_file' <<<"$OUT")" = 2 ]

# 6. Users that cannot reset, each for its own reason.
at "$GOOD" bob
check "synced account: FAIL" line FAIL "bob@$TENANT is synchronised from on-premises"
at "$GOOD" nosuchuser
check "unknown local user: FAIL" line FAIL "user nosuchuser: no such account on this computer"
check "unknown local user: not found in Microsoft 365 either" line FAIL "Microsoft 365 account nosuchuser@$TENANT: not found"
at "$GOOD" carol
check "carol without a registered email: still passes" [ "$RC" = 0 ]
check "carol: no email registered there" line OK "emailMethods readable; no email registered there"
sandbox_run passwd -l carol >/dev/null
at "$GOOD" carol
check "locked account: FAIL" line FAIL "user carol may not reset here: the account is locked"
check "locked account: exit 1" [ "$RC" = 1 ]
sandbox_run passwd -u carol >/dev/null
sandbox_run chage -E 0 carol >/dev/null
at "$GOOD" carol
check "expired account: FAIL" line FAIL "user carol may not reset here: the account has expired"
sandbox_run chage -E -1 carol >/dev/null
GROUP=$(conf group "${SMTP_CONF[@]}" enable=group enable_group=sspr-users)
at "$GROUP" alice
check "not in enable_group: FAIL" line FAIL "user alice may not reset here (enable = group, not in group sspr-users)"

# 7. No SMTP server listening, and no smtp_url at all.
NOSMTP=$(conf nosmtp client_secret_file="$TMP/secret" ca_file="$CA" smtp_url="smtp://localhost:1")
at "$NOSMTP"
check "SMTP unreachable: FAIL with the port" line FAIL "mail: SMTP server smtp://localhost:1:"
check "SMTP unreachable: fix names host and port" has "check the host and port in smtp_url"
NOURL=$(conf nourl client_secret_file="$TMP/secret" ca_file="$CA")
at "$NOURL"
check "no smtp_url: FAIL" line FAIL "mail: no smtp_url is configured"

# 8. A configuration that does not load: its own FAIL line.
BROKEN=$(conf broken client_secret_file="$TMP/secret" no_such_key=1)
at "$BROKEN"
check "broken configuration: exit 1" [ "$RC" = 1 ]
check "broken configuration: FAIL names file and key" \
	bash -c 'grep -E "^FAIL +configuration: " <<<"$1" | grep -qF -- "$2"' _ "$OUT" "$BROKEN"

# 9. State directory that others may write.
chmod 0777 "$STATE"
at "$GOOD"
check "loose state_dir: FAIL" line FAIL "state_dir $STATE: not owned by root, or writable by group or others"
check "loose state_dir: fix" has "install -d -m 0700 -o root -g root $STATE"
chmod 0700 "$STATE"

# 10. --send-to: the only thing that sends, once, through each transport.
at "$GOOD" --send-to admin@example.org
check "--send-to over SMTP: exit 0" [ "$RC" = 0 ]
check "--send-to over SMTP: OK line" line OK "mail: test mail sent to admin@example.org"
check "--send-to over SMTP: one mail arrived" smtp_wait_count 1
subject=$(smtp_last_header Subject)
check "--send-to over SMTP: subject" [ "$subject" = "pam_sspr test mail from $(hostname)" ]
at "$GRAPH" --send-to admin@example.org
check "--send-to over Graph: exit 0" [ "$RC" = 0 ]
check "--send-to over Graph: one mail in the outbox" [ "$(outbox_count)" = 1 ]
at "$GOOD" --send-to 'not an address'
check "--send-to a bad address: usage error" [ "$RC" = 2 ]
at "$GOOD" alice bob
check "two users: usage error" [ "$RC" = 2 ]

# 11. --json: one object, the same checks and verdicts as the text form.
# same_as_text TEXT-FILE < JSON: every text line is a check (or one of
# its notes: fix, detail or none) in the same order, and "failed" counts
# the FAIL lines.
same_as_text() {
	/usr/bin/python3 -c '
import json, re, sys
d = json.load(sys.stdin)
want = []
for l in open(sys.argv[1]).read().splitlines():
    m = re.match(r"(OK|INFO|FAIL) +(.*)$", l)
    if m:
        want.append({"result": m.group(1).lower(), "text": m.group(2), "notes": []})
        continue
    m = re.match(r"      (?:(fix|detail): )?(.*)$", l)
    if m and want:
        want[-1]["notes"].append({"label": m.group(1), "text": m.group(2)})
# A detail quotes the request id of its run: compared by its label.
def plain(checks):
    return [dict(c, notes=[n if n["label"] != "detail" else {"label": "detail"}
                           for n in c["notes"]]) for c in checks]
ok = (set(d) == {"version", "checks", "failed"} and d["version"] == 1
      and plain(d["checks"]) == plain(want)
      and d["failed"] == sum(c["result"] == "fail" for c in want))
sys.exit(0 if ok else 1)' "$1"
}
json_case() {	# NAME CONF ARGS...: text and --json agree, exit codes too
	local name=$1 c=$2 text rc_text json rc_json
	shift 2
	sandbox_run "$SSPR" --conf "$c" admin test "$@" >"$TMP/$name.txt" 2>/dev/null
	rc_text=$?
	json=$(sandbox_run "$SSPR" --conf "$c" admin test "$@" --json 2>/dev/null)
	rc_json=$?
	printf '%s\n' "$json" >>"$TMP/all.out"
	check "--json $name: exit $rc_text as the text form" [ "$rc_json" = "$rc_text" ]
	check "--json $name: the text form's checks and verdicts" same_as_text "$TMP/$name.txt" <<<"$json"
}
json_case good "$GOOD" alice
if sandbox_run sh -c 'command -v valgrind' >/dev/null; then
	sandbox_run valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=none \
		--show-leak-kinds=definite "$SSPR" --conf "$GOOD" admin test bob --json >/dev/null 2>"$TMP/vg.txt"
	check "valgrind: admin test --json, no memory error" [ $? = 1 ]
	check "valgrind: admin test --json, no leak of the JSON layer" \
		not grep -qE '\(admin_(test_out|json)\.c:' "$TMP/vg.txt"
fi
json_case synced "$GOOD" bob
json_case wrong-secret "$WRONG" alice
json_case ghost-sender "$GHOST"
json_case broken "$BROKEN"
json_case no-user "$GOOD"
out=$(sandbox_run "$SSPR" --conf "$GOOD" admin test --json 2>/dev/null)
check "--json: a good run has failed 0 and no fail" /usr/bin/python3 -c '
import json, sys
d = json.loads(sys.argv[1])
sys.exit(0 if d["failed"] == 0 and all(c["result"] in ("ok", "info") for c in d["checks"]) else 1)' "$out"
sandbox_run "$SSPR" --conf "$GOOD" admin test --json alice >/dev/null 2>&1
check "--json not last: usage error" [ $? = 2 ]

check "still no PATCH at the end" [ "$(logq 'sum(e["method"] == "PATCH" for e in L)')" = 0 ]
check "client secret never printed" not grep -qF -- "$SECRET" "$TMP/all.out"
check "no access token printed" not grep -qE 'eyJ[A-Za-z0-9_-]{20,}' "$TMP/all.out"
finish
