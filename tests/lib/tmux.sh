# Driving a program in tmux like a person at a terminal.
#   term_start CMD...          start CMD in a fresh 160x50 terminal
#   term_type TEXT             type TEXT and Enter
#   term_wait REGEX [SECONDS]  wait until the screen matches (grep -E)
#   term_screen                print the screen
# Uses a private tmux server per test, killed at exit.

term_start() {
	need tmux
	TERM_SOCK=sspr-test-$$
	tmux -L "$TERM_SOCK" kill-server 2>/dev/null || true
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
