#!/bin/bash
# make demo works: tests/demo/demo.sh --check drives one full reset in the
# demo's tmux session (its PASS:/FAIL: lines count here), everything it
# started is gone afterwards, and the interactive demo starts its three
# panes in a terminal, stops when the viewer detaches, and cleans up.
. "$(dirname "$0")/../lib/lib.sh"
need_root
need tmux
DEMO=$TESTS_DIR/demo/demo.sh

# gone DIR: nothing of a demo run that used DIR is left.
gone() {
	[ -n "$1" ] && [ ! -e "$1" ] && ! pgrep -f -- "$1" >/dev/null
}

# --- the non-interactive check
bash "$DEMO" --check </dev/null >"$TMP/check.out" 2>&1
rc=$?
if [ "$rc" = 77 ] && ! grep -q '^PASS: ' "$TMP/check.out"; then
	skip_all "demo: $(tail -n 1 "$TMP/check.out")"
fi
grep -E '^(PASS|FAIL): ' "$TMP/check.out"
grep -q '^FAIL: ' "$TMP/check.out" && sed 's/^/    /' "$TMP/check.out" >&2
check "demo.sh --check succeeds" [ "$rc" = 0 ]
dir=$(sed -n 's/^demo: setting up .* in \(\/tmp\/[^ ]*\)$/\1/p' "$TMP/check.out")
check "demo.sh --check leaves no process or file behind" wait_for gone "$dir"

# --- the interactive demo, in a terminal of our own
SOCK=sspr-demo
if tmux -L "$SOCK" has-session 2>/dev/null; then
	echo "note: a demo is running on this machine; interactive part not run"
	finish
fi
OUTER=sspr-test-demo-$$
at_exit "tmux -L $OUTER kill-server 2>/dev/null"
tmux -L "$OUTER" -f /dev/null new-session -d -s o -x 160 -y 45 \
	"BUILD=$(printf %q "$BUILD") bash $(printf %q "$DEMO"); echo DEMO-EXIT-\$?; sleep 30"
screen() { tmux -L "$OUTER" capture-pane -p -J -t o; }
shows() { screen | grep -Eq -- "$1"; }
check "interactive: the login pane appears" wait_for shows 'pam_sspr demo: reset a forgotten password'
check "interactive: a login prompt" wait_for shows 'login: *'
check "interactive: the mail pane" wait_for shows 'Mail that pam_sspr sends arrives here'
check "interactive: the Microsoft 365 pane" wait_for shows 'Account: +demo@contoso.onmicrosoft.com'
tmux -L "$SOCK" detach-client -s t
check "interactive: detaching ends the demo" wait_for shows '^DEMO-EXIT-0$'
check "interactive: it says it cleaned up" shows 'demo: stopped; everything it made is removed.'
check "interactive: its tmux server is gone" not tmux -L "$SOCK" has-session
dir=$(screen | sed -n 's/^demo: setting up .* in \(\/tmp\/[^ ]*\)$/\1/p')
check "interactive: no process or file left" wait_for gone "$dir"
finish
