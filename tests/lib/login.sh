# Real /bin/login in tmux inside the sandbox (needs lib.sh, sandbox.sh,
# tmux.sh).
#   login_start               a fresh login prompt
#   login_shell_is USER       the shell that login started runs as USER

login_start() {
	term_start "$SB/enter" /bin/login
	term_wait 'login: *$' || fail 'a login prompt appears'
}

login_shell_is() {
	term_answer 'echo "IN-AS-$(id -un)"' "^IN-AS-$1\$"
}
