#!/bin/bash
# enable_entra_group (issue 12, "Selected" means the same group as in
# Microsoft 365): a direct member and a member through a nested group may
# reset; a user in none of the groups, one Microsoft 365 does not know,
# and any user while Microsoft 365 cannot be reached hear exactly what a
# name that is no account hears; syslog tells which. A second sign-in
# within the cache's lifetime asks Graph nothing.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
. "$TESTS_DIR/lib/smtp.sh"
. "$TESTS_DIR/lib/m365.sh"
# a wrong password and "y" to the reset (no administrator request here)
TRANSCRIPT_INPUT='wrong\ny\n'
. "$TESTS_DIR/lib/transcript.sh"
need pamtester
SSPR=$BUILD/sspr

G_SALES=11111111-1111-4111-8111-111111111111
G_ALL=22222222-2222-4222-8222-222222222222   # has G_SALES in it
G_OTHER=33333333-3333-4333-8333-333333333333

sandbox_init
smtp_start
for u in alice bob carol dave erin; do
	sandbox_add_user "$u" 'OldPass#1'
	sandbox_record "$u" "email = $u@example.org"
done
# dave has no Microsoft 365 account at all.
m365_start alice bob carol erin
sandbox_conf "smtp_url = smtp://127.0.0.1:$SMTP_PORT" "mail_from = sspr@test.example"
cat "$SMTP_CA" "$M365_CA" >"$TMP/ca-both.pem"
conf_set ca_file "$TMP/ca-both.pem"
conf_set timeout 3
conf_set enable_entra_group "$G_OTHER $G_ALL"
m365_emu PUT groups "{\"$G_SALES\": [\"alice@$M365_TENANT\"],
	\"$G_ALL\": [\"$G_SALES\", \"erin@$M365_TENANT\"],
	\"$G_OTHER\": [\"bob-not@$M365_TENANT\"]}" >/dev/null
m365_emu PUT app '{"app_roles": ["User-PasswordProfile.ReadWrite.All",
	"UserAuthenticationMethod.Read.All", "Mail.Send",
	"GroupMember.Read.All", "User.Read.All"]}' >/dev/null
# bob: a member through a nested group of his own
m365_emu PUT groups "$(m365_emu GET groups | $PY -c '
import json, sys
g = json.load(sys.stdin)
g["44444444-4444-4444-8444-444444444444"] = ["bob@'"$M365_TENANT"'"]
g["'"$G_OTHER"'"].append("44444444-4444-4444-8444-444444444444")
print(json.dumps(g))')" >/dev/null

unknown=$(transcript nosuchuser)
check "the unknown name is told reset is not available" \
	grep -q 'Password reset is not available for this account' <<<"$unknown"
m365_clear
check "a member of a nested group (alice) may reset" \
	grep -q 'A code was sent' <<<"$(transcript alice)"
check "a member through another nesting (bob) may reset" \
	grep -q 'A code was sent' <<<"$(transcript bob)"
check "the Graph call named the configured groups" \
	[ "$(m365_count POST '/checkMemberGroups$' 200)" = 2 ]
same "not a member" carol
same "no Microsoft 365 account" dave
check "the log: carol is not in the Entra groups" \
	grep -q "reset not available for 'carol': not in the Entra groups" "$SB/syslog"
check "the log: dave is not in the Entra groups" \
	grep -q "reset not available for 'dave': not in the Entra groups" "$SB/syslog"
check "the unknown name asked Graph nothing" \
	[ "$(m365_count POST 'nosuchuser')" = 0 ]

# The cache: a second sign-in within five minutes asks Graph nothing.
m365_clear
transcript alice >/dev/null
transcript carol >/dev/null
check "cache hit: no Graph request for a second sign-in" \
	[ "$(m365_count POST '/checkMemberGroups$')" = 0 ]
check "the cache is root-only" \
	[ "$(stat -c '%a %u' "$SB/state/g-alice")" = "600 0" ]
# A loose cache file is never trusted: asked again.
chmod 0644 "$SB/state/g-carol"
same "loose cache file" carol
check "a loose cache file is asked again" \
	[ "$(m365_count POST '/carol@[^/]*/checkMemberGroups$')" = 1 ]
check "the answer replaced the loose file" \
	[ "$(stat -c '%a' "$SB/state/g-carol")" = 600 ]
# The list changed: the cached answer is for other groups.
conf_set enable_entra_group "$G_SALES"
m365_clear
check "a changed group list is asked again (bob is not in sales)" \
	not grep -q 'A code was sent' <<<"$(transcript bob)"
check "... with one Graph request" \
	[ "$(m365_count POST '/bob@[^/]*/checkMemberGroups$')" = 1 ]

# The time: the fail_delay floor covers the Graph request of a cache
# miss, so an outsider takes as long as a name that is no account.
conf_set fail_delay 1
ms() { local t0=$(date +%s%N); transcript "$1" >/dev/null; echo $((($(date +%s%N) - t0) / 1000000)); }
rm -f "$SB/state/g-carol"
t_unknown=$(ms nosuchuser)
t_carol=$(ms carol)
check "an outsider's answer takes the unknown name's time ($t_carol vs $t_unknown ms)" \
	[ "$t_carol" -ge 1000 -a "$t_unknown" -ge 1000 -a \
	$((t_carol - t_unknown)) -lt 500 -a $((t_unknown - t_carol)) -lt 500 ]
conf_set fail_delay 0

# More than 20 groups: one request per 20 ids, the member's group last.
many=$(for i in $(seq 10 29); do printf '%s ' "555555$i-5555-4555-8555-555555555555"; done)
conf_set enable_entra_group "$many$G_SALES"
rm -f "$SB/state/g-alice"
m365_clear
check "21 groups: alice, in the 21st, may reset (her code still valid)" \
	grep -Eq 'A code was (already )?sent' <<<"$(transcript alice)"
check "21 groups: two requests of at most 20 ids" \
	[ "$(m365_count POST '/alice@[^/]*/checkMemberGroups$' 200)" = 2 ]

# Microsoft 365 unreachable: not offered, the same words, one log line.
m365_fault '{"path": "checkMemberGroups", "action": "drop", "times": null}'
same "Microsoft 365 unreachable" erin
check "the log: Microsoft 365 unreachable" \
	grep -q "reset not available for 'erin': Microsoft 365 unreachable" "$SB/syslog"
check "the log: one line, with the details" \
	[ "$(grep "'erin'" "$SB/syslog" | grep -vc 'password reset started')" = 1 ]
check "... which names the Graph call" \
	grep -q "not available for 'erin': Microsoft 365 unreachable: POST .*checkMemberGroups" "$SB/syslog"
check "an outage is not cached" [ ! -e "$SB/state/g-erin" ]
m365_clear
conf_set enable_entra_group "$G_ALL"
check "erin may reset once Microsoft 365 answers" \
	grep -q 'A code was sent' <<<"$(transcript erin)"
transcript erin >/dev/null
check "two sign-ins, one Graph request" \
	[ "$(m365_count POST '/erin@[^/]*/checkMemberGroups$')" = 1 ]

# A missing permission is an outage too (and says so in the log).
m365_emu PUT app '{"app_roles": ["User-PasswordProfile.ReadWrite.All",
	"UserAuthenticationMethod.Read.All", "Mail.Send"]}' >/dev/null
rm -f "$SB/state/g-alice"
same "permission missing" alice
check "the log names the 403" \
	grep -q "reset not available for 'alice': Microsoft 365 unreachable: .*403" "$SB/syslog"
check "the unknown name is not logged" not grep -q nosuchuser "$SB/syslog"

# sspr admin test USER reports the membership, asked afresh.
out=$(sandbox_run "$SSPR" admin test alice 2>&1)
check "admin test: a 403 on the groups is a FAIL naming the permission" \
	grep -q 'GroupMember.Read.All' <<<"$out"
m365_emu PUT app '{"app_roles": ["User-PasswordProfile.ReadWrite.All",
	"UserAuthenticationMethod.Read.All", "Mail.Send", "User.Read.All",
	"GroupMember.Read.All"]}' >/dev/null
out=$(sandbox_run "$SSPR" admin test alice 2>&1)
check "admin test: alice is in enable_entra_group" \
	grep -q "^OK .*alice@$M365_TENANT is in enable_entra_group" <<<"$out"
out=$(sandbox_run "$SSPR" admin test carol 2>&1)
check "admin test: carol is in none of the groups" \
	grep -q "^FAIL .*carol@$M365_TENANT is in none of the groups" <<<"$out"
finish
