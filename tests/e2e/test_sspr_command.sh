#!/bin/bash
# The sspr command, installed setuid root, run by an ordinary user in a
# terminal and typed like a person: enroll email (code read from the
# loopback SMTP server), enroll totp (code computed by oathtool from the
# URI on screen), a wrong password, status, remove, and the admin verbs.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
. "$TESTS_DIR/lib/tmux.sh"
. "$TESTS_DIR/lib/smtp.sh"
. "$TESTS_DIR/lib/setuid_sspr.sh"
need oathtool setpriv findmnt
[ -x "$BUILD/sspr" ] || skip_all "no $BUILD/sspr"

sandbox_init
smtp_start
sandbox_conf "smtp_url = smtp://localhost:$SMTP_PORT" "ca_file = $SMTP_CA" \
	"mail_from = sspr@example.com"
sandbox_add_user alice 'Alice#Pass1'
sandbox_add_user bob 'Bob#Pass1'
REC=$SB/state/u-alice

setuid_sspr_install

# as USER ARGS...: run sspr as USER inside the sandbox, no terminal.
as() {
	local u=$1
	shift
	sandbox_run setpriv --reuid="$u" --regid="$u" --init-groups "$SSPR" "$@" </dev/null
}

secrets=('Alice#Pass1')
no_secret_anywhere() {
	local s
	for s in "${secrets[@]}"; do
		grep -qF -- "$s" "$SB/syslog" && { echo "logged: $s" >&2; return 1; }
		grep -qF -- "$s" "$REC" 2>/dev/null && { echo "stored: $s" >&2; return 1; }
	done
	return 0
}

# --- enroll email: a wrong code first, then the code from the mail
term_as alice enroll email alice.backup@example.org
check "asks for the password first" term_wait 'Password: *$'
term_answer 'Alice#Pass1' 'Code from the mail: *$'
check "says where the code went" term_wait 'A code was sent to a•••••@example.org. It expires in 10 minutes.'
check "one mail arrived" smtp_wait_count 1
code=$(smtp_last_code)
secrets+=("$code")
check "mail goes to the new address" [ "$(smtp_last_header To)" = alice.backup@example.org ]
body=$(smtp_last_body)
check "mail says who and where" grep -q "\"alice\" on the computer \"$(hostname)\"" <<<"$body"
check "mail says what to do if it was not them" grep -q 'If this was not you' <<<"$body"
check "mail holds no password" bash -c '! grep -qF "Alice#Pass1" <<<"$1"' _ "$body"
wrong=00000000
[ "$code" = "$wrong" ] && wrong=11111111
term_answer "$wrong" 'That code is not correct. 2 attempts left.'
check "wrong code: attempts left shown" true
check "not registered after a wrong code" bash -c "! grep -q '^email' '$REC'"
term_answer "$code" 'is registered'
check "registered message" term_wait 'Your backup email address a•••••@example.org is registered'
check "exit status 0" term_wait '^exit status 0$'
check "record has the address" grep -qx 'email = alice.backup@example.org' "$REC"
check "record holds no pending code" bash -c "! grep -Eq '^(enroll_)?code_(hash|purpose|address|expires)' '$REC'"
check "no code or password in the record or the log" no_secret_anywhere
check "record is root-only" [ "$(stat -c '%U %a' "$REC")" = "root 600" ]
check "enrollment logged" grep -q "email enrollment for 'alice': backup email address registered" "$SB/syslog"

# --- enroll totp: key from the otpauth URI on screen, code from oathtool
term_as alice enroll totp
term_wait 'Password: *$'
term_answer 'Alice#Pass1' 'Code from your authenticator app: *$'
uri=$(term_screen | grep -o 'otpauth://totp/[^ ]*' | head -n 1)
secret=$(sed -n 's/.*[?&]secret=\([A-Z2-7]*\).*/\1/p' <<<"$uri")
check "otpauth URI shown" [ -n "$secret" ]
check "URI names issuer and user" grep -q '^otpauth://totp/[^:]*:alice?' <<<"$uri"
check "key shown in groups of 4" term_wait "  $(sed 's/..../& /g; s/ $//' <<<"$secret")"
check "QR code drawn" term_wait '█'
secrets+=("$secret")
totp=$(oathtool --totp --base32 "$secret")
term_answer "$totp" 'authenticator app is registered'
check "totp: exit status 0" term_wait '^exit status 0$'
check "record has the key" grep -qx "totp_secret = $secret" "$REC"
check "email still registered" grep -qx 'email = alice.backup@example.org' "$REC"
check "no secret in the log" bash -c "! grep -qF '$secret' '$SB/syslog'"

# --- a wrong password: exit 3, nothing changed
before=$(sha256sum <"$REC")
term_as alice enroll totp
term_wait 'Password: *$'
term_answer 'Wrong#Pass1' '^exit status 3$'
check "wrong password: exit 3" true
no_uri() { ! term_screen | grep -q otpauth; }
check "wrong password: no key shown" no_uri
check "wrong password: record unchanged" [ "$before" = "$(sha256sum <"$REC")" ]

# --- an expired account cannot change its methods, even with the right
# password: the sspr service's account stage refuses it
sandbox_run chage -E 0 alice
term_as alice enroll totp
term_wait 'Password: *$'
term_answer 'Alice#Pass1' '^exit status 3$'
check "expired account: exit 3" true
check "expired account: no key shown" no_uri
check "expired account: record unchanged" [ "$before" = "$(sha256sum <"$REC")" ]
sandbox_run chage -E -1 alice

# --- status: masked address, the app, no terminal needed
out=$(as alice status)
check "status: masked address" grep -qF 'backup email a•••••@example.org' <<<"$out"
check "status: authenticator app" grep -qF 'authenticator app (registered)' <<<"$out"
check "status: no full address" bash -c '! grep -q alice.backup <<<"$1"' _ "$out"
out=$(as bob status)
check "status of bob: nothing registered" grep -q 'No methods are registered for bob' <<<"$out"

# --- remove email
term_as alice remove email
term_wait 'Password: *$'
term_answer 'Alice#Pass1' '^exit status 0$'
check "remove email: said so" term_wait 'Your backup email address was removed.'
check "remove email: gone from the record" bash -c "! grep -q '^email' '$REC'"
check "remove email: the key stays" grep -qx "totp_secret = $secret" "$REC"

# --- the admin verbs
out=$(sandbox_run "$SSPR" admin list)
check "admin list as root lists alice" grep -Eq '^alice +totp' <<<"$out"
out=$(sandbox_run "$SSPR" admin show alice)
check "admin show: app registered" grep -Eq '^authenticator app +registered \(sha1, 6 digits\)' <<<"$out"
check "admin show: no key printed" bash -c '! grep -qF "$1" <<<"$2"' _ "$secret" "$out"
as bob admin list >/dev/null 2>&1
check "ordinary user: admin list refused (exit 4)" [ $? = 4 ]
as bob admin remove alice >/dev/null 2>&1
check "ordinary user: admin remove refused (exit 4)" [ $? = 4 ]
check "alice's record untouched by bob" grep -qx "totp_secret = $secret" "$REC"
as bob --conf /tmp/x status >/dev/null 2>&1
check "ordinary user: --conf refused (exit 4)" [ $? = 4 ]
as bob enroll totp >/dev/null 2>&1
check "no terminal: refused (exit 1)" [ $? = 1 ]
as bob enroll >/dev/null 2>&1
check "usage error: exit 2" [ $? = 2 ]
# A method the configuration does not offer: exit 4.
sandbox_conf "methods = email"
term_as alice enroll totp
term_wait 'Password: *$'
term_answer 'Alice#Pass1' '^exit status 4$'
check "method not offered: exit 4" term_wait 'Authenticator apps are not used on this computer.'
sed -i '/^methods = email$/d' "$SSPR_CONF"
out=$(sandbox_run "$SSPR" admin remove alice totp)
check "admin remove alice totp" bash -c "! grep -q '^totp_secret' '$REC'"
out=$(USER=alice LOGNAME=alice as bob status | head -n 1)
check "\$USER is not trusted" [ "$out" = "No methods are registered for bob." ]

finish
