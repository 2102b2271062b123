#!/bin/bash
# sync_on_passwd = yes (issue 5): an ordinary passwd changes the Microsoft
# 365 password too, both or neither, with the module placed in
# common-password as pam-auth-update places conf/pam-configs/sspr.  The
# reset's nested transaction on sspr-passwd does not sync a second time.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
. "$TESTS_DIR/lib/tmux.sh"
. "$TESTS_DIR/lib/login.sh"
. "$TESTS_DIR/lib/smtp.sh"
. "$TESTS_DIR/lib/m365.sh"
need pamtester

sandbox_init
smtp_start
for u in alice bob dave erin frank; do sandbox_add_user "$u" 'OldPass#1'; done
sandbox_record erin "email = erin@example.org"
m365_user dave '{"onPremisesSyncEnabled": true}'
m365_start alice bob dave erin frank
sandbox_conf "sync = required" "sync_on_passwd = yes" "timeout = 3" \
	"smtp_url = smtp://127.0.0.1:$SMTP_PORT" "mail_from = sspr@test.example"
cat "$SMTP_CA" "$M365_CA" >"$TMP/ca-both.pem"
conf_set ca_file "$TMP/ca-both.pem"

# The Password: lines of the pam-auth-update profile, appended after the
# pam_unix / pam_deny / pam_permit block (the "Additional" block).
profile_lines=$(awk '/^Password:/ { p = 1; next } /^[^ \t]/ { p = 0 } p' \
	"$SRC_DIR/conf/pam-configs/sspr")
check "the profile has a password line for pam_sspr" grep -q 'pam_sspr\.so' <<<"$profile_lines"
sed "s#\bpam_sspr\.so#$MODULE#; s/^[ \t]*/password\t/" <<<"$profile_lines" \
	>>"$SB/etc/pam.d/common-password"
check "pam_sspr follows pam_unix and pam_permit in common-password" \
	[ "$(grep -v '^#' "$SB/etc/pam.d/common-password" | grep -E 'pam_(unix|permit)|pam_sspr' | awk '{print $NF ~ /pam_sspr/ ? "sspr" : $0 ~ /pam_unix/ ? "unix" : "permit"}' | tr '\n' ' ')" = "unix permit sspr " ]

UNREACHABLE="Microsoft 365 could not be reached, so your password was not changed. Try again later."
UNCONFIRMED="Microsoft 365 did not confirm the change, so your password on this computer was not changed."
COMPLEXITY="Microsoft 365 did not accept this password: it does not meet the password rules or is too common. Choose a different one."
SYNCED="Reset your password through your organisation's on-premises process."
NOTCHANGED="Your password was not changed."

# pt USER PASSWORD: root runs passwd's PAM transaction for USER through
# pamtester, typing PASSWORD twice. Sets OUT and RC.
pt() {
	OUT=$(printf '%s\n%s\n' "$2" "$2" | sandbox_run pamtester passwd "$1" chauthtok 2>&1)
	RC=$?
}
has() { grep -qF -- "$1" <<<"$OUT"; }

# --- success: both change, one PATCH
m365_clear
pt alice 'Maple#Tree2024'
check "passwd alice: succeeds" [ "$RC" = 0 ]
check "passwd alice: emulator holds the new password" [ "$(m365_password alice)" = 'Maple#Tree2024' ]
check "passwd alice: shadow verifies the new password" sandbox_password_is alice 'Maple#Tree2024'
check "passwd alice: one lookup, one PATCH" \
	[ "$(m365_count GET "^/v1.0/users/alice@" 200)/$(m365_count PATCH . 204)" = 1/1 ]
check "passwd alice: logged" grep -q "Microsoft 365 password of 'alice' changed by passwd" "$SB/syslog"
# The preliminary pass's connection is kept while the new password is
# typed: the PATCH after the last keystroke needs no new handshake.
check "passwd alice: the PATCH goes out on the lookup's connection" \
	[ "$(m365_logq '[e["connection"] for e in L if e["method"] == "PATCH"] == [e["connection"] for e in L if e["method"] == "GET" and "/users/alice@" in e["path"]]')" = True ]

# --- pam_unix refuses (the retyped password differs): its update pass
# never comes, and the journal written by the preliminary pass goes
before=$(sandbox_shadow alice)
OUT=$(printf '%s\n%s\n' 'Birch#Leaf31' 'Birch#Leaf32' | sandbox_run pamtester passwd alice chauthtok 2>&1)
check "mistyped retype: passwd fails" grep -qF "Authentication token manipulation error" <<<"$OUT"
check "mistyped retype: shadow line byte for byte as before" [ "$before" = "$(sandbox_shadow alice)" ]
check "mistyped retype: no journal entry is left" not test -e "$SB/state/j-alice"
check "mistyped retype: no temporary file is left" test -z "$(ls -A "$SB/state" | grep '^\.')"

# --- the connection drops on PATCH: local line put back, passwd fails
m365_clear
m365_fault '{"method": "PATCH", "path": "^/v1.0/users/", "action": "drop"}'
# as for most accounts, the last change was not a moment ago
m365_user alice '{"lastPasswordChangeDateTime": "2020-01-01T00:00:00Z"}'
before=$(sandbox_shadow alice)
pt alice 'River#Stone77'
check "dropped PATCH: passwd reports failure" [ "$RC" != 0 ]
check "dropped PATCH: pamtester says the change failed" has "Authentication token manipulation error"
check "dropped PATCH: the not-confirmed sentence" has "$UNCONFIRMED"
check "dropped PATCH: the admin hears the outcome is unknown" \
	grep -q "^<82>.*did not confirm the new password of 'alice'" "$SB/syslog"
check "dropped PATCH: shadow line byte for byte as before" [ "$before" = "$(sandbox_shadow alice)" ]
check "dropped PATCH: emulator unchanged" [ "$(m365_password alice)" = 'Maple#Tree2024' ]
check "dropped PATCH: restore logged with the client-request-id" \
	grep -qF "client-request-id=$(m365_logq '[e["headers"]["client-request-id"] for e in L if e["method"] == "PATCH"][-1]')" "$SB/syslog"

# --- Entra refuses the password (banned list)
m365_clear
before=$(sandbox_shadow bob)
pt bob 'Contoso#2024'
check "banned password: passwd reports failure" [ "$RC" != 0 ]
check "banned password: the complexity sentence" has "$COMPLEXITY"
check "banned password: shadow line byte for byte as before" [ "$before" = "$(sandbox_shadow bob)" ]
check "banned password: old password still verifies" sandbox_password_is bob 'OldPass#1'
check "banned password: emulator unchanged" [ "$(m365_password bob)" = 'OldPass#1' ]
check "banned password: one PATCH, refused 400" [ "$(m365_count PATCH . 400)/$(m365_count PATCH .)" = 1/1 ]

# --- synced from on-premises: refused before anything changes
m365_clear
before=$(sandbox_shadow dave)
pt dave 'Quiet#Harbor88'
check "synced: passwd reports failure" [ "$RC" != 0 ]
check "synced: the on-premises sentence" has "$SYNCED"
check "synced: no new password asked" not has "New password"
check "synced: shadow line byte for byte as before" [ "$before" = "$(sandbox_shadow dave)" ]
check "synced: no PATCH" [ "$(m365_count PATCH .)" = 0 ]

# --- real passwd in a terminal: success, then a 403 refusal
m365_clear
term_start "$SB/enter" passwd frank
term_wait 'New password: *$'
term_answer 'Silver#Fern303' 'Retype new password: *$'
term_answer 'Silver#Fern303' 'password updated successfully'
check "passwd frank (tty): emulator holds the new password" [ "$(m365_password frank)" = 'Silver#Fern303' ]
check "passwd frank (tty): shadow verifies the new password" sandbox_password_is frank 'Silver#Fern303'
m365_emu PUT app '{"directory_role": []}' >/dev/null
before=$(sandbox_shadow frank)
term_start "$SB/enter" passwd frank
term_wait 'New password: *$'
term_answer 'Amber#Cloud515' 'Retype new password: *$'
term_answer 'Amber#Cloud515' 'password unchanged'
check "passwd frank (tty) 403: the permission sentence" term_has "this computer is not allowed to reset your password"
check "passwd frank (tty) 403: passwd says unchanged" term_has 'passwd: password unchanged'
check "passwd frank (tty) 403: shadow line byte for byte as before" [ "$before" = "$(sandbox_shadow frank)" ]
check "passwd frank (tty) 403: emulator unchanged" [ "$(m365_password frank)" = 'Silver#Fern303' ]
m365_emu PUT app '{"directory_role": ["User Administrator"]}' >/dev/null

# --- the reset at login: its nested sspr-passwd transaction runs this
# same common-password, and must not sync a second time
m365_clear
login_start
term_answer erin 'Password: *$'
mails=$(smtp_count)
term_answer '' 'Code from the mail: *$'
smtp_wait_count $((mails + 1))
term_answer "$(smtp_last_code)" 'New password: *$'
term_answer 'Cobalt#Lake626' 'Retype new password: *$'
term_answer 'Cobalt#Lake626' 'changed on this computer and in Microsoft 365'
check "reset with sync_on_passwd: emulator holds the new password" [ "$(m365_password erin)" = 'Cobalt#Lake626' ]
check "reset with sync_on_passwd: shadow verifies the new password" sandbox_password_is erin 'Cobalt#Lake626'
check "reset with sync_on_passwd: exactly one PATCH" [ "$(m365_count PATCH .)" = 1 ]
check "reset with sync_on_passwd: the passwd path did not run" \
	not grep -q "of 'erin' changed by passwd" "$SB/syslog"

# --- an admin who made the line "optional": libpam then ignores the
# refusals, but the local line is still put back (neither changes)
sed -i "s#^password\t.*$MODULE.*#password\toptional\t$MODULE#" "$SB/etc/pam.d/common-password"
check "the line is now optional" grep -q "^password.optional.*pam_sspr" "$SB/etc/pam.d/common-password"
m365_clear
before=$(sandbox_shadow dave)
pt dave 'Quiet#Harbor88'
check "optional, synced: the on-premises sentence" has "$SYNCED"
check "optional, synced: says not changed" has "$NOTCHANGED"
check "optional, synced: shadow line byte for byte as before" [ "$before" = "$(sandbox_shadow dave)" ]
check "optional, synced: no PATCH" [ "$(m365_count PATCH .)" = 0 ]
before=$(sandbox_shadow alice)
m365_fault '{"method": "PATCH", "path": "^/v1.0/users/", "status": 403}'
pt alice 'Ocean#Wave2024'
check "optional, 403: shadow line byte for byte as before" [ "$before" = "$(sandbox_shadow alice)" ]
check "optional, 403: emulator unchanged" [ "$(m365_password alice)" = 'Maple#Tree2024' ]

check "no password or client secret in syslog" bash -c '
for s in "$@"; do grep -qF -- "$s" "$0" && exit 1; done; exit 0' "$SB/syslog" \
	"$M365_SECRET" 'Maple#Tree2024' 'River#Stone77' 'Contoso#2024' 'Quiet#Harbor88' \
	'Silver#Fern303' 'Amber#Cloud515' 'Cobalt#Lake626' 'Ocean#Wave2024'
finish
