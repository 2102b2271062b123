#!/bin/bash
# More reset paths at a real /bin/login: two methods, the group gate, an
# expired code, a code that outlives a timed-out login, relogin.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
. "$TESTS_DIR/lib/tmux.sh"
. "$TESTS_DIR/lib/login.sh"
. "$TESTS_DIR/lib/smtp.sh"
need oathtool

KEY=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
TOTP=("totp_secret = $KEY" "totp_algorithm = sha1" "totp_digits = 6" "totp_period = 30")
sandbox_init
smtp_start
sandbox_conf "smtp_url = smtp://127.0.0.1:$SMTP_PORT" "ca_file = $SMTP_CA" \
	"mail_from = sspr@test.example"
for u in carol gina hank ivan judy kate lena; do sandbox_add_user "$u" 'OldPass#1'; done
sandbox_record carol "email = carol@example.org" "${TOTP[@]}"
sandbox_record lena "${TOTP[@]}"
for u in gina hank ivan judy kate; do sandbox_record "$u" "email = $u@example.org"; done

# Type the newest mailed code after the mail arrives.
type_mailed_code() {
	smtp_wait_count "$1" && term_answer "$(smtp_last_code)" "$2"
}
new_password() {
	term_answer "$1" 'Retype new password: *$' &&
		term_answer "$1" "${2:-Your password was changed.}"
}

# --- methods_required = 2: both methods, chosen from a menu
sandbox_conf "methods_required = 2"
login_start
term_answer carol 'Password: *$'
term_answer '' 'Choice \[1\]: *$'
check "menu lists the masked address" term_has '1\) Email code to c•••••@example.org'
check "menu lists the authenticator app" term_has '2\) Authenticator app code'
n=$(smtp_count)
term_answer 2 'Code from your authenticator app: *$'
term_answer "$(oathtool --totp --base32 "$KEY")" 'Code from the mail: *$'
check "second method is the other one, without a menu" [ "$(term_count 'Choice \[1\]')" = 1 ]
type_mailed_code $((n + 1)) 'New password: *$'
new_password 'Two#Methods8'
check "two methods: password changed" sandbox_password_is carol 'Two#Methods8'
sandbox_conf "methods_required = 1"

# --- the host's own policy (pam_pwquality) applies, though login is root
login_start
n=$(smtp_count)
term_answer kate 'Password: *$'
term_answer '' 'Code from the mail: *$'
type_mailed_code $((n + 1)) 'New password: *$'
term_answer 'Password1!' 'Retype new password: *$'
term_answer 'Password1!' 'New password: *$'
check "host policy: pam_pwquality's reason is shown" term_has 'not accepted: BAD PASSWORD: .*dictionary'
check "host policy: nothing changed" sandbox_password_is kate 'OldPass#1'
new_password 'Better#Pass#77'
check "host policy: a good password then works" sandbox_password_is kate 'Better#Pass#77'

# --- a lockout reached in one session also stops a session already open
sandbox_conf "max_failures = 2"
login_start
term_answer lena 'Password: *$'
term_answer '' 'Code from your authenticator app: *$'
first=$TERM_SOCK
TERM_SOCK= # keep the first terminal while a second one starts
login_start
term_answer lena 'Password: *$'
term_answer '' 'Code from your authenticator app: *$'
term_answer 000000 'not correct'
term_answer 000001 'Too many failed attempts'
TERM_SOCK=$first
term_answer "$(oathtool --totp --base32 "$KEY")" 'Too many failed attempts'
check "locked from another session: a right code is refused" not term_has 'New password'
check "locked from another session: password unchanged" sandbox_password_is lena 'OldPass#1'
sandbox_conf "max_failures = 5"

# --- enable = group: members only
groupadd_line="sspr-users:x:4999:hank"
echo "$groupadd_line" >>"$SB/etc/group"
sandbox_conf "enable = group" "enable_group = nosuchgroup sspr-users"
login_start
term_answer gina 'Password: *$'
term_answer '' 'Login incorrect'
check "not in the group: told what an unknown name is told" term_has 'Password reset is not available for this account'
check "not in the group: logged" grep -q "reset not available for 'gina': not enabled" "$SB/syslog"
login_start
n=$(smtp_count)
term_answer hank 'Password: *$'
term_answer '' 'Code from the mail: *$'
check "group member gets a code" smtp_wait_count $((n + 1))
sandbox_conf "enable = all"

# --- an expired code is refused (the record says it expired)
login_start
n=$(smtp_count)
term_answer ivan 'Password: *$'
term_answer '' 'Code from the mail: *$'
smtp_wait_count $((n + 1))
code=$(smtp_last_code)
sed -i 's/^code_expires = .*/code_expires = 1000/' "$SB/state/u-ivan"
term_answer "$code" 'That code has expired'
check "expired code: password unchanged" sandbox_password_is ivan 'OldPass#1'

# --- a code survives a login that timed out: typed at the next attempt
login_start
n=$(smtp_count)
term_answer judy 'Password: *$'
term_answer '' 'Code from the mail: *$'
smtp_wait_count $((n + 1))
code=$(smtp_last_code)
tmux -L "$TERM_SOCK" kill-server    # the login went away (LOGIN_TIMEOUT)
login_start
term_answer judy 'Password: *$'
term_answer '' 'Code from the mail: *$'
check "second attempt: told the earlier code is still valid" term_has 'and is still valid'
term_answer '' 'Code from the mail: *$'
check "Enter too soon for another code: told to wait, asked again" term_has 'Please wait [0-9]+ seconds'
term_answer "$code" 'New password: *$'
check "no second code mail was needed" [ "$(smtp_count)" = $((n + 1)) ]
new_password 'Later#Code7'
check "earlier code reset the password" sandbox_password_is judy 'Later#Code7'

# --- after_reset = relogin: sign in again with the new password
sandbox_conf "after_reset = relogin"
login_start
n=$(smtp_count)
term_answer gina 'Password: *$'
term_answer '' 'Code from the mail: *$'
type_mailed_code $((n + 1)) 'New password: *$'
new_password 'Relogin#Pass5' 'Please sign in again with your new password.'
term_wait 'login: *$'
term_answer gina 'Password: *$'
term_answer 'Relogin#Pass5' 'IN-AS|\$ *$'
check "relogin: the new password signs in" login_shell_is gina
finish
