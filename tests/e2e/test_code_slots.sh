#!/bin/bash
# Emailed codes: a used, expired or unsent code never delays a new one,
# and reset and enrollment codes have separate slots and send budgets,
# so a stranger at the login prompt can neither replace, burn nor starve
# a pending enrollment code.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
. "$TESTS_DIR/lib/tmux.sh"
. "$TESTS_DIR/lib/login.sh"
. "$TESTS_DIR/lib/smtp.sh"
. "$TESTS_DIR/lib/setuid_sspr.sh"
need pamtester setpriv findmnt
[ -x "$BUILD/sspr" ] || skip_all "no $BUILD/sspr"

sandbox_init
smtp_start
LIVE="smtp_url = smtp://127.0.0.1:$SMTP_PORT"
sandbox_conf "$LIVE" "ca_file = $SMTP_CA" "mail_from = sspr@test.example"
sandbox_add_user alice 'Alice#Pass1'
sandbox_add_user bob 'Bob#Pass1'
sandbox_add_user carol 'Carol#Pass1'
sandbox_record bob "email = bob@example.org"
sandbox_record carol "email = carol@example.org"

setuid_sspr_install

# A reset attempt at the prompt without a terminal: Enter for the
# password, then the given answers (none: the attempt ends at "Code:").
attempt() {
	local user=$1 answers=$'\n'
	shift
	[ $# -gt 0 ] && answers+=$(printf '%s\n' "$@")$'\n'
	printf '%s' "$answers" | timeout 60 "$SB/enter" pamtester login "$user" authenticate 2>&1
}

# --- enrolled a minute ago, resets now: a code at once
term_as alice enroll email alice.b@example.org
term_wait 'Password: *$'
n=$(smtp_count)
term_answer 'Alice#Pass1' 'Code from the mail: *$'
smtp_wait_count $((n + 1))
term_answer "$(smtp_last_code)" '^exit status 0$'
check "enrolled" grep -qx 'email = alice.b@example.org' "$SB/state/u-alice"
login_start
n=$(smtp_count)
term_answer alice 'Password: *$'
term_answer '' 'Code from the mail: *$'
check "reset right after enrolling: not told to wait" not term_has 'Please wait'
check "reset right after enrolling: the code is mailed" smtp_wait_count $((n + 1))
term_answer "$(smtp_last_code)" 'New password: *$'
term_answer 'Slot#Pass77' 'Retype new password: *$'
term_answer 'Slot#Pass77' 'Your password was changed.'
check "reset right after enrolling: the password changed" sandbox_password_is alice 'Slot#Pass77'

# --- a code that could not be sent delays nothing
sandbox_conf "smtp_url = smtp://127.0.0.1:$(_smtp_free_port)"
out=$(attempt bob)
check "mail server down: told the code could not be sent" grep -q 'The code could not be sent' <<<"$out"
sandbox_conf "$LIVE"
n=$(smtp_count)
out=$(attempt bob)
check "server back: the next try is not told to wait" not grep -q 'Please wait' <<<"$out"
check "server back: the code is sent" grep -Eq 'A code was sent to b[^@ ]+@example.org' <<<"$out"
check "server back: and arrives" smtp_wait_count $((n + 1))
check "the record holds one pending code" [ "$(grep -c '^code_hash' "$SB/state/u-bob")" = 1 ]

# --- a code with no attempts left delays nothing either
out=$(attempt bob 00000000 00000001 00000002)
check "burnt the pending code" grep -q 'no attempts are left' <<<"$out"
out=$(attempt bob)
check "after a burnt code: a new one, no wait" grep -q 'A code was sent to' <<<"$out"

# --- nor does one that expired (the record says so, nobody waits)
sed -i 's/^code_expires = .*/code_expires = 1000/' "$SB/state/u-bob"
out=$(attempt bob)
check "after an expired code: a new one, no wait" grep -q 'A code was sent to' <<<"$out"
check "after an expired code: not told to wait" not grep -q 'Please wait' <<<"$out"

# --- a stranger at the prompt and carol's pending enrollment code
sandbox_conf "resend_interval = 0" "resend_per_hour = 2"
out=$(attempt carol)
check "stranger: a reset code is mailed" grep -Eq 'A code was sent to c[^@ ]+@example.org' <<<"$out"
out=$(attempt carol '')
check "stranger: Enter for another one (the hour's budget of 2)" \
	grep -Eq 'A code was sent to c[^@ ]+@example.org' <<<"$out"
term_as carol enroll email carol.new@example.org
term_wait 'Password: *$'
n=$(smtp_count)
term_answer 'Carol#Pass1' 'Replace it with the new one\? \[y/N\] *$'
term_answer y 'Code from the mail: *$'
check "enrollment: a budget of its own, the code is mailed" term_has 'A code was sent to c[^@ ]+@example.org'
check "enrollment mail arrived" smtp_wait_count $((n + 1))
enroll_code=$(smtp_last_code)
out=$(attempt carol '')
check "stranger: the reset budget is spent, told to wait" grep -q 'Please wait' <<<"$out"
out=$(attempt carol 00000000 00000001 00000002)
check "stranger: burnt the pending reset code" grep -q 'no attempts are left' <<<"$out"
term_answer "$enroll_code" '^exit status'
check "the enrollment code still works" term_has 'Your backup email address c[^@ ]+@example.org is registered'
check "and is registered" grep -qx 'email = carol.new@example.org' "$SB/state/u-carol"
finish
