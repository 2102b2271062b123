#!/bin/bash
# A reset never unlocks what the administrator locked (issue 8, item 2):
# after passwd -l, usermod -L or chage -E 0, a person who still holds a
# registered method is not offered the reset. They hear the sentence an
# unknown name hears, the shadow line stays byte for byte as it was, and
# Microsoft 365 sees no password change (sync = required, the emulator).
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
. "$TESTS_DIR/lib/smtp.sh"
. "$TESTS_DIR/lib/m365.sh"
need pamtester oathtool

KEY=KRUGS4ZANFZSAYJAORSXG5BAONSWG4TF
sandbox_init
smtp_start
sandbox_conf "smtp_url = smtp://127.0.0.1:$SMTP_PORT" \
	"mail_from = sspr@test.example" "sync = required" "timeout = 3"
sandbox_add_user alice 'OldPass#1'
sandbox_add_user dave 'OldPass#1'
sandbox_record alice "totp_secret = $KEY" "totp_algorithm = sha1" \
	"totp_digits = 6" "totp_period = 30"
sandbox_record dave "email = dave@example.org"
m365_start alice dave
cat "$SMTP_CA" "$M365_CA" >"$TMP/ca-both.pem"
conf_set ca_file "$TMP/ca-both.pem"

NEW='Locked#Out2024x'
# reset USER: the whole attempt of someone who has the authenticator app
# (or the mailbox: Enter asks for another code), with the user name
# replaced by USER in the transcript.
reset() {
	printf 'wrong\ny\n%s\n%s\n%s\n' "$(oathtool --totp --base32 "$KEY")" \
		"$NEW" "$NEW" |
		sandbox_run pamtester login "$1" authenticate 2>&1 |
		sed "s/$1/USER/g"
}
unknown=$(reset nosuchuser)
check "an unknown name is told reset is not available" \
	grep -q 'Password reset is not available for this account' <<<"$unknown"

# locked_case NAME LOCK-COMMAND...: lock alice, try, compare, unlock.
locked_case() {
	local name=$1 before rec out
	shift
	sandbox_run "$@" >/dev/null 2>&1 || { fail "$name: the lock command ran"; return; }
	before=$(sandbox_shadow alice)
	cp "$SB/state/u-alice" "$TMP/rec-before"
	m365_clear
	out=$(reset alice)
	check "$name: the same transcript as an unknown name" \
		[ "$out" = "$unknown" ]
	check "$name: never asked for a code" not grep -q 'Code' <<<"$out"
	check "$name: the shadow line is byte-identical" \
		[ "$(sandbox_shadow alice)" = "$before" ]
	check "$name: the reset record is unchanged" \
		cmp -s "$SB/state/u-alice" "$TMP/rec-before"
	check "$name: Microsoft 365 saw no password change" \
		[ "$(m365_count PATCH 'users/alice')" = 0 ]
	check "$name: Microsoft 365 still has the old password" \
		[ "$(m365_password alice)" = 'OldPass#1' ]
	check "$name: the log says why" \
		grep -q "reset not available for 'alice': $REASON" "$SB/syslog"
}

REASON='the account is locked'
locked_case "passwd -l" passwd -l alice
# passwd -l keeps the hash behind the "!": still the old password.
check "passwd -l: still locked afterwards" grep -q '^alice:!' "$SB/etc/shadow"
sandbox_run passwd -u alice >/dev/null 2>&1
locked_case "usermod -L" usermod -L alice
sandbox_run usermod -U alice >/dev/null 2>&1
REASON='the account has expired'
locked_case "chage -E 0" chage -E 0 alice
sandbox_run chage -E -1 alice >/dev/null 2>&1

# A locked account with a backup address gets no code mail either.
sandbox_run passwd -l dave >/dev/null 2>&1
n=$(smtp_count)
out=$(printf 'wrong\ny\n' | sandbox_run pamtester login dave authenticate 2>&1)
check "locked, email method: not available" \
	grep -q 'Password reset is not available' <<<"$out"
sleep 1
check "locked, email method: no code mailed" [ "$(smtp_count)" = "$n" ]

# Locked while the person types the new password: the code was right,
# and still nothing changes.
sandbox_run passwd -u dave >/dev/null 2>&1
m365_clear
mkfifo "$TMP/answers"
sandbox_run pamtester login dave authenticate <"$TMP/answers" >"$TMP/out" 2>&1 &
pid=$!
exec 7>"$TMP/answers"
n=$(smtp_count)
printf 'wrong\ny\n' >&7
smtp_wait_count $((n + 1)) && wait_for grep -q 'Code from the mail: ' "$TMP/out"
printf '%s\n' "$(smtp_last_code)" >&7
check "mid-reset: the code is accepted" wait_for grep -q 'New password: ' "$TMP/out"
sandbox_run passwd -l dave >/dev/null 2>&1
before=$(sandbox_shadow dave)
printf '%s\n%s\n' "$NEW" "$NEW" >&7
exec 7>&-
wait "$pid"
check "mid-reset lock: told reset is not available" \
	grep -q 'Password reset is not available' "$TMP/out"
check "mid-reset lock: not changed" not grep -q 'password was changed' "$TMP/out"
check "mid-reset lock: the shadow line is byte-identical" \
	[ "$(sandbox_shadow dave)" = "$before" ]
check "mid-reset lock: Microsoft 365 saw no password change" \
	[ "$(m365_count PATCH 'users/dave')" = 0 ]
check "mid-reset lock: logged" \
	grep -q "reset of 'dave' stopped before the change: the account is locked" "$SB/syslog"

# Unlocked again, the very same attempt is a working reset: what the
# checks above refused was the lock, not the input.
# (No code of alice's was accepted before, so no TOTP step is spent.)
m365_clear
out=$(reset alice)
check "unlocked: the same attempt resets" grep -q 'Your password was changed' <<<"$out"
check "unlocked: the new password is set" sandbox_password_is alice "$NEW"
check "unlocked: and in Microsoft 365" [ "$(m365_password alice)" = "$NEW" ]
finish
