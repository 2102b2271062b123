# Driving a program in tmux like a person at a terminal.
#   term_start CMD...          start CMD in a fresh 160x50 terminal
#   term_type TEXT             type TEXT and Enter
#   term_wait REGEX [SECONDS]  wait until the screen matches (grep -E)
#   term_screen                print the screen
# Uses a private tmux server per test, killed at exit.

term_start() {
	need tmux
	# A server per terminal: reusing a name races with its shutdown.
	[ -n "${TERM_SOCK:-}" ] && tmux -L "$TERM_SOCK" kill-server 2>/dev/null
	_term_n=$((${_term_n:-0} + 1))
	TERM_SOCK=sspr-test-$$-$_term_n
	tmux -L "$TERM_SOCK" new-session -d -s t -x 160 -y 50 "$(printf '%q ' "$@"); sleep 30"
	at_exit "tmux -L $TERM_SOCK kill-server 2>/dev/null"
}

term_type() {
	tmux -L "$TERM_SOCK" send-keys -t t -l -- "$1"
	tmux -L "$TERM_SOCK" send-keys -t t Enter
}

term_screen() {
	tmux -L "$TERM_SOCK" capture-pane -p -J -S -200 -t t
}

term_wait() {
	local re=$1 secs=${2:-10} i
	for ((i = 0; i < secs * 10; i++)); do
		term_screen | grep -Eq -- "$re" && return 0
		sleep 0.1
	done
	echo "--- timed out waiting for /$re/; screen:" >&2
	term_screen >&2
	return 1
}

# How many screen lines match REGEX.
term_count() {
	term_screen | grep -Ec -- "$1"
}

# term_answer TEXT REGEX [SECONDS]: type TEXT, then wait for a new line
# matching REGEX (lines that matched before typing do not count); a
# timeout is a FAIL of the test.
term_answer() {
	local text=$1 re=$2 secs=${3:-10} before i
	before=$(term_count "$re")
	term_type "$text"
	for ((i = 0; i < secs * 10; i++)); do
		[ "$(term_count "$re")" -gt "$before" ] && return 0
		sleep 0.1
	done
	echo "--- timed out waiting for a new /$re/ after typing; screen:" >&2
	term_screen >&2
	fail "a new /$re/ appears after typing"
	return 1
}

# Does the screen (with history) match REGEX right now?
term_has() {
	term_screen | grep -Eq -- "$1"
}
