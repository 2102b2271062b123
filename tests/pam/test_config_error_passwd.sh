#!/bin/bash
# A configuration error never breaks passwd (issue 8, item 6). With the
# profile's password line in common-password, a typo in sspr.conf or
# sync_on_passwd = yes without a tenant leaves passwd (real, run by a
# user; and pamtester for root) and chpasswd working as if the module
# were absent; the admin finds one syslog line per transaction, and the
# person hears nothing about password reset.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
need pamtester setpriv passwd chpasswd

sandbox_init
sandbox_add_user alice 'OldPass#1'
uid=$(awk -F: '$1 == "alice" { print $3 }' "$SB/etc/passwd")
PROFILE=$SRC_DIR/conf/pam-configs/sspr

# The Password: lines of the profile, appended as pam-auth-update does.
profile_block() {
	awk -v k="$1:" '$1 == k { p = 1; next } /^[^ \t]/ { p = 0 } p' "$PROFILE"
}
sed "s#\bpam_sspr\.so#$MODULE#; s/^[ \t]*/password\t/" <<<"$(profile_block Password)" \
	>>"$SB/etc/pam.d/common-password"
check "the profile's password line is in common-password" \
	grep -q "^password.*$MODULE" "$SB/etc/pam.d/common-password"
check "the profile's session line is optional, as Debian's are" \
	grep -Eq '^[[:space:]]+optional[[:space:]]+pam_sspr\.so' <<<"$(profile_block Session)"

good_conf=$(cat "$SSPR_CONF")
n=0
try_all() {
	local what=$1 expect=$2 before out rc lines
	n=$((n + 1))
	before=$(wc -l <"$SB/syslog")
	out=$(printf 'Rk%02d#vQw8Lz\nRk%02d#vQw8Lz\n' $n $n | sandbox_run pamtester passwd root chauthtok 2>&1)
	rc=$?
	check "$what: root's passwd (pamtester) succeeds" [ "$rc" = 0 ]
	check "$what: root's password changed" sandbox_password_is root "$(printf 'Rk%02d#vQw8Lz' $n)"
	check "$what: nothing said about password reset" not grep -qi 'reset\|configuration problem' <<<"$out"
	lines=$(tail -n +"$((before + 1))" "$SB/syslog" | grep -c "$expect")
	check "$what: one syslog line for the transaction ($lines)" [ "$lines" = 1 ]

	out=$(printf '%s\n%s\n%s\n' "$PW" "Mv${n}#pLq7Ys" "Mv${n}#pLq7Ys" | sandbox_run \
		setpriv --reuid="$uid" --regid="$uid" --clear-groups passwd 2>&1)
	rc=$?
	check "$what: alice's own passwd succeeds" [ "$rc" = 0 ]
	check "$what: alice's password changed" sandbox_password_is alice "Mv${n}#pLq7Ys"
	check "$what: alice hears nothing about password reset" not grep -qi 'reset\|configuration problem' <<<"$out"
	PW="Mv${n}#pLq7Ys"

	out=$(printf 'alice:Cx%02d#tHn4Wr\n' $n | sandbox_run chpasswd 2>&1)
	rc=$?
	check "$what: chpasswd succeeds" [ "$rc" = 0 ]
	check "$what: chpasswd set the password" sandbox_password_is alice "$(printf 'Cx%02d#tHn4Wr' $n)"
	PW=$(printf 'Cx%02d#tHn4Wr' $n)
	check "$what: the admin is told what is wrong" grep -q "$expect" "$SB/syslog"
}
PW='OldPass#1'

# --- a typo
sandbox_conf "enable = al"
try_all "enable = al" "configuration error.*sspr.conf:[0-9]*: enable: 'al' is not one of"

# --- sync_on_passwd without the tenant it needs
printf '%s\n' "$good_conf" >"$SSPR_CONF"
sandbox_conf "sync_on_passwd = yes"
try_all "sync_on_passwd without tenant" "configuration error.*sync_on_passwd needs tenant"
finish
