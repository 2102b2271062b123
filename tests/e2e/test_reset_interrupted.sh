#!/bin/bash
# A login killed between the local change and the Microsoft 365 change
# leaves a mark in the user's record; the next reset reports it to the
# admin (LOG_CRIT) and `sspr admin show` shows it. Finished resets, good
# or refused, leave no mark.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
. "$TESTS_DIR/lib/tmux.sh"
. "$TESTS_DIR/lib/login.sh"
. "$TESTS_DIR/lib/m365.sh"
need oathtool

KEY=KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU
sandbox_init
for u in olga pete; do
	sandbox_add_user "$u" 'OldPass#1'
	sandbox_record "$u" "totp_secret = $KEY" "totp_algorithm = sha1" \
		"totp_digits = 6" "totp_period = 30"
done
m365_start olga pete
conf_set timeout 20

# reset_until_applied USER PASSWORD: take the branch with TOTP up to the retyped password.
reset_until_applied() {
	login_start
	term_answer "$1" 'Password: *$'
	term_answer '' 'Code from your authenticator app: *$'
	term_answer "$(oathtool --totp --base32 "$KEY")" 'New password: *$'
	term_answer "$2" 'Retype new password: *$'
	term_type "$2"
}

# --- a finished reset leaves no mark
reset_until_applied pete 'Finished#Reset4'
term_wait 'changed on this computer and in Microsoft 365'
check "finished reset: no mark left" not grep -q '^sync_pending' "$SB/state/u-pete"

# --- the login dies while Microsoft 365 is being asked
m365_fault '{"method": "PATCH", "path": "^/v1.0/users/olga", "action": "hang"}'
reset_until_applied olga 'Killed#Reset5'
wait_for grep -q '^sync_pending = ' "$SB/state/u-olga"
wait_for sandbox_password_is olga 'Killed#Reset5'
kill -9 "$(tmux -L "$TERM_SOCK" display -p -t t '#{pane_pid}')"
check "killed mid-way: the mark stays in the record" grep -q '^sync_pending = ' "$SB/state/u-olga"
check "killed mid-way: Microsoft 365 still has the old password" [ "$(m365_password olga)" = 'OldPass#1' ]
check "admin show: the unfinished sync is listed" \
	grep -q 'unfinished sync' <<<"$(sandbox_run "$BUILD/sspr" admin show olga)"

# --- the next reset tells the admin
login_start
term_answer olga 'Password: *$'
term_answer '' 'Code from your authenticator app: *$'
# authpriv (10) * 8 + LOG_CRIT (2) = 82
check "next reset: LOG_CRIT names the unfinished change" \
	grep -q "^<82>.*earlier reset of 'olga' .* the two passwords may differ" "$SB/syslog"
finish
