#!/bin/bash
# sspr admin unlock USER: a reset locked by wrong codes works again at
# once, the admin's syslog gets one line, and the command says whether
# pam_faillock (which it leaves alone) still locks the account.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
. "$TESTS_DIR/lib/app_reset.sh"
need pamtester oathtool logger
[ -x "$BUILD/sspr" ] || skip_all "no $BUILD/sspr"
SSPR=$BUILD/sspr

KEY=KRUGS4ZANFZSAYJAORSXG5BAMNXWIZJA
sandbox_init
sandbox_conf "max_failures = 2" "lockout = 3600"
sandbox_add_user dave 'OldPass#1'
sandbox_record dave "totp_secret = $KEY" "totp_algorithm = sha1" \
	"totp_digits = 6" "totp_period = 30"
sandbox_run test -x /usr/sbin/faillock || skip_all "no faillock in the test root"

app_wrong_codes "$KEY" 2

field() { sed -n "s/^$2 = //p" "$SB/state/u-$1"; }

# pam_faillock's tally in a directory of the test's own, named in the
# sandbox's faillock.conf as an admin would (Debian's faillock command
# reads only its --dir, which sspr must pass).
FL=$TMP/faillock
mkdir -m 0755 "$FL"
printf 'dir = %s\ndeny = 2\n' "$FL" >"$SB/etc/security/faillock.conf"
cat >"$SB/etc/pam.d/fl" <<'PAM'
auth	required			pam_faillock.so preauth
auth	[success=1 default=bad]		pam_unix.so nodelay
auth	[default=die]			pam_faillock.so authfail
auth	sufficient			pam_faillock.so authsucc
account	required			pam_permit.so
PAM

# --- nothing to unlock
out=$(sandbox_run "$SSPR" admin unlock dave 2>&1)
check "not locked: says so" grep -q '^Password reset of dave was not locked.$' <<<"$out"
check "not locked: pam_faillock holds nothing" \
	grep -q '^pam_faillock holds no failed sign-ins of dave.$' <<<"$out"

# --- lock the reset with wrong codes
out=$(app_reset dave "${WRONG[0]}" "${WRONG[1]}")
check "wrong codes lock the reset" grep -q 'Too many failed attempts' <<<"$out"
check "the record says locked" [ "$(field dave locked_until)" -gt "$(date +%s)" ]
out=$(app_reset dave "$(oathtool --totp --base32 "$KEY")")
check "locked: reset not offered" grep -q 'Password reset is not available' <<<"$out"

# one failed sign-in for pam_faillock: counted, not locked (deny = 2)
printf 'wrong\n' | sandbox_run pamtester fl dave authenticate >/dev/null 2>&1
out=$(sandbox_run "$SSPR" admin unlock dave 2>&1)
rc=$?
check "unlock: exit 0" [ "$rc" = 0 ]
check "unlock: says unlocked" grep -q '^Password reset of dave is unlocked.$' <<<"$out"
check "unlock: pam_faillock counts one, not locking" \
	grep -q '^pam_faillock does not lock dave (failed sign-ins that count: 1, deny = 2).$' <<<"$out"
for f in failures failure_first locked_until lockouts day_failures day_first; do
	v=$(field dave "$f")
	check "unlock: $f cleared (${v:-absent})" [ "${v:-0}" = 0 ]
done
check "unlock: the methods stay" grep -q "^totp_secret = $KEY" "$SB/state/u-dave"
sandbox_syslog_settled
check "unlock: one syslog line" \
	[ "$(grep -c "root cleared the reset lockout and failures of 'dave' (it was locked)" "$SB/syslog")" = 1 ]

# --- the next reset works
out=$(app_reset dave "$(oathtool --totp --base32 "$KEY")" 'New#Pass2word' 'New#Pass2word')
check "after unlock: the reset succeeds" grep -q 'successfully authenticated' <<<"$out"
check "after unlock: the new password is set" sandbox_password_is dave 'New#Pass2word'

# --- pam_faillock locks: said, and left alone (the reset above cleared
# its tally, so two new failures)
for i in 1 2; do
	printf 'wrong\n' | sandbox_run pamtester fl dave authenticate >/dev/null 2>&1
done
out=$(sandbox_run "$SSPR" admin unlock dave 2>&1)
check "faillock locked: said, with the way out" \
	grep -q '^pam_faillock still locks dave (failed sign-ins that count: 2, deny = 2). "faillock --user dave --reset" unlocks it.$' <<<"$out"
check "faillock locked: the tally is left alone" \
	[ "$(sandbox_run faillock --dir "$FL" --user dave | grep -c ' V$')" = 2 ]

# --- refusals
out=$(sandbox_run "$SSPR" admin unlock '../x' 2>&1)
check "unusable name refused (exit 2)" [ $? = 2 ]
finish
