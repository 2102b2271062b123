#!/bin/bash
# The Microsoft 365 client (graph.c, sync.c, http.c, jwt.c, upn.c) against
# the loopback emulator (tests/emulator/m365.py): secret and certificate
# credentials, token cache and revocation, every Graph error's sentence,
# 429/503 retries within the deadline, dropped and hung connections,
# an untrusted CA, invalid UPNs, Entra email, Graph sendMail, and no
# secret in any output.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/graph_direct.sh"

TOOL=$BUILD/tests/graph_tool
graph_direct_init "$TOOL"

# Characters that need form escaping, so a wrong escape would show.
SECRET='s3cr3t~va lue.with+special&chars=%25/?#'
PASSWORD='Fresh#Start2024x'

graph_direct_tenant <<EOF
{"client_certificates": ["pki/client.pem"],
 "users": {
   "alice@$TENANT": {"password": "OldPass#1", "emailMethods": ["alice.backup@example.org"]},
   "bob@$TENANT": {"onPremisesSyncEnabled": true},
   "carol@$TENANT": {"accountEnabled": false},
   "dave@$TENANT": {},
   "o'neil@$TENANT": {},
   "noreply@$TENANT": {}},
 "app_roles": ["User-PasswordProfile.ReadWrite.All", "UserAuthenticationMethod.Read.All",
               "Mail.Send"],
 "banned_passwords": ["Password123!"]}
EOF

# start NAME CERT: run an emulator; sets PORT.
start() { graph_direct_start "$@" || { fail "emulator $1 did not start"; finish; }; }

start main server
BASE=https://127.0.0.1:$PORT
start rogue rogue
ROGUE=https://127.0.0.1:$PORT

clear_state() { emu DELETE log; emu DELETE faults; }

# count METHOD PATH-REGEX [STATUS]: matching requests in the emulator's log.
count() {
	emu GET log | $PY -c '
import json, re, sys
m, p = sys.argv[1], sys.argv[2]
s = sys.argv[3] if len(sys.argv) > 3 else None
print(sum(1 for e in json.load(sys.stdin)
          if e["method"] == m and re.search(p, e["path"])
          and (s is None or str(e["status"]) == s)))' "$@"
}
user_field() {
	emu GET "users/$1" | $PY -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2"
}

# Secret files, root-only.
secret_file "$TMP/secret" "$SECRET"
secret_file "$TMP/wrong-secret" not-the-secret
install -m 0600 "$TMP/pki/client.key" "$TMP/client.key"
install -m 0644 "$TMP/pki/client.pem" "$TMP/client.pem"
secret_file "$TMP/pw" "$PASSWORD"

# conf NAME KEY=VALUE...: a configuration for the main emulator.
conf() {
	local f=$TMP/$1.conf
	shift
	mkdir -p -m 0700 "$TMP/state-${f##*/}"
	graph_direct_conf "$f" "authority=${AUTH:-$BASE}" "graph=${AUTH:-$BASE}" \
		"state_dir=$TMP/state-${f##*/}" "upn_format=%u@$TENANT" \
		connect_timeout=2 "mail_from=noreply@$TENANT" "$@"
	echo "$f"
}

# gt CONF ACTION ARGS...: run graph_tool; stdin from $IN. Sets OUT and
# SECS (elapsed, seconds with decimals); keeps every output for the
# secrecy check at the end.
gt() {
	local t0=${EPOCHREALTIME/./}
	OUT=$(${GT_WRAP:-} "$TOOL" "$@" <"${IN:-/dev/null}" 2>&1)
	SECS=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
	printf '%s\n' "$OUT" >>"$TMP/all.out"
}
has() { grep -qF -- "$1" <<<"$OUT"; }
# absent STRING FILE: STRING occurs nowhere in FILE.
absent() { ! grep -qF -- "$1" "$2"; }
rc_is() { grep -qx "rc=$1" <<<"$OUT"; }

UNREACHABLE="Microsoft 365 could not be reached, so your password was not changed. Try again later."
UNCONFIRMED="Microsoft 365 did not confirm the change, so your password on this computer was not changed."
COMPLEXITY="Microsoft 365 did not accept this password: it does not meet the password rules or is too common. Choose a different one."
FORBIDDEN="Microsoft 365 refused the change: this computer is not allowed to reset your password. Contact your administrator."
NOTFOUND="Your account was not found in Microsoft 365. Contact your administrator."
SYNCED="Reset your password through your organisation's on-premises process."

SEC=$(conf secret "client_secret_file=$TMP/secret" timeout=15)
SHORT=$(conf short "client_secret_file=$TMP/secret" timeout=3)
CACHE=$TMP/state-secret.conf/token.cache

# 1. Secret credential, first call: one token request, then the GET.
clear_state
gt "$SEC" precheck alice
check "precheck alice succeeds (secret)" rc_is 0
check "token request sent the secret as a form field" \
	[ "$(logq '[e.get("credential") for e in L if e["path"].endswith("/token")]')" = "['secret']" ]
check "form has exactly the documented fields" \
	[ "$(logq '[e.get("form_fields") for e in L if e["path"].endswith("/token")][0]')" = "['client_id', 'client_secret', 'grant_type', 'scope']" ]
check "one token request, one user lookup" \
	[ "$(count POST /token 200)/$(count GET "^/v1.0/users/alice@$TENANT\$" 200)" = 1/1 ]
check "\$select asks for the four properties" \
	[ "$(logq 'L[-1]["query"]')" = "[['\$select', 'id,userPrincipalName,accountEnabled,onPremisesSyncEnabled']]" ]
check "Graph call carries a Bearer token" [ "$(logq 'L[-1]["headers"]["authorization"]')" = Bearer ]
check "token cache written root-only 0600" [ "$(stat -c '%a %U' "$CACHE" 2>/dev/null)" = "600 root" ]

# 2. Warm: the cached token saves the token request.
clear_state
gt "$SEC" precheck alice
check "second precheck succeeds" rc_is 0
check "warm call: no token request, one Graph request" \
	[ "$(count POST /token)/$(logq 'len(L)')" = 0/1 ]

# Every request had its own GUID client-request-id.
gt "$SEC" precheck alice
gt "$SEC" email alice
check "client-request-ids are fresh GUIDs" [ "$(logq '
len(set(e["headers"]["client-request-id"] for e in L)) == len(L) and all(
__import__("re").fullmatch("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
e["headers"]["client-request-id"]) for e in L)')" = True ]

# 3. Revoked cached token: 401, dropped, fetched once, request repeated.
emu POST revoke-tokens
clear_state
gt "$SEC" precheck alice
check "after revocation precheck still succeeds" rc_is 0
check "401 then one token request then success" \
	[ "$(logq '[(e["method"], e["status"]) for e in L]')" = "[('GET', 401), ('POST', 200), ('GET', 200)]" ]

# A token Graph keeps refusing is fetched once more, not in a loop.
clear_state
fault '{"method": "GET", "path": "^/v1.0/users/", "status": 401, "times": null}'
gt "$SEC" precheck alice
check "persistent 401: refused as a sign-in problem" rc_is EKEYREJECTED
check "persistent 401: one new token, two Graph tries" \
	[ "$(count POST /token)/$(count GET /v1.0/users/)" = 1/2 ]
emu DELETE faults

# 4. Certificate credential (PS256 assertion, x5t#S256), fresh cache.
CERT=$(conf cert "client_certificate=$TMP/client.pem" "client_key=$TMP/client.key")
clear_state
gt "$CERT" precheck alice
check "precheck alice succeeds (certificate)" rc_is 0
check "token request used a PS256 assertion" \
	[ "$(logq '[e.get("credential") for e in L if e["path"].endswith("/token")]')" = "['assertion-PS256']" ]
check "assertion form fields" \
	[ "$(logq '[e.get("form_fields") for e in L if e["path"].endswith("/token")][0]')" = "['client_assertion', 'client_assertion_type', 'client_id', 'grant_type', 'scope']" ]
# a key that is not the certificate's: a clear admin message, no request
install -m 0600 "$TMP/pki/server.key" "$TMP/other.key"
BADCERT=$(conf badcert "client_certificate=$TMP/client.pem" "client_key=$TMP/other.key")
clear_state
gt "$BADCERT" precheck alice
check "mismatched key: sign-in problem" rc_is EKEYREJECTED
check "mismatched key: log says why" has "the key does not belong to the certificate"
check "mismatched key: nothing sent" [ "$(logq 'len(L)')" = 0 ]

# 5. The password change itself.
IN=$TMP/pw gt "$SEC" sync alice
check "sync alice succeeds" rc_is 0
check "emulator now holds the new password" [ "$(user_field "alice@$TENANT" password)" = "$PASSWORD" ]
check "not forced to change at next sign-in" \
	[ "$(user_field "alice@$TENANT" forceChangePasswordNextSignIn)" = False ]
check "PATCH sent as application/json" \
	[ "$(logq '[e["headers"]["content-type"] for e in L if e["method"] == "PATCH"][-1]')" = application/json ]

# 6. Each Graph refusal gives its sentence, and the log its ids.
printf 'password\n' >"$TMP/weak"
clear_state
IN=$TMP/weak gt "$SEC" sync alice
check "weak password: EINVAL" rc_is EINVAL
check "weak password: complexity sentence" has "msg: $COMPLEXITY"
check "weak password: log has Graph's code" has "Request_BadRequest"
crid=$(logq '[e["headers"]["client-request-id"] for e in L if e["method"] == "PATCH"][0]')
rid=$(logq '[e["request-id"] for e in L if e["method"] == "PATCH"][0]')
check "log has the client-request-id sent" has "client-request-id=$crid"
check "log has Graph's request-id" has "request-id=$rid"
check "emulator password unchanged" [ "$(user_field "alice@$TENANT" password)" = "$PASSWORD" ]
printf 'Password123!\n' >"$TMP/banned"
IN=$TMP/banned gt "$SEC" sync alice
check "banned password: complexity sentence" has "msg: $COMPLEXITY"

emu PUT app '{"directory_role": []}' >/dev/null
IN=$TMP/pw gt "$SEC" sync alice
check "no directory role: EACCES" rc_is EACCES
check "no directory role: permission sentence" has "msg: $FORBIDDEN"
check "no directory role: log has Authorization_RequestDenied" has "HTTP 403 Authorization_RequestDenied"
emu PUT app '{"directory_role": ["User Administrator"]}' >/dev/null

gt "$SEC" precheck nobody
check "unknown user: ENOENT" rc_is ENOENT
check "unknown user: not-found sentence" has "msg: $NOTFOUND"
IN=$TMP/pw gt "$SEC" sync nobody
check "unknown user PATCH: not-found sentence" has "msg: $NOTFOUND"

gt "$SEC" precheck bob
check "synced user: EREMOTE at precheck" rc_is EREMOTE
check "synced user: on-premises sentence" has "$SYNCED"
IN=$TMP/pw gt "$SEC" sync bob
check "synced user PATCH (400 on-premises): EREMOTE" rc_is EREMOTE
check "synced user PATCH: on-premises sentence" has "$SYNCED"

gt "$SEC" precheck carol
check "disabled account: EPERM" rc_is EPERM
check "disabled account: says disabled" has "account is disabled"

# The map file overrides upn_format; its UPN is escaped in the path.
install -m 0644 /dev/null "$TMP/upn.map"
printf '# exceptions\noneil = o'"'"'neil@%s\nalice = dave@%s\n' "$TENANT" "$TENANT" >"$TMP/upn.map"
MAPPED=$(conf mapped "client_secret_file=$TMP/secret" "upn_map_file=$TMP/upn.map")
clear_state
gt "$MAPPED" precheck oneil
check "mapped UPN with an apostrophe is found" rc_is 0
check "apostrophe sent percent-encoded" \
	[ "$(logq '[e["path"] for e in L if e["method"] == "GET"][0]')" = "/v1.0/users/o%27neil@$TENANT" ]
IN=$TMP/pw gt "$MAPPED" sync alice
check "map entry wins over upn_format" \
	[ "$(user_field "dave@$TENANT" password)/$(count PATCH "^/v1.0/users/dave@")" = "$PASSWORD/1" ]

WRONG=$(conf wrong "client_secret_file=$TMP/wrong-secret")
clear_state
gt "$WRONG" precheck alice
check "wrong secret: EKEYREJECTED" rc_is EKEYREJECTED
check "wrong secret: sentence for the person" has "could not sign in to Microsoft 365"
check "wrong secret: log has AADSTS7000215" has "invalid_client AADSTS7000215"
check "wrong secret: no Graph call" [ "$(count GET /v1.0/)" = 0 ]

# Credential files that are missing or readable by others are not used.
MISSING=$(conf missing "client_secret_file=$TMP/no-such-secret")
clear_state
gt "$MISSING" precheck alice
check "missing secret file: EKEYREJECTED" rc_is EKEYREJECTED
check "missing secret file: log names it" has "$TMP/no-such-secret: file does not exist"
install -m 0644 "$TMP/secret" "$TMP/loose-secret"
LOOSE=$(conf loose "client_secret_file=$TMP/loose-secret")
gt "$LOOSE" precheck alice
check "world-readable secret file: refused" rc_is EKEYREJECTED
check "world-readable secret file: log says why" has "owner or mode too loose"
check "bad credential files: nothing sent" [ "$(logq 'len(L)')" = 0 ]

# A token that expires within 5 minutes is not reused from the cache.
emu PUT app '{"token_lifetime": 200}' >/dev/null
rm -f "$CACHE"
clear_state
gt "$SEC" precheck alice
gt "$SEC" precheck alice
check "short-lived token: fetched again" [ "$(count POST /token 200)" = 2 ]
emu PUT app '{"token_lifetime": 3599}' >/dev/null
gt "$SEC" precheck alice
clear_state
gt "$SEC" precheck alice
check "long-lived token: reused" [ "$(count POST /token)" = 0 ]
# A cache that is not root-only is ignored (and replaced).
chmod 0644 "$CACHE"
clear_state
gt "$SEC" precheck alice
check "cache with loose mode ignored" [ "$(count POST /token 200)" = 1 ]
check "cache rewritten 0600" [ "$(stat -c %a "$CACHE")" = 600 ]
# A cache written for another tenant/app/cloud is not used.
CERTCACHE=$TMP/state-cert.conf/token.cache
cp -p "$CACHE" "$CERTCACHE"
clear_state
gt "$CERT" precheck alice
check "cache of another credential ignored" [ "$(count POST /token 200)" = 1 ]

# 7. Invalid UPN: refused before any request.
clear_state
gt "$SEC" precheck "bad..name"
check "invalid UPN: ENXIO" rc_is ENXIO
check "invalid UPN: sentence" has "does not match a Microsoft 365 account"
IN=$TMP/pw gt "$SEC" sync 'we$rd'
check "invalid user name: ENXIO" rc_is ENXIO
check "invalid UPN: no request at all" [ "$(logq 'len(L)')" = 0 ]

# 8. Throttling: 429 with Retry-After 1, then success.
clear_state
fault '{"method": "PATCH", "path": "^/v1.0/users/", "status": 429, "retry_after": 1}'
IN=$TMP/pw gt "$SEC" sync alice
check "429 then success: changed" rc_is 0
check "429 then success: waited Retry-After (>= 1 s)" [ "$SECS" -ge 1000 ]
check "429 then success: two PATCHes" \
	[ "$(count PATCH /v1.0/users/ 429)/$(count PATCH /v1.0/users/ 204)" = 1/1 ]

# 503 without Retry-After: a short back-off, then success.
clear_state
fault '{"method": "GET", "path": "^/v1.0/users/", "status": 503}'
gt "$SEC" precheck alice
check "503 then success" rc_is 0
check "503 retried once" [ "$(count GET /v1.0/users/ 503)/$(count GET /v1.0/users/ 200)" = 1/1 ]

# Token endpoint throttled once.
rm -f "$CACHE"
clear_state
fault '{"method": "POST", "path": "/token$", "status": 429, "retry_after": 1}'
gt "$SEC" precheck alice
check "token 429 then success" rc_is 0
check "token requested twice" [ "$(count POST /token 429)/$(count POST /token 200)" = 1/1 ]

# Throttled past the deadline (timeout = 3): bounded, "could not be reached".
clear_state
fault '{"method": "GET", "path": "^/v1.0/users/", "status": 429, "retry_after": 1, "times": null}'
gt "$SHORT" precheck alice
check "throttled past the deadline: ETIMEDOUT" rc_is ETIMEDOUT
check "throttled past the deadline: unreachable sentence" has "msg: $UNREACHABLE"
check "throttled past the deadline: log says throttled" has "throttled until the deadline"
check "throttled past the deadline: within 3 s + 1 s slack ($SECS ms)" [ "$SECS" -lt 4000 ]
check "throttled: several tries, all 429" [ "$(count GET /v1.0/users/ 429)" -ge 2 ]
emu DELETE faults
# A Retry-After beyond the deadline gives up at once.
fault '{"method": "GET", "path": "^/v1.0/users/", "status": 429, "retry_after": 60}'
gt "$SHORT" precheck alice
check "Retry-After past the deadline: gives up at once ($SECS ms)" [ "$SECS" -lt 1500 ]
check "Retry-After past the deadline: unreachable sentence" has "msg: $UNREACHABLE"
emu DELETE faults

# 9. Dropped connection on PATCH: not retried (it may have been applied).
clear_state
# (alice's password last changed long ago, as for most accounts)
emu PUT "users/alice@$TENANT" '{"lastPasswordChangeDateTime": "2020-01-01T00:00:00Z"}' >/dev/null
fault '{"method": "PATCH", "path": "^/v1.0/users/", "action": "drop"}'
IN=$TMP/pw gt "$SEC" sync alice
check "dropped PATCH: outcome unknown (EINPROGRESS)" rc_is EINPROGRESS
check "dropped PATCH: the not-confirmed sentence" has "msg: $UNCONFIRMED"
check "dropped PATCH: sent once, not retried" [ "$(count PATCH /v1.0/users/)" = 1 ]
check "dropped PATCH: the account was asked what happened" \
	[ "$(logq 'sum(1 for e in L if e["method"] == "GET" and any("lastPasswordChangeDateTime" in v for k, v in e["query"]))')" = 1 ]
check "dropped PATCH: the log says the outcome is unknown" has "outcome unknown"

# 9b. The PATCH is carried out but its answer is lost: the account's
# lastPasswordChangeDateTime shows the change, so it counts as done.
clear_state
fault '{"method": "PATCH", "path": "^/v1.0/users/", "action": "apply_then_drop"}'
IN=$TMP/pw gt "$SEC" sync alice
check "late PATCH answer: confirmed from the account" rc_is 0
check "late PATCH answer: the log says how" has "lastPasswordChangeDateTime shows the change"

# 10. Hung server: the timeout is honoured.
clear_state
fault '{"method": "GET", "path": "^/v1.0/users/", "action": "hang", "hang": 20}'
gt "$SHORT" precheck alice
check "hang: ETIMEDOUT" rc_is ETIMEDOUT
check "hang: unreachable sentence" has "msg: $UNREACHABLE"
check "hang: gave up near timeout = 3 s ($SECS ms)" [ "$SECS" -ge 2500 -a "$SECS" -lt 5000 ]
emu DELETE faults

# 11. An emulator whose certificate comes from another CA: refused.
ROGUECONF=$(AUTH=$ROGUE conf rogue "client_secret_file=$TMP/secret" timeout=5)
gt "$ROGUECONF" precheck alice
check "untrusted CA: EPROTO" rc_is EPROTO
check "untrusted CA: unreachable sentence" has "msg: $UNREACHABLE"
check "untrusted CA: log names the certificate problem" has "certificate"
check "untrusted CA: no request reached the rogue server" \
	[ "$(curl -sS --cacert "$TMP/pki/rogue-ca.pem" "$ROGUE/_emulator/log")" = "[]" ]
# Not even the secret: the TLS handshake failed first.
check "untrusted CA: rogue server logged a failed handshake" grep -q "TLS handshake failed" "$TMP/rogue.log"

# 12. Entra email methods.
gt "$SEC" email alice
check "email alice: address from emailMethods" has "address: alice.backup@example.org"
gt "$SEC" email dave
check "email dave: none registered" has "address: (none)"
gt "$SEC" email nobody
check "email unknown user: ENOENT" rc_is ENOENT

# 13. Graph sendMail.
emu DELETE outbox
printf 'Your code is 73914520.\nIt expires in 10 minutes.\n' >"$TMP/body"
IN=$TMP/body gt "$SEC" mail alice.backup@example.org "Your reset code"
check "sendMail accepted" rc_is 0
check "outbox holds the mail as sent" [ "$(emu GET outbox | $PY -c '
import json, sys
m = json.load(sys.stdin)[-1]
print(m["from"], m["to"], m["subject"], m["contentType"], m["saveToSentItems"], repr(m["body"]))')" = \
	"noreply@$TENANT ['alice.backup@example.org'] Your reset code Text False 'Your code is 73914520.\nIt expires in 10 minutes.\n'" ]
clear_state
fault '{"method": "POST", "path": "/sendMail$", "action": "drop"}'
IN=$TMP/body gt "$SEC" mail alice.backup@example.org "Your reset code"
check "dropped sendMail: error" rc_is ECONNRESET
check "dropped sendMail: not retried (no double mail)" [ "$(count POST /sendMail)" = 1 ]
clear_state
fault '{"method": "POST", "path": "/sendMail$", "status": 503, "retry_after": 1}'
IN=$TMP/body gt "$SEC" mail alice.backup@example.org "Your reset code"
check "sendMail 503 then accepted" rc_is 0
check "sendMail retried once after 503" [ "$(count POST /sendMail 503)/$(count POST /sendMail 202)" = 1/1 ]
emu PUT app '{"app_roles": ["User-PasswordProfile.ReadWrite.All"]}' >/dev/null
IN=$TMP/body gt "$SEC" mail alice.backup@example.org "Your reset code"
check "sendMail without Mail.Send: EACCES with ErrorAccessDenied" rc_is EACCES
check "sendMail error logged with its code" has "ErrorAccessDenied"
emu PUT app '{"app_roles": ["User-PasswordProfile.ReadWrite.All", "UserAuthenticationMethod.Read.All", "Mail.Send"]}' >/dev/null
IN=$TMP/body gt "$SEC" mail 'x@y.org>, evil@z.org' "Subject"
check "sendMail refuses a bad recipient" rc_is EINVAL

# 14. Nothing secret in any output: not the client secret, the password,
# an access token or the emailed code.
gt "$SEC" precheck alice
token=$(sed -n 's/^token //p' "$CACHE" 2>/dev/null)
check "a token was cached to compare against" [ -n "$token" ]
check "no client secret in any output" absent "$SECRET" "$TMP/all.out"
check "no password in any output" absent "$PASSWORD" "$TMP/all.out"
check "no access token in any output" absent "${token:-none}" "$TMP/all.out"
check "no mail body in any output" absent "73914520" "$TMP/all.out"
check "no weak or banned password in any output" absent "Password123!" "$TMP/all.out"
emu GET log >"$TMP/emu-log.json"
check "no secret in the emulator's request log" absent "$SECRET" "$TMP/emu-log.json"
check "no password in the emulator's request log" absent "$PASSWORD" "$TMP/emu-log.json"
check "no secret or password in the emulator's stderr" \
	absent "$PASSWORD" "$TMP/main.log"

finish
