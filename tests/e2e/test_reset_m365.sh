#!/bin/bash
# The reset at a real /bin/login with sync = required against the
# Microsoft 365 emulator (issue 5): both passwords change, or neither.
# Every refusal leaves the shadow line byte for byte as it was and shows
# one sentence; the Entra-registered email and Graph sendMail work as
# methods and transport.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
. "$TESTS_DIR/lib/tmux.sh"
. "$TESTS_DIR/lib/login.sh"
. "$TESTS_DIR/lib/smtp.sh"
. "$TESTS_DIR/lib/m365.sh"

USERS=(alice bob carol dave erin frank gina hank ivan judy kim lee)
sandbox_init
smtp_start
sandbox_conf "smtp_url = smtp://127.0.0.1:$SMTP_PORT" \
	"mail_from = sspr@test.example" "sync = required" "timeout = 3"
for u in "${USERS[@]}"; do sandbox_add_user "$u" 'OldPass#1'; done
for u in "${USERS[@]}"; do
	# kim has no local record: her address comes from Entra
	[ "$u" = kim ] || sandbox_record "$u" "email = $u@example.org"
done
m365_user frank '{"onPremisesSyncEnabled": true}'
m365_user kim '{"emailMethods": ["kim.backup@example.org"]}'
m365_user noreply '{"mailbox": true}'
# erin exists on this host only
m365_start alice bob carol dave frank gina hank ivan judy kim lee noreply
# The sandbox's ca_file is the emulator's CA; SMTP is plain-text loopback,
# but its own CA must be trusted too when it offers STARTTLS.
cat "$SMTP_CA" >>"$TMP/m365-pki/ca-both.pem"
cat "$M365_CA" >>"$TMP/m365-pki/ca-both.pem"
conf_set ca_file "$TMP/m365-pki/ca-both.pem"

CHANGED="Your password was changed on this computer and in Microsoft 365."
UNREACHABLE="Microsoft 365 could not be reached, so your password was not changed. Try again later."
UNCONFIRMED="Microsoft 365 did not confirm the change, so your password on this computer was not changed. If your old password no longer works in Microsoft 365, contact your administrator."
COMPLEXITY="Microsoft 365 did not accept this password: it does not meet the password rules or is too common. Choose a different one."
FORBIDDEN="Microsoft 365 refused the change: this computer is not allowed to reset your password. Contact your administrator."
NOTFOUND="Your account was not found in Microsoft 365. Contact your administrator."
SYNCED="Reset your password through your organisation's on-premises process."
SENTENCES=("$UNREACHABLE" "$COMPLEXITY" "$FORBIDDEN" "$NOTFOUND" "$SYNCED")

secrets=("$M365_SECRET")
no_secret_logged() {
	local s
	for s in "${secrets[@]}"; do
		[ -n "$s" ] || continue
		grep -qF -- "$s" "$SB/syslog" && { echo "logged: $s" >&2; return 1; }
	done
	return 0
}

# screen_says SENTENCE: exactly this Microsoft 365 sentence is on the
# screen, once, and none of the others.
screen_says() {
	local want=$1 s n
	n=$(term_screen | grep -cF -- "$want")
	[ "$n" = 1 ] || { echo "'$want' shown $n times" >&2; term_screen >&2; return 1; }
	for s in "${SENTENCES[@]}"; do
		[ "$s" = "$want" ] && continue
		term_screen | grep -qF -- "$s" && { echo "also shown: $s" >&2; return 1; }
	done
	return 0
}

# code_for USER [MATCH]: sign in as USER with an empty password, type the
# emailed code, and wait for MATCH (default the new password prompt).
code_for() {
	local user=$1 match=${2:-'New password: *$'} mails code
	login_start
	term_answer "$user" 'Password: *$' || return 1
	mails=$(smtp_count)
	term_answer '' 'Code from the mail: *$' || return 1
	smtp_wait_count $((mails + 1)) || { fail "code mail for $user"; return 1; }
	code=$(smtp_last_code)
	secrets+=("$code")
	term_answer "$code" "$match"
}

# new_password PW MATCH: type it twice, wait for MATCH.
new_password() {
	secrets+=("$1")
	term_answer "$1" 'Retype new password: *$' &&
		term_answer "$1" "$2"
}

# logged_ids METHOD: the last such request's client-request-id (and
# request-id, when the server answered) appear in syslog.
logged_ids() {
	local crid rid
	crid=$(m365_logq "[e['headers']['client-request-id'] for e in L if e['method'] == '$1'][-1]")
	rid=$(m365_logq "[e['request-id'] for e in L if e['method'] == '$1' and e['status'] is not None][-1:]")
	grep -qF "client-request-id=$crid" "$SB/syslog" || { echo "no $crid in syslog" >&2; return 1; }
	rid=${rid#"['"}
	rid=${rid%"']"}
	[ "$rid" = "[]" ] || grep -qF "request-id=$rid" "$SB/syslog" || { echo "no $rid in syslog" >&2; return 1; }
}

# --- success: both passwords change; first use fetches one token
m365_clear
code_for alice
new_password 'Maple#Tree2024' 'changed on this computer and in Microsoft 365'
check "alice: screen says changed here and in Microsoft 365" term_has "$CHANGED"
check "alice: is logged in after the reset" login_shell_is alice
check "alice: emulator holds the new password" [ "$(m365_password alice)" = 'Maple#Tree2024' ]
check "alice: shadow verifies the new password" sandbox_password_is alice 'Maple#Tree2024'
check "alice: one token request, one lookup, one PATCH" \
	[ "$(m365_count POST /token 200)/$(m365_count GET "^/v1.0/users/alice@" 200)/$(m365_count PATCH /v1.0/users/ 204)" = 1/1/1 ]
# One connection for the whole reset: the PATCH after the last keystroke
# goes on the user lookup's connection, with no new handshake.
same_connection='[e["connection"] for e in L if e["method"] == "GET"][-1:] == [e["connection"] for e in L if e["method"] == "PATCH"] and [e["on_connection"] > 1 for e in L if e["method"] == "PATCH"] == [True]'
check "alice: the PATCH reuses the lookup's connection" [ "$(m365_logq "$same_connection")" = True ]
check "alice: success logged" grep -q "password of 'alice' reset on this host and in Microsoft 365" "$SB/syslog"

# --- warm: a second reset (another user) fetches no token
m365_clear
code_for bob
new_password 'River#Stone77' 'changed on this computer and in Microsoft 365'
check "bob: emulator holds the new password" [ "$(m365_password bob)" = 'River#Stone77' ]
check "bob: shadow verifies the new password" sandbox_password_is bob 'River#Stone77'
check "token cached: no token request for the second reset" [ "$(m365_count POST /token)" = 0 ]
check "token cached: the reset is one lookup and one PATCH" \
	[ "$(m365_logq '[e["method"] for e in L]')" = "['GET', 'PATCH']" ]
check "token cached: the PATCH reuses the lookup's connection" [ "$(m365_logq "$same_connection")" = True ]

# --- banned by Entra, restored; then a good password in the same session
m365_clear
before=$(sandbox_shadow carol)
code_for carol
new_password 'Contoso#2024' 'New password: *$'
check "carol: banned password: the complexity sentence" screen_says "$COMPLEXITY"
check "carol: banned password: shadow line unchanged" [ "$before" = "$(sandbox_shadow carol)" ]
check "carol: banned password: emulator unchanged" [ "$(m365_password carol)" = 'OldPass#1' ]
check "carol: refusal logged with its ids" logged_ids PATCH
new_password 'Quiet#Harbor88' 'changed on this computer and in Microsoft 365'
check "carol: second password: both changed" \
	[ "$(m365_password carol)" = 'Quiet#Harbor88' ]
check "carol: second password in the shadow file" sandbox_password_is carol 'Quiet#Harbor88'

# failure_case USER SENTENCE: after the fault is queued, reset USER to a
# good password; the login fails, the shadow line and the emulator's
# password stay as they were.
failure_case() {
	local user=$1 want=$2 before
	before=$(sandbox_shadow "$user")
	code_for "$user"
	new_password 'Ocean#Wave2024' 'Login incorrect'
	check "$user: the one right sentence" screen_says "$want"
	check "$user: not said to be changed" not term_has "Your password was changed"
	check "$user: shadow line byte for byte as before" [ "$before" = "$(sandbox_shadow "$user")" ]
	check "$user: old password still verifies" sandbox_password_is "$user" 'OldPass#1'
	check "$user: emulator password unchanged" [ "$(m365_password "$user")" = 'OldPass#1' ]
	check "$user: restore logged" grep -q "new password of '$user' .*restoring the previous local password" "$SB/syslog"
}

# --- 403: the app's service principal has no directory role
m365_clear
m365_emu PUT app '{"directory_role": []}' >/dev/null
failure_case dave "$FORBIDDEN"
check "dave: 403 Authorization_RequestDenied logged" grep -q 'HTTP 403 Authorization_RequestDenied' "$SB/syslog"
check "dave: refusal logged with its ids" logged_ids PATCH
m365_emu PUT app '{"directory_role": ["User Administrator"]}' >/dev/null

# --- 404: erin is not in Microsoft 365; refused before a new password
m365_clear
before=$(sandbox_shadow erin)
code_for erin 'Login incorrect'
check "erin: not-found sentence" screen_says "$NOTFOUND"
check "erin: never asked for a new password" not term_has 'New password'
check "erin: shadow line unchanged" [ "$before" = "$(sandbox_shadow erin)" ]
check "erin: no PATCH sent" [ "$(m365_count PATCH .)" = 0 ]
check "erin: 404 logged with ids" logged_ids GET

# --- synced from on-premises: refused before a new password (precheck)
m365_clear
before=$(sandbox_shadow frank)
code_for frank 'Login incorrect'
check "frank: on-premises sentence" screen_says "$SYNCED"
check "frank: never asked for a new password" not term_has 'New password'
check "frank: shadow line unchanged" [ "$before" = "$(sandbox_shadow frank)" ]
check "frank: no PATCH sent" [ "$(m365_count PATCH .)" = 0 ]
check "frank: emulator unchanged" [ "$(m365_password frank)" = 'OldPass#1' ]
check "frank: logged as synced" grep -q "synced from on-premises" "$SB/syslog"

# --- 429 with a Retry-After past the deadline (timeout = 3)
m365_clear
m365_fault '{"method": "PATCH", "path": "^/v1.0/users/", "status": 429, "retry_after": 60}'
t0=$SECONDS
failure_case gina "$UNREACHABLE"
check "gina: gave up without waiting out Retry-After ($((SECONDS - t0)) s)" [ $((SECONDS - t0)) -lt 20 ]
check "gina: one PATCH, answered 429" [ "$(m365_count PATCH . 429)/$(m365_count PATCH .)" = 1/1 ]
check "gina: throttling logged with ids" logged_ids PATCH

# --- 503 once, then success
m365_clear
m365_fault '{"method": "PATCH", "path": "^/v1.0/users/", "status": 503}'
code_for hank
new_password 'Silver#Fern303' 'changed on this computer and in Microsoft 365'
check "hank: 503 then 204" [ "$(m365_count PATCH . 503)/$(m365_count PATCH . 204)" = 1/1 ]
check "hank: emulator holds the new password" [ "$(m365_password hank)" = 'Silver#Fern303' ]
check "hank: shadow verifies the new password" sandbox_password_is hank 'Silver#Fern303'

# --- the connection drops on PATCH: not retried, restored
m365_clear
m365_fault '{"method": "PATCH", "path": "^/v1.0/users/", "action": "drop"}'
failure_case ivan "$UNCONFIRMED"
check "ivan: PATCH sent once, not retried" [ "$(m365_count PATCH .)" = 1 ]
check "ivan: drop logged with the client-request-id" logged_ids PATCH
check "ivan: the admin hears the outcome is unknown (LOG_CRIT)" \
	grep -q "^<82>.*did not confirm the new password of 'ivan'" "$SB/syslog"
check "ivan: the unconfirmed change stays in the journal" grep -q '^stage = unconfirmed$' "$SB/state/j-ivan"

# --- a server whose certificate the module does not trust
m365_start_rogue
conf_set authority "$M365_ROGUE_URL"
conf_set graph "$M365_ROGUE_URL"
before=$(sandbox_shadow judy)
code_for judy 'Login incorrect'
check "judy: untrusted CA: unreachable sentence" screen_says "$UNREACHABLE"
check "judy: never asked for a new password" not term_has 'New password'
check "judy: shadow line unchanged" [ "$before" = "$(sandbox_shadow judy)" ]
check "judy: no request reached the untrusted server" [ "$(m365_rogue_log)" = "[]" ]
check "judy: the server saw a failed handshake" grep -q "TLS handshake failed" "$M365_ROGUE_LOG"
check "judy: certificate problem logged" grep -qi "certificate" "$SB/syslog"
conf_set authority "$M365_URL"
conf_set graph "$M365_URL"

# --- email_source = entra: no local record, the Entra address gets the code
conf_set email_source entra
m365_clear
mails=$(smtp_count)
code_for kim
check "kim: code went to the Entra-registered address" \
	[ "$(smtp_last_header To)" = kim.backup@example.org ]
check "kim: address read from emailMethods" [ "$(m365_count GET '^/v1.0/users/kim@.*/authentication/emailMethods$' 200)" = 1 ]
new_password 'Amber#Cloud515' 'changed on this computer and in Microsoft 365'
check "kim: emulator holds the new password" [ "$(m365_password kim)" = 'Amber#Cloud515' ]
check "kim: shadow verifies the new password" sandbox_password_is kim 'Amber#Cloud515'
check "kim: still no local record with an address" not grep -qs '^email' "$SB/state/u-kim"
conf_set email_source ""

# --- mail_transport = graph: the code goes out through sendMail
conf_set mail_transport graph
conf_set mail_from "noreply@$M365_TENANT"
m365_emu DELETE outbox >/dev/null
m365_clear
mails=$(smtp_count)
login_start
term_answer lee 'Password: *$'
if term_answer '' 'Code from the mail: *$' && wait_for [ "$(m365_outbox_count)" -ge 1 ]; then
	code=$(m365_outbox_last body | grep -Eo '[Cc]ode is: [0-9]{6,8}' | grep -Eo '[0-9]{6,8}' | head -n 1)
	secrets+=("$code")
	check "graph mail: sent to lee's address" [ "$(m365_outbox_last to)" = lee@example.org ]
	check "graph mail: from the configured mailbox" [ "$(m365_outbox_last from)" = "noreply@$M365_TENANT" ]
	check "graph mail: nothing through SMTP" [ "$(smtp_count)" = "$mails" ]
	term_answer "$code" 'New password: *$'
	new_password 'Cobalt#Lake626' 'changed on this computer and in Microsoft 365'
	check "lee: emulator holds the new password" [ "$(m365_password lee)" = 'Cobalt#Lake626' ]
	check "lee: shadow verifies the new password" sandbox_password_is lee 'Cobalt#Lake626'
else
	fail "graph mail: the code appears in the emulator's outbox"
fi
conf_set mail_transport ""

# --- nothing secret in syslog
token=$(sed -n 's/^token //p' "$SB/state/token.cache" 2>/dev/null)
check "a token was cached (root-only)" [ -n "$token" -a "$(stat -c '%a %U' "$SB/state/token.cache")" = "600 root" ]
secrets+=("$token")
check "no client secret, password, token or code in syslog" no_secret_logged
finish
