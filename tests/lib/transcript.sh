# What a person sees at the reset prompt, to compare accounts by
# (issue 8, item 3: the prompt does not tell which accounts exist).
# Needs tests/lib/lib.sh and tests/lib/sandbox.sh sourced.
#
#   transcript USER     pamtester login USER authenticate fed
#                       $TRANSCRIPT_INPUT (default: a wrong password, "y"
#                       to the reset, "y" to the administrator request);
#                       everything it shows, the name replaced by USER
#   same ROUND USER...  one check per user: the transcript is $unknown's

TRANSCRIPT_INPUT=${TRANSCRIPT_INPUT:-'wrong\ny\ny\n'}

transcript() {
	printf '%b' "$TRANSCRIPT_INPUT" |
		sandbox_run pamtester login "$1" authenticate 2>&1 |
		sed "s/$1/USER/g"
}

same() {
	local round=$1 u out
	shift
	for u in "$@"; do
		out=$(transcript "$u")
		if [ "$out" = "$unknown" ]; then
			pass "$round: $u hears what an unknown name hears"
		else
			fail "$round: $u hears what an unknown name hears"
			diff <(echo "$unknown") <(echo "$out") | sed 's/^/      /'
		fi
	done
}
