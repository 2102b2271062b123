#!/bin/bash
# The whole reset in Japanese at a real /bin/login in tmux (issue 11):
# under ja_JP.UTF-8 and TERM=screen every line the module prints is the
# po/ja.po translation, a code typed in full-width digits is accepted and
# はい answers yes; the mail is Japanese; "Help us protect your account"
# at sign-in is Japanese too, and takes a full-width menu choice and code. Under TERM=linux (the kernel
# console cannot draw kanji) the module speaks English, and the mail is
# still Japanese. The sspr command, setuid, speaks Japanese too and draws
# the QR code in ASCII. ja_JP.UTF-8 is made with localedef and bound,
# with the root's C.utf8, over its /usr/lib/locale; this build's catalog
# is bound over the root's ja/LC_MESSAGES, next to the root's own
# Linux-PAM.mo and shadow.mo.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
. "$TESTS_DIR/lib/tmux.sh"
. "$TESTS_DIR/lib/smtp.sh"
. "$TESTS_DIR/lib/setuid_sspr.sh"
need localedef msgunfmt oathtool setpriv findmnt

MO=$BUILD/locale/ja/LC_MESSAGES/pam_sspr.mo
[ -f "$MO" ] || skip_all "no $MO"
sandbox_init
LOC=$SB/lib-locale
mkdir -p "$LOC"
cp -a "$TESTROOT/usr/lib/locale/." "$LOC/"
localedef -i ja_JP -f UTF-8 "$LOC/ja_JP.utf8" >/dev/null 2>&1 ||
	skip_all "localedef cannot make ja_JP.UTF-8 (package locales)"
chmod -R a+rX "$LOC"
mkdir -p "$SB/messages-ja"
cp -a "$TESTROOT/usr/share/locale/ja/LC_MESSAGES/." "$SB/messages-ja/"
cp "$MO" "$SB/messages-ja/pam_sspr.mo"

smtp_start
sandbox_conf "smtp_url = smtp://127.0.0.1:$SMTP_PORT" "ca_file = $SMTP_CA" \
	"mail_from = sspr@test.example" "admin_contact = admin@test.example" \
	"enroll_at_login = offer"
for u in alice bob carol; do sandbox_add_user "$u" 'OldPass#1'; done
sandbox_record alice "email = alice.backup@example.org"
sandbox_record bob "email = bob.backup@example.org"

# ja MSGID: the Japanese of MSGID in this build's catalog (printf format
# left as it is).
ja() {
	$PY - "$BUILD/locale" "$1" <<'PY'
import gettext, sys
t = gettext.translation("pam_sspr", localedir=sys.argv[1], languages=["ja"])
sys.stdout.write(t.gettext(sys.argv[2]))
PY
}
# screen_has_text TEXT: the screen holds TEXT (fixed string).
screen_has_text() { term_screen | grep -qF -- "$1"; }
# fullwidth DIGITS: the same digits as U+FF10..U+FF19.
fullwidth() { $PY -c 'import sys; print("".join(chr(0xff10 + int(c)) for c in sys.argv[1]))' "$1"; }
ja_login() {
	# A new tmux server once the previous one is gone (as in
	# test_enroll_at_login.sh: starting one while the old one still
	# shuts down can fail).
	if [ -n "${TERM_SOCK:-}" ]; then
		tmux -L "$TERM_SOCK" kill-server 2>/dev/null
		wait_for bash -c "! tmux -L '$TERM_SOCK' ls >/dev/null 2>&1"
	fi
	term_start "$SB/enter" /usr/bin/env LANG=ja_JP.UTF-8 TERM="$1" /bin/login
	term_wait 'login: *$' || fail 'a login prompt appears'
}

# --- TERM=screen: Japanese, はい, full-width digits
offer=$(ja 'Forgot your password? Reset it now [y/N]: ')
check "the offer is translated" [ -n "$offer" ] && [ "$offer" != 'Forgot your password? Reset it now [y/N]: ' ]
mails=$(smtp_count)
ja_login screen
term_answer alice 'パスワード: *$'
term_answer 'Wrong#1' 'リセットしますか\? \[y/N\]: *$'
check "the offer is the ja.po text" screen_has_text "${offer% }"
term_answer 'はい' '確認コード: *$'
sent=$(ja 'A code was sent to %s. It expires in %s.')
sent=${sent/\%s/a*****@example.org}
sent=${sent/\%s/10 分}
check "code sent: the ja.po sentence, masked with ASCII stars ($sent)" screen_has_text "$sent"
check "no English from the module" not term_has 'Forgot|Code:|expires|New password'
smtp_wait_count $((mails + 1))
code=$(smtp_last_body | grep -Eo '確認コード: [0-9]{8}' | grep -Eo '[0-9]{8}')
check "the code mail is Japanese" [ -n "$code" ]
check "the code mail subject is Japanese" grep -q 'パスワードのリセット' <<<"$(smtp_last_header Subject)"
term_answer "$(fullwidth "$code")" '新しいパスワード: *$'
check "a code typed in full-width digits is accepted" screen_has_text "$(ja 'New password: ')"
term_answer 'Tulip#Harbor42' '新しいパスワードを再入力してください: *$'
term_answer 'Tulip#Harbor42' "$(ja 'Your password was changed.')"
check "the new password is set" sandbox_password_is alice 'Tulip#Harbor42'
check "every line the module printed is Japanese" \
	not term_has 'Your password|Please|Retype'

# --- TERM=linux: the module speaks English, the mail stays Japanese
mails=$(smtp_count)
ja_login linux
term_answer bob 'パスワード: *$'
term_answer 'Wrong#1' 'Forgot your password\? Reset it now \[y/N\]: *$'
check "on the console the offer is English" term_has 'Forgot your password\? Reset it now'
term_answer y 'Code from the mail: *$'
check "on the console: English, ASCII stars" screen_has_text 'A code was sent to b*****@example.org. It expires in 10 minutes.'
smtp_wait_count $((mails + 1))
check "the mail asked for at the console is Japanese" \
	grep -q '確認コード: [0-9]' <<<"$(smtp_last_body)"
code=$(smtp_last_body | grep -Eo '確認コード: [0-9]{8}' | grep -Eo '[0-9]{8}')
term_answer "$code" 'New password: *$'
term_answer 'Lantern#Moss77' 'Retype new password: *$'
term_answer 'Lantern#Moss77' 'Your password was changed.'
check "on the console the reset works" sandbox_password_is bob 'Lantern#Moss77'

# --- enrollment at sign-in, in Japanese, full-width choice and code
mails=$(smtp_count)
ja_login screen
term_answer carol 'パスワード: *$'
term_answer 'OldPass#1' 'スキップしてください: *$'
check "enrollment: the heading is the ja.po text" screen_has_text "$(ja 'Help us protect your account')"
check "enrollment: the methods are Japanese" screen_has_text "$(ja 'Authenticator app on your phone (it shows a new code every 30 seconds)')"
term_answer '１' "$(ja 'Your backup email address: ')"
term_answer carol.backup@example.org "$(ja 'Code from the mail: ')"
smtp_wait_count $((mails + 1))
check "enrollment: the confirmation mail is Japanese" \
	grep -q 'このアドレスをパスワードのリセット用に登録' <<<"$(smtp_last_body)"
code=$(smtp_last_body | grep -Eo '確認コード: [0-9]{8}' | grep -Eo '[0-9]{8}')
term_answer "$(fullwidth "$code")" '登録しました'
check "enrollment: the full-width code registered the address" \
	grep -qx 'email = carol.backup@example.org' "$SB/state/u-carol"
check "enrollment: no English from the module" \
	not term_has 'Help us|Choose a number|Code from|is registered'

# --- the sspr command (setuid root) in Japanese: enroll totp, status
setuid_sspr_install
if [ -n "${TERM_SOCK:-}" ]; then
	tmux -L "$TERM_SOCK" kill-server 2>/dev/null
	wait_for bash -c "! tmux -L '$TERM_SOCK' ls >/dev/null 2>&1"
fi
term_start "$SB/enter" /usr/bin/env LANG=ja_JP.UTF-8 TERM=screen bash -c \
	'setpriv --reuid="$0" --regid="$0" --init-groups "$@"; echo "exit status $?"' \
	carol "$SSPR" enroll totp
term_wait "$(ja $'To change how you reset your password, type your password first.\n' | head -n 1)" ||
	fail "sspr asks for the password in Japanese"
term_answer 'OldPass#1' "$(ja 'Code from your authenticator app: ')"
check "sspr: the QR code is ASCII (no ambiguous-width blocks)" \
	eval 'term_has "####" && ! term_has "▀|▄|█"'
check "sspr: the scan sentence is Japanese" screen_has_text "$(ja 'Or open this link on the device that has the app:')"
secret=$(term_screen | grep -o 'otpauth://totp/[^ ]*' | head -n 1 | sed -n 's/.*[?&]secret=\([A-Z2-7]*\).*/\1/p')
term_answer "$(fullwidth "$(oathtool --totp --base32 "$secret")")" 'exit status'
check "sspr: a full-width TOTP code registered the app" \
	screen_has_text "$(ja 'Your authenticator app is registered. If you forget your password, you can use a code from the app at the login prompt.')"
check "sspr: the key is in the record" grep -q "^totp_secret = $secret\$" "$SB/state/u-carol"
finish
