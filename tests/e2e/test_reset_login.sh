#!/bin/bash
# The "forgot password" branch at a real /bin/login, typed like a person,
# one check per user-visible path (issue 4).
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
. "$TESTS_DIR/lib/tmux.sh"
. "$TESTS_DIR/lib/login.sh"
. "$TESTS_DIR/lib/smtp.sh"
need oathtool

KEY=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP
sandbox_init
smtp_start
sandbox_conf "smtp_url = smtp://127.0.0.1:$SMTP_PORT" "ca_file = $SMTP_CA" \
	"mail_from = sspr@test.example" "admin_contact = admin@test.example"
for u in alice bob carol dave erin frank; do sandbox_add_user "$u" 'OldPass#1'; done
sandbox_record alice "email = alice.backup@example.org"
sandbox_record bob "totp_secret = $KEY" "totp_algorithm = sha1" "totp_digits = 6" "totp_period = 30"
sandbox_record carol "email = carol@example.org" "totp_secret = $KEY" "totp_algorithm = sha1" "totp_digits = 6" "totp_period = 30"
sandbox_record dave "email = dave@example.org"
sandbox_record frank "email = frank@example.org"

# No secret typed below may ever reach the log.
secrets=()
no_secret_logged() {
	local s
	for s in "${secrets[@]}"; do
		grep -qF -- "$s" "$SB/syslog" && { echo "logged: $s" >&2; return 1; }
	done
	return 0
}
totp_now() { oathtool --totp --base32 "$KEY"; }

# --- correct password: the branch is never offered
login_start
term_answer alice 'Password: *$'
term_answer 'OldPass#1' 'IN-AS|\$ *$' && login_shell_is alice
check "correct password logs in, no reset offered" not term_has Forgot

# --- wrong password, answer No
before=$(sandbox_shadow alice)
login_start
term_answer alice 'Password: *$'
term_answer 'Wrong#1' 'Forgot your password\? Reset it now \[y/N\]: *$'
term_answer n 'Login incorrect'
check "wrong password + No: login incorrect, nothing changed" [ "$before" = "$(sandbox_shadow alice)" ]

# --- empty password goes straight to the branch: reset by email code
mails=$(smtp_count)
login_start
term_answer alice 'Password: *$'
term_answer '' 'Code from the mail: *$'
check "empty password: code sent, masked address shown" term_wait 'A code was sent to a•••••@example.org. It expires in 10 minutes.'
smtp_wait_count $((mails + 1))
code=$(smtp_last_code)
secrets+=("$code" 'Tulip#Harbor42')
check "code mail goes to the registered address" [ "$(smtp_last_header To)" = alice.backup@example.org ]
term_answer "$code" 'New password: *$'
term_answer 'Tulip#Harbor42' 'Retype new password: *$'
term_answer 'Tulip#Harbor42' 'Your password was changed.'
check "after the reset the user is logged in" login_shell_is alice
check "new password is in the shadow file" sandbox_password_is alice 'Tulip#Harbor42'
check "old password no longer works" not sandbox_password_is alice 'OldPass#1'
smtp_wait_count $((mails + 2))
check "change notice mailed to the registered address" [ "$(smtp_last_header To)" = alice.backup@example.org ]
check "change notice says the password was changed" grep -q "was changed" <<<"$(smtp_last_header Subject)"
check "the code is not in the store record" not grep -q "$code" "$SB/state/u-alice"

# --- reset with the authenticator app (TOTP)
login_start
term_answer bob 'Password: *$'
term_answer '' 'Code from your authenticator app: *$'
term_answer "$(totp_now)" 'New password: *$'
term_answer 'Totp#Pass9' 'Retype new password: *$'
term_answer 'Totp#Pass9' 'Your password was changed.'
secrets+=('Totp#Pass9')
check "TOTP reset changes the password" sandbox_password_is bob 'Totp#Pass9'

# --- a policy-violating new password, then a good one
login_start
term_answer dave 'Password: *$'
mails=$(smtp_count)
term_answer '' 'Code from the mail: *$'
smtp_wait_count $((mails + 1))
term_answer "$(smtp_last_code)" 'New password: *$'
term_answer 'short' 'New password: *$'
check "policy failures are named" term_wait 'It must have at least 8 characters.'
check "policy: classes named" term_wait 'It must use three of these four'
term_answer 'Good#Pass#2024' 'Retype new password: *$'
term_answer 'Good#Pass#2024' 'Your password was changed.'
check "second, good password is set" sandbox_password_is dave 'Good#Pass#2024'

# --- no registered method: same sentence as unknown users, admin request
login_start
term_answer erin 'Password: *$'
term_answer '' 'request to reset your password\? \[y/N\]: *$'
check "no methods: says how to register" term_wait 'sign in and run "sspr enroll"'
mails=$(smtp_count)
term_answer y 'Your request has been recorded.'
smtp_wait_count $((mails + 1))
check "admin request mail goes to admin_contact" [ "$(smtp_last_header To)" = admin@test.example ]
check "admin request names the user" grep -q "erin" <<<"$(smtp_last_body)"
login_start
term_answer erin 'Password: *$'
mails=$(smtp_count)
term_answer '' 'request to reset your password\? \[y/N\]: *$'
term_answer y 'Your request has been recorded.'
check "a second admin request within the hour is not mailed" [ "$(smtp_count)" = "$mails" ]
check "and the log says why" grep -q "reset request of 'erin' not mailed: one was sent within the last hour" "$SB/syslog"

login_start
term_answer nosuchuser 'Password: *$'
term_answer '' 'request to reset your password\? \[y/N\]: *$'
check "unknown user hears the same sentence" term_wait 'sign in and run "sspr enroll"'
term_answer n 'Login incorrect'

# --- wrong codes until the branch locks
sandbox_conf "max_failures = 3"
login_start
term_answer frank 'Password: *$'
term_answer '' 'Code from the mail: *$'
term_answer 11111111 'not correct. 2 attempts left'
term_answer 22222222 'not correct. 1 attempt left'
term_answer 33333333 'Too many failed attempts. Password reset is locked'
check "lockout recorded" grep -q '^locked_until = ' "$SB/state/u-frank"
login_start
term_answer frank 'Password: *$'
term_answer '' 'request to reset your password\? \[y/N\]: *$|Login incorrect'
check "locked user hears the not-available sentence" term_wait 'Password reset is not available for this account'
check "lockout logged" grep -q "reset locked for 'frank'" "$SB/syslog"

# --- an account the administrator locked: never offered, never changed
sandbox_run passwd -l dave >/dev/null
before=$(sandbox_shadow dave)
mails=$(smtp_count)
login_start
term_answer dave 'Password: *$'
term_answer '' 'request to reset your password\? \[y/N\]: *$'
check "passwd -l: the not-available sentence" term_has 'Password reset is not available for this account'
term_answer y 'Your request has been recorded.'
term_wait 'Login incorrect'
check "passwd -l: shadow line unchanged" [ "$before" = "$(sandbox_shadow dave)" ]
check "passwd -l: no code and no request mailed" [ "$(smtp_count)" = "$mails" ]

check "no code or password in syslog" no_secret_logged
check "audit: code sent, accepted and changes logged" bash -c \
	"grep -q \"reset code sent by email for 'alice'\" '$SB/syslog' &&
	 grep -q \"email code accepted for 'alice'\" '$SB/syslog' &&
	 grep -q \"password of 'alice' reset\" '$SB/syslog'"
finish
