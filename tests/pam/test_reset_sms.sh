#!/bin/bash
# A reset by a code sent by text message (issue 15), with pamtester on
# the login stack against the emulator's Azure Communication Services:
# a local number with the access key, the Entra mobile number with a
# token, the webhook, the masked number in the menu, the audit line of
# each message; a 429 is waited out, and a 5xx, a dropped connection or
# a refused signature sends nothing and costs the person nothing (no
# failure counted, no resend delay).
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
. "$TESTS_DIR/lib/m365.sh"
need pamtester

sandbox_init
KEY=$(head -c 32 /dev/urandom | base64)
HOOK="wh-$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n')"
M365_TENANT_EXTRA="{\"acs\": {\"access_key\": \"$KEY\", \"senders\": [\"+15550100100\"]},
	\"sms_webhook\": {\"secret\": \"$HOOK\"}}"
for u in alice bob carol dave; do sandbox_add_user "$u" 'OldPass#1'; done
m365_user bob '{"phoneMethods": [{"phoneNumber": "+1 5550100999", "phoneType": "office"},
	{"phoneNumber": "+81 9087654321", "phoneType": "mobile"}]}'
m365_start alice bob carol dave
mkdir -m 0700 "$SB/var-log/sspr"
AUDIT=$SB/var-log/sspr/audit.jsonl
secret() { install -m 0600 /dev/null "$SB/etc/security/sspr/$1"; printf '%s\n' "$2" >"$SB/etc/security/sspr/$1"; }
secret acs-key "$KEY"
secret hook-secret "$HOOK"
secret bad-key "$(head -c 32 /dev/urandom | base64)"
sandbox_conf "methods = email sms" "sms_endpoint = $M365_URL" "sms_from = +15550100100" \
	"sms_access_key_file = /etc/security/sspr/acs-key" "timeout = 5" \
	"audit_log = /var/log/sspr/audit.jsonl" "mail_transport = graph" \
	"mail_from = alice@$M365_TENANT"
sandbox_record alice "phone = +819012345678"
sandbox_record carol "phone = +447700900123" "email = carol@example.org"
sandbox_record dave "phone = +12025550123"

sms() { m365_emu GET sms | $PY -c 'import json, sys; S = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
sms_more() { [ "$(sms 'len(S)')" -gt "$1" ]; }
sms_code() { sms 'S[-1]["message"].split()[0]'; }

# reset USER NEW [CHOICE]: a wrong password, "y", CHOICE when given, the
# texted code once it arrives, NEW twice. Sets OUT and RC.
reset() {
	local n pid
	n=$(sms 'len(S)')
	rm -f "$TMP/in"
	mkfifo "$TMP/in"
	sandbox_run pamtester login "$1" authenticate <"$TMP/in" >"$TMP/out" 2>&1 &
	pid=$!
	exec 7>"$TMP/in"
	printf 'wrong\ny\n' >&7
	[ -n "${3:-}" ] && printf '%s\n' "$3" >&7
	wait_for sms_more "$n" && printf '%s\n%s\n%s\n' "$(sms_code)" "$2" "$2" >&7
	exec 7>&-
	wait "$pid"
	RC=$?
	OUT=$(cat "$TMP/out")
	cat "$TMP/out" >>"$TMP/all.out"
}
has() { grep -qF -- "$1" <<<"$OUT"; }
record_has() { grep -q "^$2" "$SB/state/u-$1"; }

# 1. A local number, the access key: the message names the host, holds
# the code and its lifetime, nothing else.
reset alice 'Texted#Reset2024'
check "local number: the password changed" sandbox_password_is alice 'Texted#Reset2024'
# pamtester runs in the C locale: '*' stands for '•'.
check "local number: the masked number is shown" has "A code was sent to +81 *** **** 5678. It expires in 10 minutes."
check "local number: asked for the code from the text message" has "Code from the text message:"
check "local number: sent to the number, signed with the key" \
	[ "$(sms '(S[-1]["to"], S[-1]["auth"], S[-1]["from"])')" = "('+819012345678', 'hmac', '+15550100100')" ]
host=$(sandbox_run hostname)
check "the message: code, host and lifetime only" \
	$PY -c 'import re, sys; sys.exit(not re.fullmatch(r"[0-9]{8} is your password reset code for " + re.escape(sys.argv[2]) + r"\. It expires in 10 minutes\.", sys.argv[1]))' \
	"$(sms 'S[-1]["message"]')" "$host"
check "audit: the message is counted" grep -q '"user":"alice","event":"message","method":"sms","result":"ok","reason":"reset code"' "$AUDIT"
check "audit: the reset names the method" grep -q '"user":"alice","event":"reset","method":"sms","result":"ok"' "$AUDIT"
check "the code is not in the record" not grep -q "$(sms_code)" "$SB/state/u-alice"

# 2. phone_source = entra: the mobile number of Microsoft 365, an Entra
# token for Communication Services.
conf_set phone_source entra
conf_set sms_access_key_file ""
reset bob 'Entra#Phone2024'
check "entra number: the password changed" sandbox_password_is bob 'Entra#Phone2024'
check "entra number: the mobile one, not the office one" [ "$(sms 'S[-1]["to"]')" = +819087654321 ]
check "entra number: sent with a bearer token" [ "$(sms 'S[-1]["auth"]')" = bearer ]
check "entra number: the token for ACS asked for" \
	[ "$(m365_logq 'sum(1 for e in L if e["path"] == "/sms" and e["status"] == 202)')" -ge 1 ]
check "entra: a local number is not used" [ "$(sms 'sum(1 for m in S if m["to"] == "+447700900123")')" = 0 ]
conf_set phone_source both

# 3. Email and SMS: the menu shows the number masked; 2 picks it.
conf_set sms_access_key_file /etc/security/sspr/acs-key
reset carol 'Menu#Choice2024' 2
check "menu: both methods, the number masked" has "2) Text message code to +44 *** **** 0123"
check "menu: the email masked" has "1) Email code to c"
check "menu: the texted code works" sandbox_password_is carol 'Menu#Choice2024'

# 4. Failures: nothing sent, nothing counted, no delay before the next.
conf_set phone_source local
for f in '{"path": "^/sms$", "status": 500}' '{"path": "^/sms$", "action": "drop"}'; do
	m365_emu DELETE faults >/dev/null
	m365_fault "$f"
	n=$(sms 'len(S)')
	reset dave 'Never#Used2024'
	check "fault $f: not sent" [ "$(sms 'len(S)')" = "$n" ]
	check "fault $f: told" has "The code could not be sent."
	check "fault $f: no failure counted" not record_has dave failures
	check "fault $f: no code kept" not record_has dave code_hash
done
conf_set sms_access_key_file /etc/security/sspr/bad-key
reset dave 'Never#Used2024'
check "bad signature: told" has "The code could not be sent."
check "bad signature: no failure, no code kept" not record_has dave 'failures\|code_hash'
check "bad signature: the admin's line says 401" grep -q "cannot send a reset code by text message for 'dave': .*HTTP 401" "$SB/syslog"
check "audit: failed messages are counted too" \
	[ "$(grep -c '"user":"dave","event":"message","method":"sms","result":"failed"' "$AUDIT")" = 3 ]
conf_set sms_access_key_file /etc/security/sspr/acs-key
m365_emu DELETE faults >/dev/null
m365_fault '{"path": "^/sms$", "status": 429, "retry_after": 1}'
reset dave 'After#Throttle2024'
check "429: waited out, the reset goes through at once" sandbox_password_is dave 'After#Throttle2024'

# 5. The webhook.
conf_set sms_transport webhook
conf_set sms_webhook_url "$M365_URL/_webhook/sms"
conf_set sms_webhook_secret_file /etc/security/sspr/hook-secret
reset alice 'Webhook#Reset2024'
check "webhook: the password changed" sandbox_password_is alice 'Webhook#Reset2024'
check "webhook: recorded by the gateway" [ "$(sms '(S[-1]["via"], S[-1]["to"])')" = "('webhook', '+819012345678')" ]

# 6. sspr admin test: the set-up checked without a message, or one sent.
admin_test() { OUT=$(sandbox_run "$BUILD/sspr" admin test "$@" 2>&1); printf '%s\n' "$OUT" >>"$TMP/all.out"; }
n=$(sms 'len(S)')
admin_test
check "admin test: the webhook checked" grep -q '^OK    sms: webhook .* (no message sent)$' <<<"$OUT"
conf_set sms_transport acs
admin_test
check "admin test: ACS with the key checked" grep -q '^OK    sms: Azure Communication Services .* signed with the access key (no message sent)$' <<<"$OUT"
conf_set sms_access_key_file ""
admin_test
check "admin test: ACS with a token checked" grep -q '^OK    sms: .*an Entra token for Communication Services was issued' <<<"$OUT"
check "admin test: nothing sent" [ "$(sms 'len(S)')" = "$n" ]
conf_set sms_access_key_file /etc/security/sspr/acs-key
chmod 0644 "$SB/etc/security/sspr/acs-key"
admin_test --send-to "+81 90 1111 2222"
check "admin test: a loose key file fails, named" grep -q '^FAIL  sms: sms_access_key_file /etc/security/sspr/acs-key' <<<"$OUT"
check "admin test: no test message after a failed check" [ "$(sms 'len(S)')" = "$n" ]
chmod 0600 "$SB/etc/security/sspr/acs-key"
admin_test --send-to "+81 90 1111 2222"
check "admin test --send-to NUMBER: sent" grep -q '^OK    sms: test message sent to +819011112222$' <<<"$OUT"
check "admin test --send-to NUMBER: one message, no code in it" \
	[ "$(sms '(len(S), S[-1]["to"], "test message" in S[-1]["message"])')" = "($((n + 1)), '+819011112222', True)" ]
check "admin test --send-to NUMBER: no mail sent" not grep -q '^OK    mail: test mail sent' <<<"$OUT"
admin_test --send-to "+0 12"
check "admin test --send-to: a bad number is refused" grep -q "is not a usable mobile number" <<<"$OUT"

check "no key, secret or password in any output or log" \
	not grep -qF -e "$KEY" -e "$HOOK" -e "$M365_SECRET" -e 'Texted#Reset2024' "$TMP/all.out" "$SB/syslog" "$AUDIT"
finish
