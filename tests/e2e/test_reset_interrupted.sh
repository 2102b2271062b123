#!/bin/bash
# A login killed between the local change and the Microsoft 365 change
# leaves its journal of intent; `sspr admin show` and `list` show it, and
# the next sign-in of that user finishes the change before anything else
# (here: Microsoft 365 never got the password, so the previous local one
# is put back and the person is told). Finished resets leave nothing.
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

# --- a finished reset leaves no journal
reset_until_applied pete 'Finished#Reset4'
term_wait 'changed on this computer and in Microsoft 365'
check "finished reset: no journal left" not test -e "$SB/state/j-pete"
check "finished reset: no temporary file left" \
	test -z "$(ls -A "$SB/state" | grep '^\.')$(ls -A "$SB/etc" | grep -e '^\.sspr-shadow' -e '^nshadow$')"

# --- the login dies while Microsoft 365 is being asked
before=$(sandbox_shadow olga)
m365_fault '{"method": "PATCH", "path": "^/v1.0/users/olga", "action": "hang"}'
reset_until_applied olga 'Killed#Reset5'
wait_for grep -q '^stage = sending$' "$SB/state/j-olga"
wait_for sandbox_password_is olga 'Killed#Reset5'
kill -9 "$(tmux -L "$TERM_SOCK" display -p -t t '#{pane_pid}')"
check "killed mid-way: the journal stays, stage sending" grep -q '^stage = sending$' "$SB/state/j-olga"
check "killed mid-way: the journal is root-only" [ "$(stat -c '%a %U' "$SB/state/j-olga")" = "600 root" ]
check "killed mid-way: the journal holds no password" not grep -qF 'Killed#Reset5' "$SB/state/j-olga"
check "killed mid-way: Microsoft 365 still has the old password" [ "$(m365_password olga)" = 'OldPass#1' ]
show=$(sandbox_run "$BUILD/sspr" admin show olga)
check "admin show: the unfinished change and what each side holds" \
	grep -q 'this host *the new password' <<<"$show"
check "admin list: the unfinished change is marked" \
	grep -q '^olga .*unfinished-password-change' <<<"$(sandbox_run "$BUILD/sspr" admin list)"
check "admin show --json: the unfinished change" /usr/bin/python3 -c '
import json, sys
c = json.loads(sys.argv[1])["unfinished_change"]
sys.exit(0 if c["kind"] == "reset" and c["this_host"] == "new" and c["started"] > 0 else 1)' \
	"$(sandbox_run "$BUILD/sspr" admin show olga --json)"
check "admin list --json: the unfinished change" /usr/bin/python3 -c '
import json, sys
u = [u for u in json.loads(sys.argv[1])["users"] if u["user"] == "olga"]
sys.exit(0 if u and u[0]["unfinished_password_change"] else 1)' \
	"$(sandbox_run "$BUILD/sspr" admin list --json)"

# --- the next sign-in (with the new local password) finishes it first
login_start
term_answer olga 'Password: *$'
term_answer 'Killed#Reset5' 'previous password is valid again'
check "next sign-in: the audit line says what was done" \
	grep -q "interrupted password change of 'olga' (reset .* stage sending): Microsoft 365 has the old password, this host had the new password: the previous local password was put back" "$SB/syslog"
check "next sign-in: shadow line byte for byte as before" [ "$before" = "$(sandbox_shadow olga)" ]
check "next sign-in: the journal is gone" not test -e "$SB/state/j-olga"
check "next sign-in: Microsoft 365 has the old password" [ "$(m365_password olga)" = 'OldPass#1' ]
check "next sign-in: this host has the old password" sandbox_password_is olga 'OldPass#1'
finish
