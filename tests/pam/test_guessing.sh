#!/bin/bash
# Guessing codes does not pay: parallel sessions get no more wrong codes
# checked than max_failures_per_day, each lockout in a row is longer than
# the last, and the account's owner is mailed when their reset locks.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
. "$TESTS_DIR/lib/app_reset.sh"
. "$TESTS_DIR/lib/smtp.sh"
need pamtester oathtool logger

KEY=KRUGS4ZANFZSAYJAORSXG5BAMNXWIZJA
TOTP=("totp_secret = $KEY" "totp_algorithm = sha1" "totp_digits = 6" "totp_period = 30")
sandbox_init
smtp_start
sandbox_conf "smtp_url = smtp://127.0.0.1:$SMTP_PORT" "ca_file = $SMTP_CA" \
	"mail_from = sspr@test.example" "code_attempts = 3"
for u in dave erin; do
	sandbox_add_user "$u" 'OldPass#1'
	sandbox_record "$u" "email = $u@example.org" "${TOTP[@]}"
done

# Three codes the app shows at no time near now.
app_wrong_codes "$KEY" 3

locked_until() { sed -n 's/^locked_until = //p' "$SB/state/u-$1"; }

# The mails to ADDRESS, as "Subject<TAB>body on one line" lines.
mails_to() {
	$PY - "$SMTP_MAILDIR" "$1" <<'PY'
import email, email.policy, glob, sys
for f in sorted(glob.glob(sys.argv[1] + "/new/*") + glob.glob(sys.argv[1] + "/cur/*")):
    m = email.message_from_binary_file(open(f, "rb"), policy=email.policy.default)
    if str(m["To"]) != sys.argv[2]:
        continue
    body = m.get_body(("plain",)).get_content()
    print(str(m["Subject"]) + "\t" + " ".join(body.split()))
PY
}

# --- N sessions in parallel: at most max_failures_per_day codes checked
sandbox_conf "max_failures = 100" "max_failures_per_day = 4"
N=6
start=$(date +%s)
pids=()
for ((i = 0; i < N; i++)); do
	app_reset dave "${WRONG[0]}" "${WRONG[1]}" "${WRONG[2]}" >"$TMP/par$i.out" &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
sandbox_syslog_settled
checked=$(grep -c "wrong authenticator code for 'dave'" "$SB/syslog")
check "parallel sessions: exactly max_failures_per_day wrong codes checked ($checked of $((N * 3)) typed)" \
	[ "$checked" = 4 ]
check "parallel sessions: the others were told reset is locked" \
	grep -q 'Too many failed attempts. Password reset is locked for this account for 24 hours' "$TMP"/par*.out
check "parallel sessions: nobody got in" not grep -q 'successfully authenticated' "$TMP"/par*.out
lu=$(locked_until dave)
check "the daily cap locks reset for 24 hours" [ "${lu:-0}" -ge $((start + 86400)) ]
check "locked: logged for the admin" grep -q "password reset locked for 'dave'" "$SB/syslog"
check "password unchanged" sandbox_password_is dave 'OldPass#1'

mails=$(mails_to dave@example.org)
check "the owner got exactly one mail for the lockout" [ "$(grep -c . <<<"$mails")" = 1 ]
check "the mail says the reset is locked" grep -q $'^Password reset of dave on .* is locked' <<<"$mails"
check "the mail says someone is trying and what to do" \
	grep -q 'someone is trying to get into your account: tell your administrator' <<<"$mails"
check "the mail says the password was not changed" grep -q 'Your password has not been changed' <<<"$mails"
check "the mail holds none of the typed codes" not grep -Eq "${WRONG[0]}|${WRONG[1]}|${WRONG[2]}" <<<"$mails"
check "the notice is logged" grep -q "lockout notice mailed to the owner of 'dave'" "$SB/syslog"

# Locked: a right code is not even checked.
out=$(app_reset dave "$(oathtool --totp --base32 "$KEY")" 2>&1)
check "locked: not offered at all" grep -q 'Password reset is not available' <<<"$out"

# --- the second lockout is longer than the first
sandbox_conf "max_failures = 2" "max_failures_per_day = 100" "lockout = 60"
before=$(date +%s)
out=$(app_reset erin "${WRONG[0]}" "${WRONG[1]}")
check "first lockout" grep -q 'Too many failed attempts' <<<"$out"
first=$(( $(locked_until erin) - before ))
# The first lockout is over (the record says so, nobody waits for it).
sed -i "s/^locked_until = .*/locked_until = $(( $(date +%s) - 1 ))/" "$SB/state/u-erin"
out=$(app_reset erin "${WRONG[0]}" "${WRONG[1]}")
after=$(date +%s)
check "second lockout" grep -q 'Too many failed attempts' <<<"$out"
second=$(( $(locked_until erin) - after ))
check "the second lockout is longer than the first (${second}s > ${first}s)" [ "$second" -gt "$first" ]
check "one mail per lockout" [ "$(mails_to erin@example.org | grep -c .)" = 2 ]
finish
