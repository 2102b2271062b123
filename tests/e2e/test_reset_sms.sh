#!/bin/bash
# Codes by text message typed like a person (issue 15): "sspr enroll sms"
# registers a number typed with spaces and dashes once the texted code is
# typed back, then a reset at a real /bin/login with that number, both
# passwords changed (sync = required), against the emulator's Azure
# Communication Services signed with the access key.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
. "$TESTS_DIR/lib/tmux.sh"
. "$TESTS_DIR/lib/login.sh"
. "$TESTS_DIR/lib/m365.sh"
. "$TESTS_DIR/lib/setuid_sspr.sh"
need setpriv findmnt
[ -x "$BUILD/sspr" ] || skip_all "no $BUILD/sspr"

sandbox_init
KEY=$(head -c 32 /dev/urandom | base64)
M365_TENANT_EXTRA="{\"acs\": {\"access_key\": \"$KEY\", \"senders\": [\"+15550100100\"]}}"
sandbox_add_user alice 'Alice#Pass1'
sandbox_add_user bob 'Bob#Pass1'
m365_start alice bob
install -m 0600 /dev/null "$SB/etc/security/sspr/acs-key"
printf '%s\n' "$KEY" >"$SB/etc/security/sspr/acs-key"
sandbox_conf "sms_endpoint = $M365_URL" "sms_from = +15550100100" \
	"sms_access_key_file = /etc/security/sspr/acs-key" "sync = required" "timeout = 5" \
	"methods = sms totp" "enroll_at_login = offer"

setuid_sspr_install

sms() { m365_emu GET sms | $PY -c 'import json, sys; S = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
sms_count_is() { [ "$(sms 'len(S)')" = "$1" ]; }
sms_code() { sms 'S[-1]["message"].split()[0]'; }

# --- enroll: the number as people write it, the code from the message
term_start "$SB/enter" bash -c \
	'setpriv --reuid=alice --regid=alice --init-groups "$0" enroll sms "+81 90-1234-5678"; echo "exit status $?"' \
	"$SSPR"
check "enroll: asks for the password first" term_wait 'Password: *$'
term_answer 'Alice#Pass1' 'Code from the text message: *$'
check "enroll: the number masked" term_wait 'A code was sent to \+81 ••• •••• 5678. It expires in 10 minutes.'
check "enroll: one message" wait_for sms_count_is 1
check "enroll: to the number in E.164" [ "$(sms 'S[-1]["to"]')" = +819012345678 ]
check "enroll: the message says what the code is for" grep -q "is your code to confirm this phone on" <<<"$(sms 'S[-1]["message"]')"
code=$(sms_code)
term_answer "$code" 'exit status 0'
check "enroll: registered, told so" term_has 'Your mobile number \+81 ••• •••• 5678 is registered.'
check "enroll: the record holds the number" grep -qx 'phone = +819012345678' "$SB/state/u-alice"
check "enroll: the code is not in the record" not grep -qF "$code" "$SB/state/u-alice"

# --- status shows it masked
term_start "$SB/enter" setpriv --reuid=alice --regid=alice --init-groups "$SSPR" status
check "status: the mobile number, masked" term_wait 'mobile number \+81 ••• •••• 5678'

# --- the administrator sees it
out=$(sandbox_run "$SSPR" admin show alice)
check "admin show: the mobile number" grep -Eq '^mobile number +\+819012345678$' <<<"$out"
check "admin list: sms marked" grep -Eq '^alice +sms $' <<<"$(sandbox_run "$SSPR" admin list)"

# --- the reset at /bin/login: empty password, the texted code
login_start
term_answer alice 'Password: *$'
term_answer '' 'Code from the text message: *$'
check "login: the masked number" term_has 'A code was sent to \+81 ••• •••• 5678.'
check "login: a second message" wait_for sms_count_is 2
check "login: the message is a reset code" grep -q "is your password reset code for" <<<"$(sms 'S[-1]["message"]')"
term_answer "$(sms_code)" 'New password: *$'
term_answer 'Texted#Login2024' 'Retype new password: *$'
term_answer 'Texted#Login2024' 'Your password was changed on this computer and in Microsoft 365.'
check "login: logged in after the reset" login_shell_is alice
check "login: the new password on this host" sandbox_password_is alice 'Texted#Login2024'
check "login: and in Microsoft 365" [ "$(m365_password alice)" = 'Texted#Login2024' ]
# --- the sign-in offer registers a number the same way
login_start
term_answer bob 'Password: *$'
term_answer 'Bob#Pass1' 'Choose a number, or press Enter to skip: *$'
check "offer: the mobile phone listed first" term_has '1\) Mobile phone \(a code is sent there by text message'
check "offer: the app second" term_has '2\) Authenticator app'
term_answer 1 'Your mobile number, with \+ and the country code: *$'
term_answer '+44 7700 900123' 'Code from the text message: *$'
check "offer: a third message, to bob's number" wait_for sms_count_is 3
check "offer: to the number typed" [ "$(sms 'S[-1]["to"]')" = +447700900123 ]
term_answer "$(sms_code)" 'is registered'
check "offer: logged in" login_shell_is bob
check "offer: the record holds the number" grep -qx 'phone = +447700900123' "$SB/state/u-bob"
check "offer: outcome logged" grep -q "sms enrollment at sign-in for 'bob': mobile number registered" "$SB/syslog"
check "no key or password in the log" not grep -qF -e "$KEY" -e 'Texted#Login2024' -e 'Alice#Pass1' "$SB/syslog"
finish
