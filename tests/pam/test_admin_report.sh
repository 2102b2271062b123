#!/bin/bash
# sspr admin report [--since DATE] [--json] (issue 12): on a sandbox with
# users holding 0, 1 and 2 methods, a lockout, an unfinished change, a
# locked account and a system account, and an audit log with a real reset
# and lines written here in its format: the counts, the names, --since,
# the JSON form field by field; hostile lines (control characters,
# not JSON, a huge line) that are counted, never shown; and the files
# logrotate moved away.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
. "$TESTS_DIR/lib/smtp.sh"
. "$TESTS_DIR/lib/m365.sh"
need pamtester oathtool
SSPR=$BUILD/sspr
PY3=/usr/bin/python3
[ -x "$SSPR" ] || skip_all "no $SSPR"
[ -x "$PY3" ] || skip_all "no $PY3"

KEY=KRUGS4ZANFZSAYJAORSXG5BAONSWG4TF
now=$(date +%s)
sandbox_init
smtp_start
mkdir -m 0700 "$SB/var-log/sspr"
AUDIT=$SB/var-log/sspr/audit.jsonl
sandbox_conf "smtp_url = smtp://127.0.0.1:$SMTP_PORT" "ca_file = $SMTP_CA" \
	"mail_from = sspr@test.example" "audit_log = /var/log/sspr/audit.jsonl"
for u in alice bob carol dave erin frank; do sandbox_add_user "$u" 'OldPass#1'; done
# A system account (uid below UID_MIN) with a record: not a person.
echo "daemon2:x:500:500::/:/bin/sh" >>"$SB/etc/passwd"
echo "daemon2:$(openssl passwd -6 x):19000:0:99999:7:::" >>"$SB/etc/shadow"
TOTP=("totp_secret = $KEY" "totp_algorithm = sha1" "totp_digits = 6" "totp_period = 30")
sandbox_record alice "email = alice@example.org" "${TOTP[@]}" \
	"confirmed_at = $((now - 10 * 86400))"
# bob confirmed 200 days ago: due with the default reconfirm_days = 180
sandbox_record bob "email = bob@example.org" "confirmed_at = $((now - 200 * 86400))"
sandbox_record dave "${TOTP[@]}" "failures = 0" "locked_until = $((now + 3600))" "lockouts = 1"
sandbox_record erin "remind_after = $((now + 86400))"
sandbox_record frank "email = frank@example.org"
sandbox_record daemon2 "email = d@example.org"
sandbox_run passwd -l frank >/dev/null 2>&1
# bob: a reset interrupted before anything was sent.
install -m 0600 /dev/null "$SB/state/j-bob"
printf 'version = 1\npath = reset\nstage = prepared\nstarted = %s\nold_hash = %s\nold_lastchg = 19000\n' \
	"$now" "$(sandbox_shadow bob | cut -d: -f2)" >"$SB/state/j-bob"

# A real reset of alice (her second method, the app) writes the first line.
NEW='Reported#Reset2026'
printf 'wrong\ny\n2\n%s\n%s\n%s\nn\n' "$(oathtool --totp --base32 "$KEY")" "$NEW" "$NEW" |
	sandbox_run pamtester login alice authenticate >/dev/null 2>&1
check "the real reset worked" sandbox_password_is alice "$NEW"
check "... and wrote its line" grep -q '"event":"reset"' "$AUDIT"

# line DAYS-AGO EVENT RESULT [USER]: an audit line in its documented format.
line() {
	printf '{"time":"%s","host":"h","service":"login","tty":null,"user":"%s","event":"%s","method":null,"result":"%s","reason":null,"request_ids":[]}\n' \
		"$(date -u -d "@$((now - $1 * 86400))" +%Y-%m-%dT%H:%M:%SZ)" "${4:-bob}" "$2" "$3"
}
{
	line 60 reset ok		# before the default period
	line 45 lockout failed		# before it too
	line 10 reset failed
	line 9 reset failed
	line 8 lockout failed
	line 2 "method added" ok
	line 1 reset ok '\u001b]0;pwned\u0007'	# escaped: still an event
	printf 'this is not JSON \033[2J\033]0;pwned\007\n'
	printf '{"time":"2026-13-45T99:00:00Z","event":"reset","result":"ok"}\n'
	printf '[1,2,3]\n'
	printf '{"time":"%s","event":"reset","result":"ok","user":"' \
		"$(date -u -d "@$now" +%Y-%m-%dT%H:%M:%SZ)"
	head -c 20000 /dev/zero | tr '\0' 'A'
	printf '\033[2J"}\n'
} >>"$AUDIT"

out=$(sandbox_run "$SSPR" admin report 2>&1)
check "report: exit 0" [ $? = 0 ]
printf '%s\n' "$out" >"$TMP/report.txt"
row() { grep -qE "^ *$1 +$2\$" <<<"$out"; }
check "users who may reset: 5 (not frank, locked; not daemon2)" row "users who may reset" 5
check "with no method: 2" row "with no method" 2
check "with one method: 2" row "with one method" 2
check "with two or more: 1" row "with two or more" 1
check "locked now: 1" row "locked now" 1
check "unfinished password changes: 1" row "unfinished password changes" 1
check "no method: carol, erin" grep -qx 'No method: carol, erin' <<<"$out"
check "locked: dave" grep -q '^Locked: dave until ' <<<"$out"
check "unfinished change: bob" grep -q 'Unfinished password change.*: bob$' <<<"$out"
check "resets in 30 days: 2 (the real one, the escaped one)" row "successful resets" 2
check "failed resets: 2" row "failed resets" 2
check "lockouts: 1" row "lockouts" 1
check "4 lines that are no audit line" row "lines that are no audit line" 4
check "no control character reaches the terminal" not grep -qP '[\x00-\x08\x0b-\x1f\x7f]' "$TMP/report.txt"
check "nothing of the hostile lines is shown" not grep -qE 'pwned|AAAA' "$TMP/report.txt"

since=$(date -d "@$((now - 50 * 86400))" +%Y-%m-%d)
out=$(sandbox_run "$SSPR" admin report --since "$since" 2>&1)
check "--since 50 days ago: the lockout 45 days ago counts" row "lockouts" 2
check "--since 50 days ago: not the reset 60 days ago" row "successful resets" 2
out=$(sandbox_run "$SSPR" admin report --since "$(date -d "@$((now - 70 * 86400))" +%Y-%m-%d)" 2>&1)
check "--since 70 days ago: the reset 60 days ago counts" row "successful resets" 3

json=$(sandbox_run "$SSPR" admin report --json)
check "--json: exit 0" [ $? = 0 ]
# j EXPR: the Python expression holds for the report d.
j() { "$PY3" -c 'import json, sys; d = json.loads(sys.argv[2]); sys.exit(0 if eval(sys.argv[1]) else 1)' "$1" "$json"; }
check "--json: the documented keys, no others" j 'set(d) == {"version", "time", "since", "email_source", "entra_email_counted", "entra_email_error", "users", "methods", "unregistered", "unreadable", "reconfirm", "locked", "unfinished_changes", "audit"}'
check "--json: version 1, times" j "d['version'] == 1 and abs(d['time'] - $now) < 120 and abs(d['since'] - ($now - 30 * 86400)) < 120"
check "--json: email_source" j 'd["email_source"] == "local" and d["entra_email_counted"] is False and d["entra_email_error"] is None'
check "--json: users and methods" j 'd["users"] == 5 and d["methods"] == {"none": 2, "one": 2, "two_or_more": 1}'
check "--json: unregistered, unreadable" j 'd["unregistered"] == ["carol", "erin"] and d["unreadable"] == []'
check "--json: due to reconfirm (a record never confirmed is not)" j 'd["reconfirm"] == ["bob"]'
check "--json: locked" j "d['locked'] == [{'user': 'dave', 'locked_until': $((now + 3600))}]"
check "--json: unfinished change as admin show gives it" j "d['unfinished_changes'] == [{'user': 'bob', 'unfinished_change': {'kind': 'reset', 'stage': 'prepared', 'started': $now, 'sent': None, 'this_host': 'old', 'microsoft365': 'old'}}]"
check "--json: audit" j 'd["audit"] == dict(d["audit"], path="/var/log/sspr/audit.jsonl", error=None, resets=2, failed_resets=2, lockouts=1, unreadable_lines=4)'
check "--json: audit, the oldest line" j "abs(d['audit']['first'] - ($now - 60 * 86400)) < 5"
check "--json: nothing of the hostile lines" not grep -qE 'pwned|AAAA' <<<"$json"
json=$(sandbox_run "$SSPR" admin report --since "$since" --json)
check "--json --since: since is that day's start" j "d['since'] == $(date -d "$since 00:00" +%s) and d['audit']['lockouts'] == 2"

# The files logrotate moved away (conf/logrotate.d/sspr keeps them
# uncompressed) are read too, up to the first that is missing; a
# compressed one is not.
install -m 0600 /dev/null "$AUDIT.1"
install -m 0600 /dev/null "$AUDIT.2"
line 100 reset ok >"$AUDIT.1"
line 200 lockout failed >"$AUDIT.2"
printf 'not gzip, and never read\n' | install -m 0600 /dev/stdin "$AUDIT.3.gz"
install -m 0600 /dev/null "$AUDIT.4"
line 300 reset ok >"$AUDIT.4"	# after a gap: not read
json=$(sandbox_run "$SSPR" admin report --since "$(date -d "@$((now - 400 * 86400))" +%Y-%m-%d)" --json)
check "rotated files: read, and only up to the first missing" \
	j 'd["audit"]["resets"] == 4 and d["audit"]["lockouts"] == 3 and d["audit"]["unreadable_lines"] == 4'
check "rotated files: the oldest line is the one in audit.jsonl.2" \
	j "abs(d['audit']['first'] - ($now - 200 * 86400)) < 5"
out=$(sandbox_run "$SSPR" admin report 2>&1)
check "rotated files: the default period is still 30 days" row "successful resets" 2
chmod 0666 "$AUDIT.2"
out=$(sandbox_run "$SSPR" admin report 2>&1)
check "a rotated file others may write: exit 1" [ $? = 1 ]
check "... and the message names that file" grep -q 'audit log /var/log/sspr/audit.jsonl.2 cannot be read' <<<"$out"
json=$(sandbox_run "$SSPR" admin report --json)
check "... and so does the JSON error" j 'd["audit"]["error"].startswith("/var/log/sspr/audit.jsonl.2: ")'
rm -f "$AUDIT".[1-4] "$AUDIT.3.gz"
# A rotation while the report runs can show it one file twice (the log,
# then the same file as .1): it is counted once.
ln "$AUDIT" "$AUDIT.1"
out=$(sandbox_run "$SSPR" admin report 2>&1)
check "one file under two names: counted once" row "successful resets" 2
rm -f "$AUDIT.1"

# Usage errors and a loose log.
for bad in "--since 2026-02-30" "--since yesterday" "--since +026-01-01" "--since 2026-01-011" \
	"--since" "--all" "--json --since 2026-01-01"; do
	sandbox_run "$SSPR" admin report $bad >/dev/null 2>&1
	check "admin report $bad: usage error (exit 2)" [ $? = 2 ]
done
chmod 0666 "$AUDIT"
out=$(sandbox_run "$SSPR" admin report 2>&1)
check "a log others may write: exit 1" [ $? = 1 ]
check "... and says so" grep -q 'audit log /var/log/sspr/audit.jsonl cannot be read' <<<"$out"
chmod 0600 "$AUDIT"
sed -i '/^audit_log/d' "$SSPR_CONF"
out=$(sandbox_run "$SSPR" admin report 2>&1)
check "no audit log: said" grep -q 'No audit log configured' <<<"$out"
json=$(sandbox_run "$SSPR" admin report --json)
check "--json, no audit log: null" j 'd["audit"] is None'

# Microsoft 365's addresses: alice and carol registered one there.
m365_user alice '{"emailMethods": ["alice.m365@example.org"]}'
m365_user carol '{"emailMethods": ["carol.m365@example.org"]}'
m365_start alice bob carol dave erin frank
echo "email_source = both" >>"$SSPR_CONF"
m365_clear
out=$(sandbox_run "$SSPR" admin report 2>&1)
check "email_source = both: exit 0" [ $? = 0 ]
check "both: Microsoft 365's addresses counted, said" \
	grep -q 'registered in Microsoft 365 are counted (email_source = both)' <<<"$out"
check "both: one \$batch for the five users" [ "$(m365_count POST '/v1.0/\$batch$')" = 1 ]
check "both: no request one user at a time" [ "$(m365_count GET 'emailMethods')" = 0 ]
json=$(sandbox_run "$SSPR" admin report --json)
check "both: carol counts (her address there), erin not" \
	j 'd["entra_email_counted"] is True and d["entra_email_error"] is None and d["methods"] == {"none": 1, "one": 3, "two_or_more": 1} and d["unregistered"] == ["erin"]'
check "both: no address in the report" not grep -qF m365@example.org <<<"$json$out"
conf_set email_source entra
json=$(sandbox_run "$SSPR" admin report --json)
check "entra: bob's local address is no method, alice's app + address there" \
	j 'd["email_source"] == "entra" and d["methods"] == {"none": 2, "one": 2, "two_or_more": 1} and d["unregistered"] == ["bob", "erin"]'
# Twenty-five people: two batches (20 + 5).
for i in $(seq 1 20); do sandbox_add_user "p$i" 'OldPass#1'; done
m365_clear
json=$(sandbox_run "$SSPR" admin report --json)
check "25 users: two batches" [ "$(m365_count POST '/v1.0/\$batch$')" = 2 ]
check "25 users: counted" j 'd["users"] == 25 and d["entra_email_counted"] is True'
# Under valgrind: no memory error, and no leak from this code (the
# environment the command sets up on purpose is left to the exit).
vg() {	# NAME EXPECTED-EXIT CMD...
	local name=$1 want=$2
	shift 2
	sandbox_run valgrind -q --error-exitcode=9 --leak-check=full \
		--errors-for-leak-kinds=none --show-leak-kinds=definite "$@" >/dev/null 2>"$TMP/vg.txt"
	check "valgrind: $name, no memory error" [ $? = "$want" ]
	check "valgrind: $name, no leak of its own" not grep -qE '\(admin_(report|json|test_out)[a-z_]*\.c:' "$TMP/vg.txt"
}
if sandbox_run sh -c 'command -v valgrind' >/dev/null; then
	conf_set audit_log /var/log/sspr/audit.jsonl
	vg "admin report" 0 "$SSPR" admin report
	vg "admin report --json" 0 "$SSPR" admin report --json
	conf_set audit_log ""
fi
m365_emu PUT app '{"app_roles": ["User-PasswordProfile.ReadWrite.All", "User.Read.All"]}' >/dev/null
json=$(sandbox_run "$SSPR" admin report --json)
check "no UserAuthenticationMethod.Read.All: exit 1" [ $? = 1 ]
check "... not counted, the permission named" \
	j 'd["entra_email_counted"] is False and "UserAuthenticationMethod.Read.All" in d["entra_email_error"]'
m365_emu PUT app '{"app_roles": ["User-PasswordProfile.ReadWrite.All", "User.Read.All", "UserAuthenticationMethod.Read.All"]}' >/dev/null
conf_set graph "https://127.0.0.1:1"
json=$(sandbox_run "$SSPR" admin report --json)
check "Microsoft 365 unreachable: exit 1" [ $? = 1 ]
check "... not counted, and why" j 'd["entra_email_counted"] is False and isinstance(d["entra_email_error"], str) and d["users"] == 25'
out=$(sandbox_run "$SSPR" admin report 2>&1)
check "... said in the table" grep -q 'not counted: they could not be read' <<<"$out"
conf_set graph "$M365_URL"
printf 'version = 1\nnot a record line\n' >"$SB/state/u-p7"
json=$(sandbox_run "$SSPR" admin report --json)
check "a damaged record: exit 0" [ $? = 0 ]
check "a damaged record: named, in no count" \
	j 'd["unreadable"] == ["p7"] and d["users"] == 25 and sum(d["methods"].values()) == 24'
out=$(sandbox_run "$SSPR" admin report 2>&1)
check "a damaged record: said in the table" grep -qx 'Record not readable: p7' <<<"$out"
echo "enable = none" >>"$SSPR_CONF"
json=$(sandbox_run "$SSPR" admin report --json)
check "enable = none: nobody may reset" j 'd["users"] == 0 and d["unregistered"] == []'
finish
