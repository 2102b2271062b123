#!/bin/bash
# sspr admin list --json and sspr admin show USER --json: the keys of
# sspr(1)'s "JSON OUTPUT", values that match the records, and never a
# secret (TOTP key, code hash, backup address).
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
[ -x "$BUILD/sspr" ] || skip_all "no $BUILD/sspr"
SSPR=$BUILD/sspr
PY3=/usr/bin/python3
[ -x "$PY3" ] || skip_all "no $PY3"

KEY=KRUGS4ZANFZSAYJAORSXG5BAMNXWIZJA
HASH=$(printf 'x%.0s' {1..64} | tr x a)
now=$(date +%s)
sandbox_init
sandbox_add_user alice 'Alice#Pass1'
sandbox_add_user bob 'Bob#Pass1'
sandbox_record alice "email = alice.backup@example.org" "totp_secret = $KEY" \
	"totp_algorithm = sha256" "totp_digits = 8" "totp_period = 30" \
	"code_hash = $HASH" "code_address = alice.backup@example.org" \
	"code_expires = $((now + 600))" "code_attempts_left = 3" "code_sent = $now" \
	"failures = 2" "failure_first = $now" "locked_until = $((now + 3600))" \
	"lockouts = 1" "day_failures = 4" "day_first = $now" \
	"remind_after = $((now + 86400))"
sandbox_record bob "email = bob.backup@example.org"
install -m 0600 /dev/null "$SB/state/u-carol"
printf 'version = 1\nnot a record line\n' >"$SB/state/u-carol"

# json CHECK-PROGRAM < json: exit 0 when the Python expression holds.
json() { "$PY3" -c 'import json, sys; d = json.load(sys.stdin); sys.exit(0 if eval(sys.argv[1]) else 1)' "$1"; }

list=$(sandbox_run "$SSPR" admin list --json)
check "list --json: exit 0" [ $? = 0 ]
check "list --json: parses, version 1" json 'd["version"] == 1' <<<"$list"
check "list --json: the users in order" \
	json '[u["user"] for u in d["users"]] == ["alice", "bob", "carol"]' <<<"$list"
check "list --json: the same keys for every user" \
	json 'all(set(u) == {"user", "record", "email", "sms", "totp", "unfinished_password_change", "error"} for u in d["users"])' <<<"$list"
check "list --json: alice has both methods" \
	json 'd["users"][0] == {"user": "alice", "record": True, "email": True, "sms": False, "totp": True, "unfinished_password_change": False, "error": None}' <<<"$list"
check "list --json: bob has email only" \
	json 'd["users"][1]["email"] is True and d["users"][1]["totp"] is False' <<<"$list"
check "list --json: a damaged record is an error string" \
	json 'd["users"][2]["error"] == "the record of this account is damaged" and d["users"][2]["email"] is False' <<<"$list"

show=$(sandbox_run "$SSPR" admin show alice --json)
check "show --json: exit 0" [ $? = 0 ]
check "show --json: the documented keys, no others" \
	json 'set(d) == {"version", "user", "record", "email", "sms", "totp", "totp_algorithm", "totp_digits", "reset_code_until", "enroll_code_until", "failures", "locked", "locked_until", "lockouts", "day_failures", "remind_after", "confirmed_at", "unfinished_sync", "unfinished_change"}' <<<"$show"
check "show --json: methods" \
	json 'd["user"] == "alice" and d["record"] and d["email"] and d["sms"] is False and d["totp"] and d["totp_algorithm"] == "sha256" and d["totp_digits"] == 8' <<<"$show"
check "show --json: codes and times as Unix seconds" \
	json "d['reset_code_until'] == $((now + 600)) and d['enroll_code_until'] is None and d['remind_after'] == $((now + 86400)) and d['unfinished_sync'] is None" <<<"$show"
check "show --json: failures and lockout" \
	json "d['failures'] == 2 and d['locked'] is True and d['locked_until'] == $((now + 3600)) and d['lockouts'] == 1 and d['day_failures'] == 4" <<<"$show"
check "show --json: no unfinished change" json 'd["unfinished_change"] is None' <<<"$show"
for secret in "$KEY" "$HASH" alice.backup@example.org; do
	check "show/list --json: no secret ($secret)" not grep -qiF -- "$secret" <<<"$show$list"
done

out=$(sandbox_run "$SSPR" admin show bob --json)
check "show --json: no app, nulls" \
	json 'd["totp"] is False and d["totp_algorithm"] is None and d["totp_digits"] is None and d["locked"] is False and d["locked_until"] is None' <<<"$out"
out=$(sandbox_run "$SSPR" admin show nobody --json)
check "show --json: no record" \
	json 'd["user"] == "nobody" and d["record"] is False and d["email"] is False and d["failures"] == 0' <<<"$out"
sandbox_run "$SSPR" admin show carol --json >/dev/null 2>&1
check "show --json: a damaged record fails (exit 1)" [ $? = 1 ]
sandbox_run "$SSPR" admin remove alice --json >/dev/null 2>&1
check "--json elsewhere: usage error (exit 2)" [ $? = 2 ]
check "--json elsewhere: alice untouched" [ -e "$SB/state/u-alice" ]
out=$(sandbox_run "$SSPR" admin show alice)
check "the human form still prints" grep -Eq '^failures +2$' <<<"$out"
finish
