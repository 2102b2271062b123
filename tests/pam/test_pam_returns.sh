#!/bin/bash
# The module's PAM return codes and its behaviour on bad input, through
# real libpam and pam_unix (pamtester) in the sandbox.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
need pamtester oathtool

KEY=MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U
sandbox_init
sandbox_add_user bob 'OldPass#1'
sandbox_record bob "totp_secret = $KEY" "totp_algorithm = sha1" \
	"totp_digits = 6" "totp_period = 30"
printf '@include common-auth\n' >"$SB/etc/pam.d/sudo-like"

# auth SERVICE USER ANSWERS: run pamtester, answers on stdin; prints output.
auth() {
	printf "$3" | sandbox_run pamtester "$1" "$2" authenticate 2>&1
}

out=$(auth login bob 'wrong\nn\n')
check "wrong password + No: authentication failure" grep -q 'Authentication failure' <<<"$out"
check "the question is asked at login" grep -q 'Forgot your password' <<<"$out"

out=$(auth sudo-like bob 'wrong\n')
check "a service not listed in services is never offered the branch" not grep -q 'Forgot' <<<"$out"

out=$(auth login root 'wrong\ny\n')
check "root is never offered a self-service reset" grep -q 'Password reset is not available for this account' <<<"$out"

sandbox_conf "enable = none"
out=$(auth login bob 'wrong\n')
check "enable = none: not offered" not grep -q 'Forgot' <<<"$out"
sandbox_conf "enable = all"

# A pam_faillock tally, kept in the sandbox, that the reset should clear.
mkdir -p "$SB/faillock"
echo "dir = $SB/faillock" >"$SB/etc/security/faillock.conf"
printf 'auth required pam_faillock.so authfail deny=10\n' >"$SB/etc/pam.d/faillock-test"
printf 'x\n' | sandbox_run pamtester faillock-test bob authenticate >/dev/null 2>&1
check "faillock tally recorded before the reset" [ -s "$SB/faillock/bob" ]
out=$(auth login bob "\n$(oathtool --totp --base32 $KEY)\nPam#Return9\nPam#Return9\n")
check "the reset clears the faillock tally" not [ -s "$SB/faillock/bob" ]
check "a completed reset authenticates (after_reset = login)" grep -q 'successfully authenticated' <<<"$out"
check "and the password changed" sandbox_password_is bob 'Pam#Return9'

# Bad input never lets anyone in and never crashes the host program.
cp "$SSPR_CONF" "$TMP/good.conf"
echo "colour = blue" >>"$SSPR_CONF"
out=$(auth login bob 'wrong\n')
check "config error: authentication fails" grep -q 'Authentication failure\|Authentication service cannot retrieve\|System error\|Critical error' <<<"$out"
check "config error: one sentence for the user" grep -q 'configuration problem. Please contact your administrator.' <<<"$out"
check "config error: syslog names file and line" grep -q "configuration error: /etc/security/sspr.conf:[0-9]*: unknown key 'colour'" "$SB/syslog"
out=$(auth login bob 'OldPass#1\n')
check "config error: a wrong config does not break correct passwords" not grep -q 'Authentication failure' <<<"$(auth login bob 'Pam#Return9\n')"

cp "$TMP/good.conf" "$SSPR_CONF"
chmod 0666 "$SSPR_CONF"
out=$(auth login bob 'wrong\n')
check "world-writable config is refused" grep -q 'owner or mode too loose' "$SB/syslog"
chmod 0600 "$SSPR_CONF"

chmod 0777 "$SB/state"
out=$(auth login bob '\n')
check "loose state_dir: the user hears one sentence" grep -q 'problem on this computer' <<<"$out"
check "loose state_dir: the admin gets a syslog line" grep -q "cannot read the reset record of 'bob'" "$SB/syslog"
check "loose state_dir: no access" grep -q 'Authentication failure\|Authentication information cannot be recovered' <<<"$out"
chmod 0700 "$SB/state"

printf 'garbage\n' >"$SB/state/u-bob"
chmod 0600 "$SB/state/u-bob"
out=$(auth login bob '\n')
check "corrupted record: not treated as no methods" grep -q 'problem on this computer' <<<"$out"
finish
