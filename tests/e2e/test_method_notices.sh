#!/bin/bash
# Registered methods do not change silently: adding, replacing or
# removing one (sspr enroll, sspr remove, enrollment at sign-in, sspr
# admin remove) mails a notice to the previous and the new address and
# logs one line. The mails are read with Python's email package; none
# holds a code, a key or a password.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
. "$TESTS_DIR/lib/tmux.sh"
. "$TESTS_DIR/lib/login.sh"
. "$TESTS_DIR/lib/smtp.sh"
. "$TESTS_DIR/lib/setuid_sspr.sh"
need oathtool setpriv findmnt
[ -x "$BUILD/sspr" ] || skip_all "no $BUILD/sspr"

sandbox_init
smtp_start
sandbox_conf "smtp_url = smtp://127.0.0.1:$SMTP_PORT" "ca_file = $SMTP_CA" \
	"mail_from = sspr@test.example" "resend_interval = 0"
sandbox_add_user dora 'Dora#Pass1'
sandbox_add_user ella 'Ella#Pass1'
HOST=$(hostname)

setuid_sspr_install

# The notices that arrived since mark_mails, one per line:
# "To<TAB>Subject<TAB>body on one line", parsed with the email package.
mark_mails() { ls "$SMTP_MAILDIR/new" "$SMTP_MAILDIR/cur" 2>/dev/null | sort >"$TMP/seen"; }
new_notices() {
	$PY - "$SMTP_MAILDIR" "$TMP/seen" <<'PY'
import email, email.policy, os, sys
maildir, seen = sys.argv[1], set(open(sys.argv[2]).read().split())
for sub in ("new", "cur"):
    d = os.path.join(maildir, sub)
    for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if name in seen:
            continue
        with open(os.path.join(d, name), "rb") as f:
            m = email.message_from_binary_file(f, policy=email.policy.default)
        subject = str(m["Subject"])
        if not subject.startswith("How the password of"):
            continue
        body = m.get_body(("plain",)).get_content()
        print("\t".join([str(m["To"]), subject, " ".join(body.split())]))
PY
}
# notice_to ADDRESS REGEX: one new notice to ADDRESS whose body matches.
notice_to() {
	local n
	n=$(new_notices | awk -F'\t' -v to="$1" '$1 == to' | grep -cE -- "$2")
	[ "$n" = 1 ]
}
notices_count() { new_notices | grep -c .; }
SECRETS=('Dora#Pass1' 'Ella#Pass1')
no_secret_in_notices() {
	local s
	for s in "${SECRETS[@]}"; do
		new_notices | grep -qF -- "$s" && { echo "mailed: $s" >&2; return 1; }
	done
	return 0
}
# Type the code newest mail to ADDRESS holds.
code_mailed_to() {
	$PY - "$SMTP_MAILDIR" "$1" <<'PY'
import email, email.policy, os, re, sys
best = None
for sub in ("new", "cur"):
    d = os.path.join(sys.argv[1], sub)
    for name in os.listdir(d) if os.path.isdir(d) else []:
        p = os.path.join(d, name)
        m = email.message_from_binary_file(open(p, "rb"), policy=email.policy.default)
        g = re.search(r"code is: ([0-9]{6,8})", m.get_body(("plain",)).get_content())
        if str(m["To"]) == sys.argv[2] and g and (best is None or os.stat(p).st_mtime_ns > best[0]):
            best = (os.stat(p).st_mtime_ns, g.group(1))
print(best[1] if best else "")
PY
}
enroll_email() {
	local user=$1 pass=$2 address=$3 replace=${4:-}
	term_as "$user" enroll email "$address"
	term_wait 'Password: *$'
	if [ -n "$replace" ]; then
		term_answer "$pass" 'Replace it with the new one\? \[y/N\] *$'
		term_answer y 'Code from the mail: *$'
	else
		term_answer "$pass" 'Code from the mail: *$'
	fi
	wait_for test -n "$(code_mailed_to "$address")"
	SECRETS+=("$(code_mailed_to "$address")")
	term_answer "$(code_mailed_to "$address")" '^exit status'
}

# --- a first backup address: the new address hears of it
mark_mails
enroll_email dora 'Dora#Pass1' dora.one@example.org
check "added: registered" grep -qx 'email = dora.one@example.org' "$SB/state/u-dora"
check "added: a notice to the new address" notice_to dora.one@example.org \
	'this address was registered as the backup email address'
check "added: the notice names account and host" \
	notice_to dora.one@example.org "How the password of dora on $HOST is reset has changed"
check "added: the notice says what to do if it was not them" \
	notice_to dora.one@example.org 'If this was not you, contact your administrator right away'
check "added: no code or password in the notice" no_secret_in_notices
check "added: logged on one line" grep -q "email enrollment for 'dora': backup email address registered (notice mailed to the new address)" "$SB/syslog"

# --- replaced: the previous and the new address hear of it
mark_mails
enroll_email dora 'Dora#Pass1' dora.two@example.org replace
check "replaced: registered" grep -qx 'email = dora.two@example.org' "$SB/state/u-dora"
check "replaced: the old address is told codes no longer go there" \
	notice_to dora.one@example.org 'changed from this address to another one: codes are no longer sent here.*Codes now go to d[^@ ]+@example.org'
check "replaced: the new address is told too" notice_to dora.two@example.org 'this address replaced the earlier backup email address'
check "replaced: two notices" [ "$(notices_count)" = 2 ]
check "replaced: no code or password in the notices" no_secret_in_notices
check "replaced: one log line names both" grep -q "email enrollment for 'dora': backup email address registered (notice mailed to the previous address and the new address)" "$SB/syslog"

# --- an authenticator app added: the backup address hears of it
mark_mails
term_as dora enroll totp
term_wait 'Password: *$'
term_answer 'Dora#Pass1' 'Code from your authenticator app: *$'
secret=$(term_screen | grep -o 'otpauth://totp/[^ ]*' | head -n 1 | sed -n 's/.*[?&]secret=\([A-Z2-7]*\).*/\1/p')
SECRETS+=("$secret")
term_answer "$(oathtool --totp --base32 "$secret")" '^exit status 0$'
check "totp added: a notice to the backup address" notice_to dora.two@example.org 'an authenticator app was registered'
check "totp added: the key is not in the notice" no_secret_in_notices
check "totp added: logged" grep -q "totp enrollment for 'dora': authenticator app registered (notice mailed to the backup address)" "$SB/syslog"

# --- removed by the user
mark_mails
term_as dora remove totp
term_wait 'Password: *$'
term_answer 'Dora#Pass1' '^exit status 0$'
check "totp removed: a notice" notice_to dora.two@example.org 'the authenticator app was removed'
check "totp removed: logged" grep -q "'dora' removed their totp method (notice mailed to the backup address)" "$SB/syslog"
mark_mails
term_as dora remove email
term_wait 'Password: *$'
term_answer 'Dora#Pass1' '^exit status 0$'
check "email removed: the removed address is told" notice_to dora.two@example.org 'this address was removed as the backup email address'
check "email removed: logged" grep -q "'dora' removed their email method (notice mailed to the backup address)" "$SB/syslog"

# --- removed by the administrator
sandbox_record dora "email = dora.three@example.org"
mark_mails
sandbox_run "$SSPR" admin remove dora >/dev/null
check "admin remove: the record is gone" not test -e "$SB/state/u-dora"
check "admin remove: the owner is told it was the administrator" \
	notice_to dora.three@example.org 'every registered method .* was removed\. .*The administrator made this change\.'
check "admin remove: logged" grep -q "root removed the record of 'dora' (notice mailed to the backup address)" "$SB/syslog"

# --- enrollment at sign-in
sandbox_conf "enroll_at_login = offer"
mark_mails
login_start
term_answer ella 'Password: *$'
term_answer 'Ella#Pass1' 'Choose a number, or press Enter to skip: *$'
term_answer 1 'Your backup email address: *$'
term_answer ella.b@example.org 'Code from the mail: *$'
wait_for test -n "$(code_mailed_to ella.b@example.org)"
SECRETS+=("$(code_mailed_to ella.b@example.org)")
term_answer "$(code_mailed_to ella.b@example.org)" 'is registered'
check "at sign-in: a notice to the new address" notice_to ella.b@example.org 'this address was registered as the backup email address'
check "at sign-in: no code or password in the notice" no_secret_in_notices
check "at sign-in: logged" grep -q "email enrollment at sign-in for 'ella': backup email address registered (notice mailed to the new address)" "$SB/syslog"
finish
