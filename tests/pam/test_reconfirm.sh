#!/bin/bash
# reconfirm_days (issue 12, Reconfirmation) in the session stage, through
# pamtester open_session: methods confirmed longer ago are shown masked
# and the person confirms them (recorded and audited) or says no (the
# registration dialogues are offered); within the period, with
# reconfirm_days = 0 or with enroll_at_login = off nothing is asked; a
# record from before the key is stamped "now" without a question.
# (pamtester does not show prompts, only the informational lines.)
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
need pamtester

sandbox_init
sandbox_conf "enroll_at_login = offer" "reconfirm_days = 180" \
	"audit_log = $SB/audit.jsonl"
for u in alice bob carol dave erin; do sandbox_add_user "$u" 'OldPass#1'; done
now=$(date +%s)
old=$((now - 181 * 86400))
recent=$((now - 179 * 86400))
sandbox_record alice "email = alice@example.org" "confirmed_at = $old"
sandbox_record bob "email = bob@example.org" "totp_secret = JBSWY3DPEHPK3PXPJBSWY3DP" \
	"totp_algorithm = sha1" "totp_digits = 6" "totp_period = 30" \
	"confirmed_at = $old"
sandbox_record carol "email = carol@example.org" "confirmed_at = $recent"
sandbox_record dave "email = dave@example.org"	# before reconfirm_days
sandbox_record erin "email = erin@example.org" "confirmed_at = $old"
field() { sed -n "s/^$2 = //p" "$SB/state/u-$1"; }
session() { printf '%b' "$2" | sandbox_run pamtester login "$1" open_session 2>&1; }

out=$(session alice 'y\n')
check "due: the question is asked" grep -q 'Are these ways to reset your password still yours' <<<"$out"
check "due: the address is shown masked" grep -q 'Backup email address: a[^l ]*@example.org' <<<"$out"
check "due: the address itself is not shown" not grep -q 'alice@example.org' <<<"$out"
check "yes: the session opens" grep -q 'successfully opened' <<<"$out"
c=$(field alice confirmed_at)
check "yes: confirmed_at is now" [ "${c:-0}" -ge "$now" ]
check "yes: audited as methods confirmed" \
	grep -q '"user":"alice".*"event":"methods confirmed".*"result":"ok"' "$SB/audit.jsonl"
check "yes: logged" grep -q "'alice' confirmed the registered methods at sign-in" "$SB/syslog"
out=$(session alice '')
check "just confirmed: nothing asked" not grep -q 'still yours' <<<"$out"

out=$(session bob 'n\n\n')
check "both methods shown, the app as such" grep -q 'Authenticator app' <<<"$out"
check "no: the registration dialogues are offered" grep -q '2) Authenticator app' <<<"$out"
check "no: skipping the change says it will ask again" grep -q 'asked again' <<<"$out"
check "no: the session still opens" grep -q 'successfully opened' <<<"$out"
check "no: confirmed_at unchanged" [ "$(field bob confirmed_at)" = "$old" ]
check "no: audited as not confirmed" \
	grep -q '"user":"bob".*"event":"methods confirmed".*"result":"failed"' "$SB/audit.jsonl"
out=$(session bob 'n\n1\nnot-an-address\n')
check "no, then 1: the email dialogue ran" \
	grep -q "email enrollment at sign-in for 'bob'" "$SB/syslog"
check "no, then a failed change: nothing changed, asked again" grep -q 'asked again' <<<"$out"

out=$(session carol '')
check "within the period: nothing asked" not grep -q 'still yours' <<<"$out"

out=$(session dave '')
check "a record from before the key: nothing asked" not grep -q 'still yours' <<<"$out"
c=$(field dave confirmed_at)
check "... but counted from now" [ "${c:-0}" -ge "$now" ]

sed -i 's/^reconfirm_days = .*/reconfirm_days = 0/' "$SSPR_CONF"
out=$(session erin '')
check "reconfirm_days = 0: nothing asked" not grep -q 'still yours' <<<"$out"
sed -i 's/^reconfirm_days = .*/reconfirm_days = 180/; s/^enroll_at_login = .*/enroll_at_login = off/' "$SSPR_CONF"
out=$(session erin '')
check "enroll_at_login = off: nothing asked" not grep -q 'still yours' <<<"$out"
check "erin's record untouched" [ "$(field erin confirmed_at)" = "$old" ]
finish
