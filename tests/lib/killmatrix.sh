# The kill matrix of the journal of intent (issue 9), shared by
# tests/e2e/test_kill_matrix_*.sh. Needs lib.sh, sandbox.sh, m365.sh.
#
#   km_init USER...        a sandbox with sync = required and
#                          sync_on_passwd, the emulator, the users
#   km_matrix NAME USER FAULT   list the points of one change (reset for
#                          kate, passwd for others) with Microsoft 365
#                          answering as FAULT says, then kill it at each
#                          point, reconcile, and check; adds to KM_TOTAL
#                          and KM_DIVERGED
#   km_prepare USER FAULT  the state before a change
#   km_change USER K [LOG] the change, killed at point K (0: never)
#   km_agree USER          "old"/"new" when both sides agree
#
# A point is a state-changing system call from the first write of the
# journal on (tests/lib/killat_tool.c); the process is killed on entry
# to it. Odd points are reconciled by `sspr admin reconcile USER`, even
# ones by the module itself at a sign-in attempt.

KM_KEY=KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU
KM_OLD='OldPass#1'
KM_NEW='Tiger#Lake909'
KM_TOTAL=0
KM_DIVERGED=0
KILLAT=$BUILD/tests/killat_tool

km_init() {
	local u
	need pamtester oathtool
	[ -x "$KILLAT" ] || skip_all "no $KILLAT (make check builds it)"
	sandbox_init
	for u in "$@"; do sandbox_add_user "$u" "$KM_OLD"; done
	m365_start "$@"
	sandbox_conf "sync = required" "sync_on_passwd = yes" "timeout = 5"
	# The module's password line, after pam_unix (as the profile has it).
	echo "password	required	$MODULE" >>"$SB/etc/pam.d/common-password"
	cp -p "$SB/etc/shadow" "$TMP/shadow.before"
}

# kate's record, its TOTP step not yet used (a step is accepted once).
km_fresh_record() {
	sandbox_record kate "totp_secret = $KM_KEY" "totp_algorithm = sha1" \
		"totp_digits = 6" "totp_period = 30"
}

km_prepare() {
	cp -p "$TMP/shadow.before" "$SB/etc/shadow"
	[ "$1" != kate ] || km_fresh_record
	m365_emu PUT "users/$1@$M365_TENANT" \
		"{\"password\": \"$KM_OLD\", \"lastPasswordChangeDateTime\": \"2020-01-01T00:00:00Z\"}" >/dev/null
	m365_emu DELETE faults >/dev/null
	[ -z "$2" ] || m365_fault "$2"
}

km_change() {
	local user=$1 k=$2 log=${3:-/dev/null}
	if [ "$user" = kate ]; then
		printf '\n%s\n%s\n%s\n' "$(oathtool --totp --base32 "$KM_KEY")" "$KM_NEW" "$KM_NEW" |
			"$KILLAT" -t /.j- -k "$k" -l "$log" -- "$SB/enter" pamtester login kate authenticate
	else
		printf '%s\n%s\n' "$KM_NEW" "$KM_NEW" |
			"$KILLAT" -t /.j- -k "$k" -l "$log" -- "$SB/enter" pamtester passwd "$user" chauthtok
	fi >/dev/null 2>&1
}

# km_next USER K: the next run reconciles, then shows the record (one
# entry into the sandbox); the output of the show is in $TMP/show.
km_next() {
	local how=reconcile
	[ $(($2 % 2)) = 1 ] || how=signin
	# a sign-in attempt: a wrong password, the reset declined
	sandbox_run bash -c '
		if [ "$1" = reconcile ]; then "$2/sspr" admin reconcile "$3"
		else printf "wrong\nn\n" | pamtester login "$3" authenticate; fi
		"$2/sspr" admin show "$3" >"$4"' km "$how" "$BUILD" "$1" "$TMP/show" >/dev/null 2>&1
}

# km_check USER: "old" or "new" when both agree (the shadow line byte for
# byte the one before, or only the hash, which verifies the new password,
# and today's day differ), else "diverged ..."; then one line per other
# problem: temporary files, a lock held.
km_check() {
	$PY -W ignore - "$1" "$SB" "$TMP/shadow.before" "$M365_URL" "$M365_CA" \
		"$M365_TENANT" "$KM_OLD" "$KM_NEW" <<'PY'
import crypt, fcntl, json, os, ssl, sys, time, urllib.request
user, sb, before, url, ca, tenant, old, new = sys.argv[1:]
ctx = ssl.create_default_context(cafile=ca)
with urllib.request.urlopen("%s/_emulator/users/%s@%s" % (url, user, tenant),
                            context=ctx, timeout=5) as r:
    remote = json.load(r)["password"]
def line_of(path):
    for l in open(path):
        if l.startswith(user + ":"):
            return l.rstrip("\n")
was, now = line_of(before), line_of(sb + "/etc/shadow")
f, g = was.split(":"), now.split(":")
if remote == old and now == was:
    print("old")
elif (remote == new and crypt.crypt(new, g[1]) == g[1]
      and f[:1] + f[3:] == g[:1] + g[3:] and g[2] == str(int(time.time()) // 86400)):
    print("new")
else:
    print("diverged (Microsoft 365 %r, shadow %r)" % (remote, now))
left = [n for n in os.listdir(sb + "/state") if n.startswith(".")]
left += [n for n in os.listdir(sb + "/etc") if n.startswith(".sspr-shadow") or n == "nshadow"]
if left:
    print("temporary files: " + " ".join(left))
if os.path.exists(sb + "/state/j-" + user):
    print("journal left")
for lock in ("/state/j-%s.lock" % user, "/state/u-%s.lock" % user):
    if os.path.exists(sb + lock):
        with open(sb + lock) as fd:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                print("lock held: " + lock)
with open(sb + "/etc/.pwd.lock", "a") as fd:
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        print("lckpwdf held")
PY
}

km_agree() { km_check "$1" | sed -n 1p; }

km_matrix() {
	local name=$1 user=$2 fault=$3 n k bad=0 had lines out first problem outcomes=""
	km_prepare "$user" "$fault"
	km_change "$user" 0 "$TMP/points-$name"
	n=$(wc -l <"$TMP/points-$name")
	first=$(km_agree "$user")
	check "$name: an uninterrupted run ends with both passwords $first ($n points)" \
		[ "$n" -gt 10 -a "${first%% *}" != diverged ]
	for ((k = 1; k <= n; k++)); do
		km_prepare "$user" "$fault"
		km_change "$user" "$k"
		had=$([ -e "$SB/state/j-$user" ] && echo yes)
		lines=$(wc -l <"$SB/syslog")
		km_next "$user" "$k"
		out=$(km_check "$user")
		first=$(head -n 1 <<<"$out")
		KM_TOTAL=$((KM_TOTAL + 1))
		outcomes+=" $k:${first%% *}"
		problem=$(tail -n +2 <<<"$out" | tr '\n' ' ')
		case $first in
		old | new) ;;
		*) problem="$first $problem"; KM_DIVERGED=$((KM_DIVERGED + 1)) ;;
		esac
		if [ "$user" = kate ] && ! grep -q 'authenticator app *registered' "$TMP/show"; then
			problem+=" the record does not parse"
		fi
		# an entry on disk: its outcome is one line
		if [ -n "$had" ]; then
			sed -n "$((lines + 1)),\$p" "$SB/syslog" |
				grep -q "interrupted password change of '$user' .*\(both agree\|nothing to do\)" ||
				problem+=" no audit line"
		fi
		if [ -n "$problem" ]; then
			bad=$((bad + 1))
			echo "    $name, killed at $(sed -n "${k}p" "$TMP/points-$name"): $problem"
		fi
	done
	echo "    $name: $n kill points, both passwords after reconciliation:$outcomes"
	check "$name: after each of the $n kill points and reconciliation both passwords agree, nothing is left, the record parses, one audit line" \
		[ "$bad" = 0 ]
}

# km_outcomes KIND USER: km_matrix for each answer Microsoft 365 can give
# the PATCH (accepted, refused with 403, lost before or after it was
# applied), named KIND-accepted and so on, then the sum over all four.
km_outcomes() {
	local kind=$1 user=$2
	km_matrix "$kind-accepted" "$user" ''
	km_matrix "$kind-refused" "$user" '{"method": "PATCH", "path": "^/v1.0/users/", "status": 403}'
	km_matrix "$kind-lost" "$user" '{"method": "PATCH", "path": "^/v1.0/users/", "action": "drop"}'
	km_matrix "$kind-lost-applied" "$user" '{"method": "PATCH", "path": "^/v1.0/users/", "action": "apply_then_drop"}'
	echo "$kind kill matrix: $KM_TOTAL kill points, $KM_DIVERGED left divergent after reconciliation"
	check "$kind: none of the $KM_TOTAL kill points left the two passwords different" [ "$KM_DIVERGED" = 0 ]
}

# km_journal_first NAME: the journal is on disk (its fsync, rename and
# the directory's fsync) before /etc/shadow is replaced, so a power loss
# in between finds it.
km_journal_first() {
	local f=$TMP/points-$1 j jf s dir
	jf=$(grep -n ' fsync .*/\.j-[a-z]*\.new$' "$f" | head -1 | cut -d: -f1)
	j=$(grep -n ' rename .*/\.j-[a-z]*\.new -> .*/j-[a-z]*$' "$f" | head -1 | cut -d: -f1)
	s=$(grep -n ' rename /etc/nshadow -> /etc/shadow$' "$f" | head -1 | cut -d: -f1)
	dir=$(sed -n "${j:-0}p" "$f" | awk '{print $NF}')
	dir=${dir%/*}
	# The tracer names a descriptor by its path as the tracer sees it: the
	# sandbox's root may stand before the path the sandbox used.
	check "$1: the journal's fsync ($jf), rename ($j) and directory fsync come before the shadow rename ($s)" \
		bash -c '[ -n "$1" ] && [ -n "$2" ] && [ -n "$3" ] && [ "$1" -lt "$2" ] &&
			[ "$(($2 + 1))" -lt "$3" ] &&
			case $(sed -n "$(($2 + 1))p" "$5") in "$(($2 + 1)) "*" fsync "*"$4") true ;; *) false ;; esac' \
		km "$jf" "$j" "$s" "$dir" "$f"
}
