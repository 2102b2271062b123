#!/bin/bash
# "Help us protect your account" at a real /bin/login in tmux, in the
# sandbox: enroll_at_login = offer (skip with Enter, then not asked again
# before the reminder; or register a backup email with a mailed code) and
# require (no skip; register an authenticator app, code from oathtool).
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
. "$TESTS_DIR/lib/tmux.sh"
. "$TESTS_DIR/lib/login.sh"
. "$TESTS_DIR/lib/smtp.sh"
need oathtool
[ -f "$BUILD/pam_sspr/sspr-flow.so" ] || skip_all "no $BUILD/pam_sspr/sspr-flow.so"

sandbox_init
smtp_start
sandbox_conf "smtp_url = smtp://localhost:$SMTP_PORT" "ca_file = $SMTP_CA" \
	"mail_from = sspr@example.com" "enroll_at_login = offer" \
	"enroll_remind_days = 7"
sandbox_add_user alice 'Alice#Pass1'
sandbox_add_user carol 'Carol#Pass1'
sandbox_add_user dave 'Dave#Pass1'
OFFER='Choose a number, or press Enter to skip: *$'
REQUIRE='Choose a number: *$'

# A new login in a new tmux server, once the previous server is gone
# (starting one while the old one still shuts down can fail).
fresh_login() {
	if [ -n "${TERM_SOCK:-}" ]; then
		tmux -L "$TERM_SOCK" kill-server 2>/dev/null
		wait_for bash -c "! tmux -L '$TERM_SOCK' ls >/dev/null 2>&1"
		wait_for test ! -S "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TERM_SOCK"
	fi
	login_start
}
set_mode() { sed -i "s/^enroll_at_login = .*/enroll_at_login = $1/" "$SSPR_CONF"; }
field() { sed -n "s/^$2 = //p" "$SB/state/u-$1"; }

# --- offer: skip with Enter, logged in, reminder saved
fresh_login
term_answer alice 'Password: *$'
term_answer 'Alice#Pass1' "$OFFER"
check "offer: the heading" term_wait 'Help us protect your account'
check "offer: says why" term_wait 'reset it yourself at this login prompt'
check "offer: both methods listed" term_wait '2\) Authenticator app'
now=$(date +%s)
term_answer '' 'sspr enroll'
check "offer: skipping is logged in" login_shell_is alice
remind=$(field alice remind_after)
week_ahead() {
	[ -n "$remind" ] && [ "$remind" -ge $((now + 7 * 86400 - 5)) ] &&
		[ "$remind" -le $((now + 7 * 86400 + 60)) ]
}
check "offer: remind_after about 7 days ahead" week_ahead
check "offer: skip logged" grep -q "'alice' skipped enrollment at sign-in" "$SB/syslog"

# --- offer again right away: not asked
fresh_login
term_answer alice 'Password: *$'
term_answer 'Alice#Pass1' 'IN-AS|\$ *$|Choose a number' 10 || true
check "offer again at once: logged in" login_shell_is alice
not_asked() { ! term_screen | grep -q 'Help us protect'; }
check "offer again at once: not asked" not_asked

# --- offer: register a backup email with the mailed code
fresh_login
term_answer carol 'Password: *$'
term_answer 'Carol#Pass1' "$OFFER"
term_answer 1 'Your backup email address: *$'
term_answer carol.backup@example.org 'Code from the mail: *$'
check "offer email: code mailed" smtp_wait_count 1
code=$(smtp_last_code)
check "offer email: to the new address" [ "$(smtp_last_header To)" = carol.backup@example.org ]
term_answer "$code" 'is registered'
check "offer email: logged in" login_shell_is carol
check "offer email: record has the address" [ "$(field carol email)" = carol.backup@example.org ]
check "offer email: code not in the log" bash -c "! grep -qF '$code' '$SB/syslog'"
check "offer email: outcome logged" grep -q "email enrollment at sign-in for 'carol': backup email address registered" "$SB/syslog"

# --- require: no skip; register the authenticator app
set_mode require
fresh_login
term_answer alice 'Password: *$'
term_answer 'Alice#Pass1' "$REQUIRE"
check "require: asked despite the reminder" term_wait 'Help us protect your account'
term_answer '' 'Type one of the numbers shown.'
check "require: Enter does not skip" true
term_answer 2 'Code from your authenticator app: *$'
uri=$(term_screen | grep -o 'otpauth://totp/[^ ]*' | head -n 1)
secret=$(sed -n 's/.*[?&]secret=\([A-Z2-7]*\).*/\1/p' <<<"$uri")
check "require: otpauth URI shown" [ -n "$secret" ]
term_answer "$(oathtool --totp --base32 "$secret")" 'authenticator app is registered'
check "require: logged in after enrolling" login_shell_is alice
check "require: record has the key" [ "$(field alice totp_secret)" = "$secret" ]
check "require: key not in the log" bash -c "! grep -qF '$secret' '$SB/syslog'"

# --- require, and nothing registered: this login ends (with the module
# "required" in the session stack; "optional" would let it go on), with a
# sentence saying what to do. The next login asks again.
sed -i "s|^session[[:space:]]*optional[[:space:]]*$MODULE|session required $MODULE|" \
	"$SB/etc/pam.d/common-session"
fresh_login
term_answer dave 'Password: *$'
term_answer 'Dave#Pass1' "$REQUIRE"
term_answer 9 "Type one of the numbers shown"
term_answer x "Type one of the numbers shown"
term_answer '' 'You cannot sign in until'
check "require failed: says what to do" term_wait 'Sign in again to try once more'
no_shell() {
	term_type 'echo "IN-AS-$(id -un)"'
	sleep 2
	! term_screen | grep -q '^IN-AS-dave$'
}
check "require failed: no shell" no_shell
check "require failed: logged" grep -q "'dave' did not complete the required enrollment" "$SB/syslog"
sed -i "s|^session required $MODULE|session\toptional\t\t\t$MODULE|" \
	"$SB/etc/pam.d/common-session"

# --- require, satisfied: not asked again
fresh_login
term_answer alice 'Password: *$'
term_answer 'Alice#Pass1' 'IN-AS|\$ *$|Choose a number' 10 || true
check "require met: logged in" login_shell_is alice
check "require met: not asked" not_asked

finish
