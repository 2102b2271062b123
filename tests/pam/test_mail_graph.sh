#!/bin/bash
# mail_transport = graph: sspr_mail_send() through Microsoft Graph sendMail
# against the loopback emulator (tests/emulator/m365.py).  The mail lands
# in the emulator's outbox with the right sender, recipient, subject and
# body; a missing Mail.Send permission (403), an unknown sender and a
# sender without a mailbox (404) give one clear line that names the
# problem and sends nothing; no secret appears in any output.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/graph_direct.sh"

TOOL=$BUILD/tests/mail_tool
graph_direct_init "$TOOL"

SECRET="mg-$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n')"
ROLES='["User-PasswordProfile.ReadWrite.All", "UserAuthenticationMethod.Read.All", "Mail.Send"]'

graph_direct_tenant <<EOF
{"users": {"noreply@$TENANT": {"displayName": "Password reset"},
           "nobox@$TENANT": {"mailbox": false}},
 "app_roles": $ROLES}
EOF
graph_direct_start emu server || { fail "emulator starts"; finish; }
BASE=https://localhost:$PORT

# outbox EXPR: a Python expression over the outbox list O.
outbox() {
	emu GET outbox | $PY -c 'import json, sys; O = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

secret_file "$TMP/secret" "$SECRET"

# conf NAME KEY=VALUE...: a root-only configuration; prints its path.
conf() {
	local name=$1 f=$TMP/$1.conf
	shift
	install -d -m 0700 "$TMP/state-$name"
	graph_direct_conf "$f" "client_secret_file=$TMP/secret" "authority=$BASE" \
		"graph=$BASE" "state_dir=$TMP/state-$name" connect_timeout=2 \
		mail_transport=graph "$@"
	echo "$f"
}

# send CONF TO SUBJECT BODY: sets OUT and RC.
send() {
	OUT=$(printf 'To: %s\nSubject: %s\n\n%s' "$2" "$3" "$4" | "$TOOL" "$1" 2>&1)
	RC=$?
	printf '%s\n' "$OUT" >>"$TMP/all.out"
}
has() { grep -qF -- "$1" <<<"$OUT"; }

GOOD=$(conf good "mail_from=noreply@$TENANT")
BODY=$'Your code is: 48213957\nIt expires in 10 minutes.\n\n\xc3\x89t\xc3\xa9 \xe2\x80\x94 "quoted" \\ back'

# 1. Delivered: the outbox holds exactly what was sent, from mail_from.
send "$GOOD" alice.backup@example.org "Your password reset code" "$BODY"
check "graph mail: sent" [ "$OUT/$RC" = sent/0 ]
check "outbox: one mail" [ "$(outbox 'len(O)')" = 1 ]
check "outbox: from mail_from" [ "$(outbox 'O[-1]["from"]')" = "noreply@$TENANT" ]
check "outbox: to the recipient only" \
	[ "$(outbox 'O[-1]["to"], O[-1]["cc"], O[-1]["bcc"]')" = "(['alice.backup@example.org'], [], [])" ]
check "outbox: subject" [ "$(outbox 'O[-1]["subject"]')" = "Your password reset code" ]
got_body=$(emu GET outbox | $PY -c 'import json, sys; sys.stdout.write(json.load(sys.stdin)[-1]["body"])')
check "outbox: body byte for byte (UTF-8, quotes, backslash, new lines)" [ "$got_body" = "$BODY" ]
check "outbox: plain text, not saved to Sent Items" \
	[ "$(outbox 'O[-1]["contentType"], O[-1]["saveToSentItems"]')" = "('Text', False)" ]
check "one token request, one sendMail POST as application/json" \
	[ "$(logq '[(e["method"], e["path"].rsplit("/", 1)[-1], e["status"]) for e in L]')" = "[('POST', 'token', 200), ('POST', 'sendMail', 202)]" ]
check "sendMail went to the mailbox of mail_from" \
	[ "$(logq 'L[-1]["path"]')" = "/v1.0/users/noreply@$TENANT/sendMail" ]

# A second mail reuses the cached token: one request only.
emu DELETE log >/dev/null
send "$GOOD" bob@example.org "Second" "again"
check "second mail: sent" [ "$OUT" = sent ]
check "second mail: no new token request" [ "$(logq 'len(L)')" = 1 ]
check "outbox: two mails" [ "$(outbox 'len(O)')" = 2 ]

# 2. No Mail.Send: 403, named, nothing sent.
emu PUT app '{"app_roles": ["User-PasswordProfile.ReadWrite.All"]}' >/dev/null
emu POST revoke-tokens >/dev/null
rm -f "$TMP/state-good/token.cache"
send "$GOOD" alice.backup@example.org "Denied" "x"
check "no Mail.Send: mail_tool fails" [ "$RC" = 1 ]
check "no Mail.Send: one error line" [ "$(wc -l <<<"$OUT")" = 1 ]
check "no Mail.Send: status and Graph's code" has "HTTP 403 ErrorAccessDenied"
check "no Mail.Send: names the permission" has "Mail.Send application permission"
check "no Mail.Send: errno EACCES" has "(Permission denied)"
check "no Mail.Send: nothing in the outbox" [ "$(outbox 'len(O)')" = 2 ]
emu PUT app "{\"app_roles\": $ROLES}" >/dev/null
emu POST revoke-tokens >/dev/null

# 3. A sender without a mailbox: 404, the error names it.
NOBOX=$(conf nobox "mail_from=nobox@$TENANT")
send "$NOBOX" alice.backup@example.org "No mailbox" "x"
check "sender without mailbox: fails" [ "$RC" = 1 ]
check "sender without mailbox: Graph's code" has "HTTP 404 MailboxNotEnabledForRESTAPI"
check "sender without mailbox: names the sender" has "mail_from nobox@$TENANT must be a Microsoft 365 user with an Exchange Online mailbox"
check "sender without mailbox: errno ENOENT" has "(No such file or directory)"

# 4. An unknown sender: 404 ErrorInvalidUser, named.
GHOST=$(conf ghost "mail_from=ghost@$TENANT")
send "$GHOST" alice.backup@example.org "Ghost" "x"
check "unknown sender: fails with ErrorInvalidUser" has "HTTP 404 ErrorInvalidUser"
check "unknown sender: names the sender" has "mail_from ghost@$TENANT must be"
check "failures sent nothing" [ "$(outbox 'len(O)')" = 2 ]

# 5. A missing secret file is not blamed on the mailbox.
MISSING=$(conf missing "mail_from=noreply@$TENANT" "client_secret_file=$TMP/no-such-secret")
send "$MISSING" alice.backup@example.org "x" "y"
check "missing secret file: fails" [ "$RC" = 1 ]
check "missing secret file: named" has "client_secret_file $TMP/no-such-secret"
check "missing secret file: no mailbox hint" not has "Exchange Online mailbox"

# 6. A recipient Graph would refuse never leaves the host.
emu DELETE log >/dev/null
send "$GOOD" 'not an address' "x" "y"
check "bad recipient: refused locally" [ "$RC" = 1 ]
check "bad recipient: no request" [ "$(logq 'len(L)')" = 0 ]

# No secret anywhere: not in our output, not in the emulator's log.
check "client secret never printed" not grep -qF -- "$SECRET" "$TMP/all.out"
check "mail body never in the emulator's log" not grep -qF 48213957 "$TMP/emu.log"
finish
