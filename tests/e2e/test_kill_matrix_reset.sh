#!/bin/bash
# Both or neither, even when the process dies (issue 9): a reset at the
# login stack (pamtester through the sandbox), killed with SIGKILL at
# every state-changing system call from the first write of its journal
# of intent on, for each answer of Microsoft 365 to the PATCH (accepted,
# refused with 403, lost without being applied, lost after being
# applied); after each kill the next run reconciles and both passwords
# agree (tests/lib/killmatrix.sh). Then: the journal is durable before
# /etc/shadow changes (power loss), Microsoft 365 unreachable while
# reconciling (kept, retried, resolved), an admin's lock before
# reconciliation (left alone, LOG_CRIT), and a refusal that meets an
# admin's chage (only the module's own fields go back, or none).
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
. "$TESTS_DIR/lib/m365.sh"
. "$TESTS_DIR/lib/killmatrix.sh"

CRIT='^<82>' # authpriv (10) * 8 + LOG_CRIT (2)
REFUSED='{"method": "PATCH", "path": "^/v1.0/users/", "status": 403}'
km_init kate
km_outcomes reset kate
km_journal_first reset-accepted

# --- Microsoft 365 unreachable while reconciling: kept, retried, resolved
# Killed right after Microsoft 365 accepted: both new, journal "sending".
km_prepare kate ''
km_change kate "$(grep -n ' unlink .*/j-kate$' "$TMP/points-reset-accepted" | cut -d: -f1)"
check "killed after the PATCH: the journal says sending" grep -q '^stage = sending$' "$SB/state/j-kate"
m365_fault '{"method": "GET", "path": "^/v1.0/users/", "status": 503, "times": null}'
sandbox_run "$BUILD/sspr" admin reconcile >"$TMP/out" 2>&1
rc=$?
check "unreachable: reconcile exits 1 (unresolved)" [ "$rc" = 1 ]
check "unreachable: the entry is kept" grep -q '^stage = sending$' "$SB/state/j-kate"
check "unreachable: it says so" grep -q "Microsoft 365 could not be asked.*entry kept" "$TMP/out"
check "unreachable: admin list marks it" \
	grep -q '^kate .*unfinished-password-change' <<<"$(sandbox_run "$BUILD/sspr" admin list)"
printf 'wrong\nn\n' | sandbox_run pamtester login kate authenticate >/dev/null 2>&1
check "unreachable: the next sign-in attempt tried again and kept it" \
	[ "$(grep -c "interrupted password change of 'kate'.*could not be asked" "$SB/syslog")" = 2 ]
check "unreachable: still kept" test -e "$SB/state/j-kate"
m365_emu DELETE faults >/dev/null
sandbox_run "$BUILD/sspr" admin reconcile kate >"$TMP/out" 2>&1
rc=$?
check "reachable again: reconcile exits 0" [ "$rc" = 0 ]
check "reachable again: both have the new password" [ "$(km_agree kate)" = new ]
check "reachable again: the entry is gone" not test -e "$SB/state/j-kate"
check "reachable again: the audit line says so" \
	grep -q "interrupted password change of 'kate'.*Microsoft 365 has the new password, this host too" "$SB/syslog"

# --- refused, killed before the old fields are back; the admin locks
# the account meanwhile: reconciliation leaves the lock alone
km_prepare kate "$REFUSED"
km_change kate "$(grep -n ' rename /etc/\.sspr-shadow\.[A-Za-z0-9]* -> /etc/shadow$' "$TMP/points-reset-refused" | cut -d: -f1)"
check "refused, killed before the restore: the journal says refused" grep -q '^stage = refused$' "$SB/state/j-kate"
sandbox_run usermod -L kate
locked=$(sandbox_shadow kate)
sandbox_run "$BUILD/sspr" admin reconcile kate >/dev/null 2>&1
rc=$?
check "admin's lock: reconcile exits 1" [ "$rc" = 1 ]
check "admin's lock: the shadow line stays as the admin made it" [ "$locked" = "$(sandbox_shadow kate)" ]
check "admin's lock: LOG_CRIT says it was left alone" \
	grep -q "${CRIT}.*interrupted password change of 'kate'.*changed by someone else since, so it is left alone" "$SB/syslog"
check "admin's lock: the entry is kept for the admin" test -e "$SB/state/j-kate"
check "admin's lock: admin show says what each side holds" \
	grep -q 'this host *changed since' <<<"$(sandbox_run "$BUILD/sspr" admin show kate)"
km_fresh_record
out=$(printf '\n%s\n%s\n%s\n' "$(oathtool --totp --base32 "$KM_KEY")" "$KM_NEW" "$KM_NEW" |
	sandbox_run pamtester login kate authenticate 2>&1)
# Locked, the account is not offered a reset at all (a lock is a lock).
check "admin's lock: a new reset is refused meanwhile" grep -q "Password reset is not available" <<<"$out"
check "admin's lock: and changes nothing" [ "$locked" = "$(sandbox_shadow kate)" ]
# The admin sets a password of their own (the account is no longer
# locked): reconciliation still leaves the line alone, and the unresolved
# entry holds a new reset back until the admin forgets it.
sandbox_run usermod -p "$(openssl passwd -6 'Admin#Set9x')" kate
unlocked=$(sandbox_shadow kate)
out=$(printf '\n%s\n%s\n%s\n' "$(oathtool --totp --base32 "$KM_KEY")" "$KM_NEW" "$KM_NEW" |
	sandbox_run pamtester login kate authenticate 2>&1)
check "unresolved entry: a new reset of the unlocked account is refused" grep -q "has not been finished yet" <<<"$out"
check "unresolved entry: and changes nothing" [ "$unlocked" = "$(sandbox_shadow kate)" ]
sandbox_run "$BUILD/sspr" admin forget kate >/dev/null
check "admin forget: the entry is gone" not test -e "$SB/state/j-kate"

# --- a refusal puts back only what the reset changed, and only that.
# The emulator holds the PATCH until the admin has acted (it answers 403
# once released); the module's deadline is longer than any hold (30 s at
# most), so the order does not depend on the machine's load.
HELD='{"method": "PATCH", "path": "^/v1.0/users/", "status": 403, "hold": true}'
conf_set timeout 60
# Meanwhile the admin sets an expiry date.
km_prepare kate "$HELD"
km_change kate 0 &
pid=$!
check "chage -E: the reset's PATCH is held" m365_wait_held
sandbox_run chage -E 2040-01-01 kate
m365_release
wait "$pid"
line=$(sandbox_shadow kate)
check "refusal after an admin's chage -E: the old hash and day are back" \
	[ "$(cut -d: -f2,3 <<<"$line")" = "$(grep '^kate:' "$TMP/shadow.before" | cut -d: -f2,3)" ]
check "refusal after an admin's chage -E: the admin's expiry stays" \
	[ "$(cut -d: -f8 <<<"$line")" = $(($(date -u -d 2040-01-01 +%s) / 86400)) ]
# Meanwhile the admin sets the day of the last change: the line stays.
km_prepare kate "$HELD"
km_change kate 0 &
pid=$!
check "chage -d: the reset's PATCH is held" m365_wait_held
sandbox_run chage -d 2030-01-01 kate
admin_line=$(sandbox_shadow kate)
m365_release
wait "$pid"
check "refusal after an admin's chage -d: the line is left as the admin made it" \
	[ "$admin_line" = "$(sandbox_shadow kate)" ]
check "refusal after an admin's chage -d: LOG_CRIT" \
	grep -q "${CRIT}.*cannot restore the previous local password of 'kate' (the shadow entry changed since)" "$SB/syslog"
sandbox_run "$BUILD/sspr" admin forget kate >/dev/null
conf_set timeout 5

# --- leftovers of interrupted writes from a crash outside the apply step
# (a record save, a shadow copy, a journal write) go at the next run
leftover() { install -m 0600 /dev/null "$1"; echo 'totp_secret = X' >"$1"; }
leftover "$SB/state/.u-kate.Qw3rTy"
km_prepare kate ''
km_change kate 0
check "a record's leftover copy is gone after the next locked step" not test -e "$SB/state/.u-kate.Qw3rTy"
leftover "$SB/state/.u-paul.Qw3rTy"
leftover "$SB/state/.j-paul.new"
leftover "$SB/etc/.sspr-shadow.Zx9Cv8"
leftover "$SB/etc/nshadow"
sandbox_run "$BUILD/sspr" admin reconcile >/dev/null 2>&1
rc=$?
check "sspr admin reconcile removes every leftover, and exits 0" \
	[ "$rc" = 0 -a -z "$(ls -A "$SB/state" | grep '^\.')$(ls -A "$SB/etc" | grep -e '^\.sspr-shadow' -e '^nshadow$')" ]

check "reset: the new password is in no journal and no log" \
	not grep -rqF -e "$KM_NEW" "$SB/state" "$SB/syslog"
finish
