# The sspr command as a package installs it (setuid root), for tests that
# run it as an ordinary user inside the PAM sandbox. Needs tests/lib/lib.sh
# and tests/lib/sandbox.sh sourced (term_as also tests/lib/tmux.sh), and
# setpriv and findmnt (the test's own "need", so it skips before it starts).
#
#   setuid_sspr_install         a setuid-root copy of $BUILD/sspr; sets SSPR
#   term_as USER ARGS...        $SSPR ARGS as USER in the test's terminal

# setuid_sspr_install: the build's sspr copied setuid root, owned by root,
# so the user-facing command runs with the rights it has once installed.
# The copy is in $TMP unless $TMP is on a nosuid mount (the kernel would
# ignore the bit there), else in a directory of its own under /var/tmp,
# removed at exit. Either path is the same inside the sandbox. Sets SSPR.
setuid_sspr_install() {
	local bin
	if findmnt -no OPTIONS -T "$TMP" | tr , '\n' | grep -qx nosuid; then
		bin=$(mktemp -d /var/tmp/sspr-bin.XXXXXX)
		at_exit "rm -rf '$bin'"
	else
		bin=$TMP/bin
		mkdir "$bin"
	fi
	chmod 0755 "$bin"
	install -o root -g root -m 4755 "$BUILD/sspr" "$bin/sspr"
	SSPR=$bin/sspr
}

# term_as USER ARGS...: $SSPR ARGS run as USER (setpriv drops root, so only
# the setuid bit gives it back) in a new terminal in the sandbox, as a
# person would type it; "exit status N" is printed when it ends, for the
# test to wait for and check.
term_as() {
	local u=$1
	shift
	# shellcheck disable=SC2016  # $0, $@ and $? are the inner bash's
	term_start "$SB/enter" bash -c \
		'setpriv --reuid="$0" --regid="$0" --init-groups "$@"; echo "exit status $?"' \
		"$u" "$SSPR" "$@"
}
