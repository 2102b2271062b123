#!/bin/bash
# The bash completion of sspr (conf/bash-completion/sspr): valid bash, it
# completes the verbs, and it offers user names to the admin verbs for
# root only.
. "$(dirname "$0")/../lib/lib.sh"
need setpriv
COMP=$SRC_DIR/conf/bash-completion/sspr

check "bash -n" bash -n "$COMP"

# complete AS WORDS...: the completions of the last word (the one at the
# cursor, possibly empty), one a line, as user AS (a uid).
complete_as() {
	local uid=$1
	shift
	setpriv --reuid="$uid" --regid="$uid" --clear-groups -- bash --norc --noprofile -c '
		. "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		_sspr
		printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$COMP" "$@"
}
words() { tr '\n' ' ' | sed 's/ $//'; }

check "complete -F _sspr sspr is registered" \
	bash --norc -c '. "$1"; complete -p sspr' _ "$COMP"
out=$(complete_as 0 sspr '' | words)
check "the verbs ($out)" [ "$out" = "admin enroll remove status" ]
out=$(complete_as 0 sspr --conf /etc/x '' | words)
check "the verbs after --conf PATH ($out)" [ "$out" = "admin enroll remove status" ]
out=$(complete_as 0 sspr - | words)
check "the options ($out)" [ "$out" = "--conf --help --version" ]
out=$(complete_as 0 sspr en | words)
check "a prefix ($out)" [ "$out" = enroll ]
out=$(complete_as 0 sspr enroll '' | words)
check "enroll: the methods ($out)" [ "$out" = "email totp" ]
out=$(complete_as 0 sspr admin '' | words)
check "admin: its verbs ($out)" [ "$out" = "forget list reconcile remove report show test unlock" ]
out=$(complete_as 0 sspr admin list '' | words)
check "admin list: --json ($out)" [ "$out" = --json ]
out=$(complete_as 0 sspr admin show root '' | words)
check "admin show USER: --json ($out)" [ "$out" = --json ]
out=$(complete_as 0 sspr admin report '' | words)
check "admin report: its options ($out)" [ "$out" = "--json --since" ]
out=$(complete_as 0 sspr admin report --since '' | words)
check "admin report --since: no word for the date ($out)" [ -z "$out" ]
out=$(complete_as 0 sspr admin report --since 2026-11-01 '' | words)
check "admin report --since DATE: the options again ($out)" [ "$out" = "--json --since" ]
out=$(complete_as 0 sspr admin test - | words)
check "admin test: --send-to and --json ($out)" [ "$out" = "--json --send-to" ]
out=$(complete_as 0 sspr admin remove root '' | words)
check "admin remove USER: the methods ($out)" [ "$out" = "email totp" ]

# User names: root gets the accounts (root is one everywhere) ...
out=$(complete_as 0 sspr admin unlock ro)
check "root: admin unlock offers user names" grep -qx root <<<"$out"
out=$(complete_as 0 sspr admin show '')
check "root: admin show offers user names" grep -qx root <<<"$out"
# ... nobody else, and never for a user's own verbs.
out=$(complete_as 65534 sspr admin unlock ro)
check "not root: no user names ($out)" [ -z "$out" ]
out=$(complete_as 0 sspr status '')
check "status takes nothing ($out)" [ -z "$out" ]
finish
