#!/bin/bash
# sms/send.c against the loopback emulator (tests/emulator/m365.py): an
# ACS message signed with the access key, one with an Entra token for
# https://communication.azure.com (cached apart from Graph's token), the
# webhook with its bearer secret and documented body; 429 retried as
# Retry-After says, 503 retried, a dropped connection not retried, a
# wrong key or secret refused and nothing recorded; no secret in output.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/graph_direct.sh"

TOOL=$BUILD/tests/graph_tool
graph_direct_init "$TOOL"

SECRET="sm-$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n')"
KEY=$(head -c 32 /dev/urandom | base64)
HOOK="wh-$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n')"
TO=+819012345678

graph_direct_tenant <<JSON
{"users": {}, "app_roles": [],
 "acs": {"access_key": "$KEY", "senders": ["+15550100100", "Contoso"]},
 "sms_webhook": {"secret": "$HOOK"}}
JSON
graph_direct_start emu server || { fail "emulator starts"; finish; }
BASE=https://localhost:$PORT

# sms EXPR: a Python expression over the SMS outbox S.
sms() { emu GET sms | $PY -c 'import json, sys; S = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

secret_file "$TMP/client-secret" "$SECRET"
secret_file "$TMP/acs-key" "$KEY"
secret_file "$TMP/hook-secret" "$HOOK"

# conf NAME KEY=VALUE...: a root-only configuration; prints its path.
conf() {
	local f=$TMP/$1.conf kv
	shift
	install -d -m 0700 "$TMP/state"
	install -m 0600 /dev/null "$f"
	{
		echo "state_dir = $TMP/state"
		echo "ca_file = $CA"
		echo "connect_timeout = 2"
		echo "timeout = 6"
		echo "methods = sms"
		for kv in "$@"; do echo "${kv%%=*} = ${kv#*=}"; done
	} >"$f"
	echo "$f"
}
M365="tenant=$TENANT client_id=$CLIENT_ID client_secret_file=$TMP/client-secret authority=$BASE graph=$BASE"

# send CONF TEXT: sets OUT and RC.
send() {
	OUT=$(printf '%s' "$2" | "$TOOL" "$1" sms "$TO" 2>&1)
	RC=$?
	printf '%s\n' "$OUT" >>"$TMP/all.out"
}
has() { grep -qF -- "$1" <<<"$OUT"; }

KEYED=$(conf keyed "sms_endpoint=$BASE" "sms_from=+15550100100" "sms_access_key_file=$TMP/acs-key")
# shellcheck disable=SC2086
TOKEN=$(conf token "sms_endpoint=$BASE/" "sms_from=Contoso" $M365)
HOOKED=$(conf hooked "sms_transport=webhook" "sms_webhook_url=$BASE/_webhook/sms" \
	"sms_webhook_secret_file=$TMP/hook-secret")

# 1. ACS with the access key: the emulator checks the HMAC as documented.
send "$KEYED" "12345678 is your password reset code for ws1."
check "acs key: sent" [ "$RC" = 0 ]
check "acs key: one message, signed" \
	[ "$(sms '[(m["via"], m["auth"], m["from"], m["to"]) for m in S]')" = "[('acs', 'hmac', '+15550100100', '$TO')]" ]
check "acs key: the text as given" \
	[ "$(sms 'S[-1]["message"]')" = "12345678 is your password reset code for ws1." ]
check "acs key: no token request" [ "$(logq 'sum("/oauth2/" in e["path"] for e in L)')" = 0 ]

# 2. ACS with an Entra token for Communication Services, cached apart.
emu DELETE log >/dev/null
send "$TOKEN" "second"
check "acs token: sent" [ "$RC" = 0 ]
check "acs token: bearer, alphanumeric sender" \
	[ "$(sms '(S[-1]["auth"], S[-1]["from"])')" = "('bearer', 'Contoso')" ]
check "acs token: one token request, then the send" \
	[ "$(logq '[(e["method"], e["path"].split("/")[-1], e["status"]) for e in L]')" = "[('POST', 'token', 200), ('POST', 'sms', 202)]" ]
check "acs token: cached in its own root-only file" \
	test "$(stat -c %a "$TMP/state/token-acs.cache" 2>/dev/null)" = 600
check "acs token: not in Graph's cache" not test -e "$TMP/state/token.cache"
emu DELETE log >/dev/null
send "$TOKEN" "third"
check "acs token: the cached token is used" [ "$RC/$(logq 'len(L)')" = 0/1 ]
# A revoked token: refused once, a fresh one fetched, sent.
emu POST revoke-tokens >/dev/null
emu DELETE log >/dev/null
send "$TOKEN" "fourth"
check "acs token: revoked token replaced once" \
	[ "$RC/$(logq '[e["status"] for e in L]')" = "0/[401, 200, 202]" ]

# 3. The webhook: bearer secret, documented body.
send "$HOOKED" "hooked"
check "webhook: sent" [ "$RC" = 0 ]
check "webhook: recorded with its text" \
	[ "$(sms '(S[-1]["via"], S[-1]["to"], S[-1]["message"])')" = "('webhook', '$TO', 'hooked')" ]

# 4. Throttling and errors.
n=$(sms 'len(S)')
emu DELETE log >/dev/null
fault '{"path": "^/sms$", "status": 429, "retry_after": 1}'
send "$KEYED" "after 429"
check "429: retried after Retry-After, sent once" \
	[ "$RC/$(logq '[e["status"] for e in L]')/$(sms 'len(S)')" = "0/[429, 202]/$((n + 1))" ]
emu DELETE log >/dev/null
fault '{"path": "^/_webhook/sms$", "status": 503, "retry_after": 0}'
send "$HOOKED" "after 503"
check "503: retried" [ "$RC/$(logq '[e["status"] for e in L]')" = "0/[503, 202]" ]
n=$(sms 'len(S)')
emu DELETE log >/dev/null
fault '{"path": "^/sms$", "action": "drop"}'
send "$KEYED" "dropped"
check "drop: not retried" [ "$(logq 'len(L)')" = 1 ]
check "drop: ECONNRESET" has "rc=ECONNRESET"
check "drop: nothing recorded" [ "$(sms 'len(S)')" = "$n" ]
fault '{"path": "^/sms$", "status": 500, "times": 5}'
send "$KEYED" "five hundred"
check "500: EIO, not retried" has "rc=EIO"
emu DELETE faults >/dev/null
fault '{"path": "^/sms$", "status": 202, "body": {"value": [{"to": "'$TO'", "messageId": null, "httpStatusCode": 400, "successful": false, "errorMessage": "Invalid To phone number format."}]}}'
send "$KEYED" "refused recipient"
check "202 with the recipient refused: EIO" has "rc=EIO"
check "202 with the recipient refused: the reason logged" has "the recipient was refused: Invalid To phone number format."
emu DELETE faults >/dev/null

# 5. A wrong key or secret: refused, nothing recorded, no secret shown.
secret_file "$TMP/bad-key" "$(head -c 32 /dev/urandom | base64)"
BADKEY=$(conf badkey "sms_endpoint=$BASE" "sms_from=+15550100100" "sms_access_key_file=$TMP/bad-key")
send "$BADKEY" "bad signature"
check "bad signature: EKEYREJECTED" has "rc=EKEYREJECTED"
check "bad signature: HTTP 401 in the admin's line" has "HTTP 401"
secret_file "$TMP/bad-hook" "not-the-secret"
BADHOOK=$(conf badhook "sms_transport=webhook" "sms_webhook_url=$BASE/_webhook/sms" \
	"sms_webhook_secret_file=$TMP/bad-hook")
send "$BADHOOK" "bad bearer"
check "bad bearer: EKEYREJECTED" has "rc=EKEYREJECTED"
check "refused: nothing recorded" [ "$(sms 'len(S)')" = "$n" ]
chmod 0644 "$TMP/acs-key"
send "$KEYED" "loose key file"
check "a readable key file is refused" has "sms_access_key_file $TMP/acs-key"
chmod 0600 "$TMP/acs-key"
OUT=$(printf x | "$TOOL" "$KEYED" sms 0901234 2>&1)
check "a number that is not E.164 is refused before sending" grep -q "rc=EINVAL" <<<"$OUT"

check "no secret, key or token in any output" \
	not grep -qF -e "$SECRET" -e "$KEY" -e "$HOOK" "$TMP/all.out"
finish
