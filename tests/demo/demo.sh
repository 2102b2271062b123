#!/bin/bash
# make demo: pam_sspr at a real /bin/login, in a sandbox, with a loopback
# mail server and a Microsoft 365 emulator, shown side by side in tmux.
#
#   demo.sh           interactive (needs a terminal): tmux attach
#   demo.sh --check   the same setup, one reset typed like a person,
#                     PASS:/FAIL: lines, then everything is torn down
#
# Run as root after make (BUILD= the build directory).  The host's /etc and
# /var/log are never touched: login runs in the pristine test root, chrooted
# in a private mount namespace (tests/lib/sandbox.sh).  Everything lives in one temporary directory and
# is removed on exit.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
. "$TESTS_DIR/lib/smtp.sh"
. "$TESTS_DIR/lib/tmux.sh"
. "$TESTS_DIR/lib/login.sh"
. "$TESTS_DIR/lib/m365.sh"

DEMO_DIR=$TESTS_DIR/demo
USER_NAME=demo
OLD_PASS='Old#Pass1'
NEW_PASS='New#Pass22'
BACKUP_EMAIL=demo.backup@example.org
PHONE=+819012345678
UPN=$USER_NAME@$M365_TENANT

mode=interactive
case ${1:-} in
--check) mode=check ;;
"") [ -t 0 ] && [ -t 1 ] || { echo "demo: no terminal, running --check"; mode=check; } ;;
*) echo "usage: demo.sh [--check]" >&2; exit 2 ;;
esac

# Leave through the EXIT trap (lib.sh's cleanups) on these signals too.
trap 'exit 130' INT TERM HUP

[ "$(id -u)" = 0 ] || { echo "demo: run it as root (it makes a private mount namespace)" >&2; exit 77; }
for t in tmux oathtool openssl curl unshare; do
	command -v "$t" >/dev/null || { echo "demo: $t is missing (tests/setup.sh installs it)" >&2; exit 77; }
done
for f in "$BUILD/pam_sspr.so" "$BUILD/pam_sspr/sspr-flow.so"; do
	[ -f "$f" ] || { echo "demo: $f is missing: run make first" >&2; exit 77; }
done
$PY -c 'import aiosmtpd, cryptography' 2>/dev/null ||
	{ echo "demo: python3-aiosmtpd and python3-cryptography are needed" >&2; exit 77; }

if [ "$mode" = interactive ]; then
	SOCK=sspr-demo
	# One demo at a time; a server left by a demo that died is removed.
	owner=$(tmux -L "$SOCK" show-environment -g SSPR_DEMO_PID 2>/dev/null | cut -d= -f2)
	if [ -n "$owner" ] && kill -0 "$owner" 2>/dev/null; then
		echo "A demo is already running.  Join it:  tmux -L $SOCK attach" >&2
		exit 1
	fi
	stale=$(tmux -L "$SOCK" show-environment -g SSPR_DEMO_DIR 2>/dev/null | cut -d= -f2)
	tmux -L "$SOCK" kill-server 2>/dev/null
	case $stale in /tmp/sspr-test.?*) rm -rf -- "$stale" ;; esac
else
	SOCK=sspr-demo-check-$$
fi

# ---- the sandbox, the user and the methods
echo "demo: setting up the sandbox, mail server and Microsoft 365 emulator in $TMP"
sandbox_init
# Time to read the screen: a longer login timeout than the default 60 s,
# in the sandbox's copy of login.defs only.
sed -i 's/^LOGIN_TIMEOUT.*/LOGIN_TIMEOUT\t\t300/' "$SB/etc/login.defs"
sandbox_add_user "$USER_NAME" "$OLD_PASS"
# What a newcomer reads after logging in (the sandbox's /etc/motd).
cat >"$SB/etc/motd" <<'EOF'

  You are logged in to the demo sandbox.
  Type exit to log out; a new login prompt follows.

EOF
KEY=$(head -c 20 /dev/urandom | base32 | tr -d '=')
sandbox_record "$USER_NAME" "email = $BACKUP_EMAIL" "totp_secret = $KEY" \
	"totp_algorithm = sha1" "totp_digits = 6" "totp_period = 30" "phone = $PHONE"

# ---- mail: a loopback SMTP server (tests/lib/smtp.sh)
smtp_start || exit 1
sandbox_conf "smtp_url = smtp://localhost:$SMTP_PORT" "mail_from = sspr@demo.example"

# ---- Microsoft 365: the emulator with one account matching the local
# user (tests/lib/m365.sh writes the tenant keys of sspr.conf and a
# root-only client secret file inside the sandbox)
m365_user "$USER_NAME" "{\"password\": \"$OLD_PASS\", \"displayName\": \"Demo User\",
	\"emailMethods\": [\"$BACKUP_EMAIL\"]}"
# Text messages: the emulator's Azure Communication Services, reached
# with the app's Entra token (no access key).
M365_TENANT_EXTRA='{"acs": {"access_key": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "senders": ["+15550100100"]}}'
m365_start "$USER_NAME"
sandbox_conf "sync = required" "methods = email sms totp" "sms_endpoint = $M365_URL" \
	"sms_from = +15550100100"
M365_LOG=$TMP/m365.log
# One ca_file trusts both loopback servers (each has its own test CA).
cat "$SMTP_CA" "$M365_CA" >"$TMP/ca-both.pem"
conf_set ca_file "$TMP/ca-both.pem"

# ---- the screen: login left, mail right-top, Microsoft 365 right-bottom
cat >"$TMP/banner" <<EOF
 pam_sspr demo: reset a forgotten password
 ------------------------------------------
 1. At "login:" type:  $USER_NAME
 2. At "Password:" type a wrong password
    (or just press Enter).
 3. Asked "Forgot your password?"  type:  y
 4. Choose 1 (email), 2 (text message) or
    3 (authenticator app).
    Email: read the code in the Mail pane;
    text message: in the SMS pane.
    App: in another terminal run
      oathtool --totp -b $KEY
 5. Type a new password twice,
    for example:  $NEW_PASS
 6. Watch the Microsoft 365 pane change.
    You are logged in; type exit to leave.

 Old password: $OLD_PASS
 Leave the demo: press Ctrl-b, then d.

EOF
chmod 0600 "$TMP/banner"

tmux_() { tmux -L "$SOCK" "$@"; }
at_exit "tmux -L $SOCK kill-server 2>/dev/null"
tmux_ -f /dev/null new-session -d -s t -x 200 -y 50 -n demo \
	"bash $(printf %q "$DEMO_DIR/login_loop.sh") $(printf %q "$SB") $(printf %q "$TMP/banner")"
tmux_ set-environment -g SSPR_DEMO_PID $$
tmux_ set-environment -g SSPR_DEMO_DIR "$TMP"
LOGIN_PANE=$(tmux_ display-message -p -t t '#{pane_id}')
MAIL_PANE=$(tmux_ split-window -h -l 45% -t "$LOGIN_PANE" -P -F '#{pane_id}' \
	"$PY $(printf %q "$DEMO_DIR/watch_mail.py") $(printf %q "$SMTP_MAILDIR")")
SMS_PANE=$(tmux_ split-window -v -l 60% -t "$MAIL_PANE" -P -F '#{pane_id}' \
	"$PY $(printf %q "$DEMO_DIR/watch_sms.py") $M365_URL $(printf %q "$M365_CA")")
M365_PANE=$(tmux_ split-window -v -l 70% -t "$SMS_PANE" -P -F '#{pane_id}' \
	"$PY $(printf %q "$DEMO_DIR/watch_m365.py") $(printf %q "$M365_LOG") $M365_URL $(printf %q "$M365_CA") $UPN")
tmux_ set-option -g remain-on-exit on
tmux_ set-option -g pane-border-status top
tmux_ set-option -g pane-border-format ' #{pane_title} '
tmux_ set-option -g status-left ' pam_sspr demo '
tmux_ set-option -g status-left-length 20
tmux_ set-option -g status-right ' Ctrl-b d: leave the demo '
tmux_ select-pane -t "$LOGIN_PANE" -T 'Login (real /bin/login, sandbox)'
tmux_ select-pane -t "$MAIL_PANE" -T 'Mail'
tmux_ select-pane -t "$SMS_PANE" -T 'Text messages (SMS)'
tmux_ select-pane -t "$M365_PANE" -T 'Microsoft 365'
tmux_ select-pane -t "$LOGIN_PANE"

if [ "$mode" = interactive ]; then
	cols=$(tput cols 2>/dev/null || echo 80)
	lines=$(tput lines 2>/dev/null || echo 24)
	if [ "$cols" -lt 120 ] || [ "$lines" -lt 30 ]; then
		echo "demo: tip: a terminal of at least 120x30 shows all four panes well."
		sleep 2
	fi
	TMUX='' tmux_ attach -t t
	echo "demo: stopped; everything it made is removed."
	exit 0
fi

# ---- --check: one reset, typed like a person
TERM_SOCK=$SOCK	# tests/lib/tmux.sh helpers; "-t t" is the active (login) pane
pane_has() { tmux_ capture-pane -p -J -S -200 -t "$1" | grep -Eq -- "$2"; }
pane_wait() { wait_for pane_has "$@"; }

check "the login pane explains what to try" term_wait 'pam_sspr demo: reset a forgotten password'
check "a login prompt appears" term_wait 'login: *$'
check "the mail pane is ready" pane_wait "$MAIL_PANE" 'Mail that pam_sspr sends arrives here'
check "the text message pane is ready" pane_wait "$SMS_PANE" 'Text messages that pam_sspr sends arrive here'
check "the Microsoft 365 pane shows the account" pane_wait "$M365_PANE" "Account: +$UPN"
fp_before=$(tmux_ capture-pane -p -t "$M365_PANE" | grep -Eo 'fingerprint [0-9a-f]+')

term_answer "$USER_NAME" 'Password: *$'
term_answer 'Wrong#Pass0' 'Forgot your password\? Reset it now \[y/N\]: *$'
term_answer y 'Choice \[1\]: *$'
term_answer 1 'Code from the mail: *$'
check "the code mail shows in the mail pane" pane_wait "$MAIL_PANE" "To: +$BACKUP_EMAIL"
code=$(tmux_ capture-pane -p -J -t "$MAIL_PANE" | sed -n 's/^>>> The code: \([0-9]\{6,8\}\)$/\1/p')
check "the code stands out in the mail pane" [ -n "$code" ]
check "it is the code the mail says" pane_has "$MAIL_PANE" "[Cc]ode is: $code"
term_answer "$code" 'New password: *$'
term_answer "$NEW_PASS" 'Retype new password: *$'
term_answer "$NEW_PASS" 'Your password was changed'
check "the user is told both sides changed" term_wait 'changed on this computer and in Microsoft 365'
check "after the reset the user is logged in" login_shell_is "$USER_NAME"
check "the new password is in the sandbox's shadow file" sandbox_password_is "$USER_NAME" "$NEW_PASS"
check "the old password no longer works" not sandbox_password_is "$USER_NAME" "$OLD_PASS"
check "Microsoft 365 has the new password" [ "$(m365_password "$USER_NAME")" = "$NEW_PASS" ]
check "the Microsoft 365 pane shows the PATCH" pane_wait "$M365_PANE" 'PATCH +/users/demo +204 +set the new password'
check "the Microsoft 365 pane says it changed" pane_wait "$M365_PANE" 'Password changed in Microsoft 365'
fp_after=$(tmux_ capture-pane -p -J -S -200 -t "$M365_PANE" | grep -Eo 'fingerprint [0-9a-f]+' | tail -n 1)
check "the password fingerprint changed" [ -n "$fp_before" ] && [ "$fp_before" != "$fp_after" ]

# Log out: a new prompt; the new password logs in.
last_line_is() { tmux_ capture-pane -p -J -t t | grep -v '^ *$' | tail -n 1 | grep -Eq -- "$1"; }
term_type exit
check "a new login prompt after logging out" wait_for last_line_is 'login: *$'
term_answer "$USER_NAME" 'Password: *$'
term_answer "$NEW_PASS" '^\$ *$'
check "the new password logs in" login_shell_is "$USER_NAME"

# A second reset, by text message: the code shows in the SMS pane.
term_type exit
check "a new login prompt for the text message reset" wait_for last_line_is 'login: *$'
term_answer "$USER_NAME" 'Password: *$'
term_answer 'Wrong#Pass0' 'Forgot your password\? Reset it now \[y/N\]: *$'
term_answer y 'Choice \[1\]: *$'
check "the menu offers the text message, number masked" term_has '2\) Text message code to \+81 ••• •••• 5678'
term_answer 2 'Code from the text message: *$'
check "the message shows in the SMS pane" pane_wait "$SMS_PANE" "To: +\\$PHONE"
code=$(tmux_ capture-pane -p -J -t "$SMS_PANE" | sed -n 's/^>>> The code: \([0-9]\{6,8\}\)$/\1/p')
check "the code stands out in the SMS pane" [ -n "$code" ]
term_answer "$code" 'New password: *$'
term_answer 'Texted#Pass33' 'Retype new password: *$'
term_answer 'Texted#Pass33' 'Your password was changed'
check "the text message reset changed both passwords" [ "$(m365_password "$USER_NAME")" = 'Texted#Pass33' ]
check "the host's /etc is untouched" not grep -q "^$USER_NAME:" /etc/passwd
finish
