#!/bin/bash
# The audit log (audit_log, issue 12): one JSON line for each reset,
# refusal and lockout, read back with Python's json module; a name that
# is no account is never written (it may be someone's password); the
# file is root-only, and a loose one is refused without costing the
# person the reset.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
. "$TESTS_DIR/lib/smtp.sh"
. "$TESTS_DIR/lib/m365.sh"
need pamtester oathtool

KEY=KRUGS4ZANFZSAYJAORSXG5BAONSWG4TF
sandbox_init
smtp_start
mkdir -m 0700 "$SB/var-log/sspr"
AUDIT=$SB/var-log/sspr/audit.jsonl
sandbox_conf "smtp_url = smtp://127.0.0.1:$SMTP_PORT" "ca_file = $SMTP_CA" \
	"mail_from = sspr@test.example" "max_failures = 2" \
	"audit_log = /var/log/sspr/audit.jsonl"
for u in alice bob carol dave; do sandbox_add_user "$u" 'OldPass#1'; done
for u in alice bob dave; do
	sandbox_record "$u" "totp_secret = $KEY" "totp_algorithm = sha1" \
		"totp_digits = 6" "totp_period = 30"
done
sandbox_record carol "email = carol@example.org"
sandbox_run passwd -l carol >/dev/null 2>&1

NEW='Audited#Reset2024'
attempt() {	# USER CODE: a wrong password, "y", CODE, the new password twice
	printf 'wrong\ny\n%s\n%s\n%s\nn\n' "$2" "$NEW" "$NEW" |
		sandbox_run pamtester login "$1" authenticate >/dev/null 2>&1
}
# field N KEY: KEY of the Nth line (from 1), as Python's json reads it.
field() {
	/usr/bin/python3 -c 'import json, sys
lines = open(sys.argv[1]).read().splitlines()
print(json.loads(lines[int(sys.argv[2]) - 1]).get(sys.argv[3]))' "$AUDIT" "$1" "$2"
}

attempt alice "$(oathtool --totp --base32 "$KEY")"
check "a reset: the password changed" sandbox_password_is alice "$NEW"
check "a reset: one line" [ "$(wc -l <"$AUDIT")" = 1 ]
check "a reset: event, user, method, result" [ "$(field 1 event) $(field 1 user) \
$(field 1 method) $(field 1 result) $(field 1 reason)" = "reset alice totp ok None" ]
check "a reset: service and time" [ "$(field 1 service)" = login ] && \
	grep -Eq '"time":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"' "$AUDIT"
check "the log is root-only, 0600" \
	[ "$(stat -c '%a %U' "$AUDIT")" = "600 root" ]

SECRET_NAME='Hunter2-Secret!'
attempt "$SECRET_NAME" 000000
check "a name that is no account: a line with user null" \
	[ "$(field 2 user) $(field 2 result) $(field 2 reason)" = "None failed not available" ]
check "a name that is no account is never written" \
	not grep -qF "$SECRET_NAME" "$AUDIT"

attempt carol 000000
check "a locked account: refused, named" \
	[ "$(field 3 user) $(field 3 result) $(field 3 reason)" = "carol failed not available" ]

# Two wrong codes: the second locks bob out.
printf 'wrong\ny\n000000\n000000\n' |
	sandbox_run pamtester login bob authenticate >/dev/null 2>&1
check "a lockout is an event of its own" grep -q '"event":"lockout","method":null,"result":"failed","reason":"too many wrong codes"' "$AUDIT"
check "... followed by the failed reset, at the challenge" \
	[ "$(tail -1 "$AUDIT" | /usr/bin/python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["user"], j["event"], j["reason"])')" = "bob reset challenge" ]
check "every line is one JSON object" /usr/bin/python3 -c 'import json, sys
[json.loads(l) for l in open(sys.argv[1])]' "$AUDIT"
check "no code or password in the log" \
	not grep -qF -e "$NEW" -e 'OldPass' -e "$KEY" "$AUDIT"

# A log others can read is not written to; the reset still works.
chmod 0644 "$AUDIT"
lines=$(wc -l <"$AUDIT")
NEW='Second#Reset2025'
attempt alice "$(oathtool --totp --base32 -N '+30 seconds' "$KEY")"
check "a loose log: the reset still works" sandbox_password_is alice "$NEW"
check "a loose log: not written to" [ "$(wc -l <"$AUDIT")" = "$lines" ]
check "a loose log: the admin is told" \
	grep -q 'cannot write the audit log /var/log/sspr/audit.jsonl' "$SB/syslog"

# Synced with Microsoft 365: the line names the PATCH's request ids, the
# ones the emulator saw.
chmod 0600 "$AUDIT"
m365_start dave
cat "$SMTP_CA" "$M365_CA" >"$TMP/ca-both.pem"
conf_set ca_file "$TMP/ca-both.pem"
conf_set sync required
NEW='Synced#Reset2026'
attempt dave "$(oathtool --totp --base32 "$KEY")"
check "synced: Microsoft 365 has the new password" [ "$(m365_password dave)" = "$NEW" ]
ids=$(tail -1 "$AUDIT" | /usr/bin/python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)["request_ids"]))')
sent=$(m365_logq '" ".join([e["headers"]["client-request-id"] for e in L if e["method"] == "PATCH"] + [e["request-id"] for e in L if e["method"] == "PATCH"])')
check "synced: the line carries the PATCH's client-request-id and request-id" \
	[ -n "$ids" ] && [ "$ids" = "$sent" ]
finish
