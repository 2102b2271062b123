# The PAM test sandbox: the pristine Debian root of tests/lib/testroot.sh,
# entered with chroot inside a private mount namespace, with an /etc, a
# /var/log, a /run and a /tmp of the sandbox's own, test users, and the
# built module wired into the PAM stack.  Nothing of the host's /etc,
# /var/log or /run is read or written: the stack under test is the root's
# (tests/root/packages.txt) plus what this file writes.
#
#   sandbox_init                      make $SB (etc/, state/, home/)
#   sandbox_add_user NAME PASSWORD    passwd/group/shadow entries
#   sandbox_conf "key = value" ...    append to $SB/etc/security/sspr.conf
#   sandbox_run CMD ...               run CMD inside the sandbox
#   sandbox_shadow NAME               the user's shadow line
#   sandbox_log                       what was logged to syslog so far
#   sandbox_record NAME 'key = value'...  write NAME's store record
# Inside, the source tree, the build tree and the test's $TMP are at the
# same paths as outside, so tests name files as they are on the host; /dev
# is a small tmpfs with the usual devices and a /dev/log socket whose
# messages land in $SB/syslog.
# Needs tests/lib/lib.sh sourced first.
. "$TESTS_DIR/lib/testroot.sh"

sandbox_init() {
	need_root
	need unshare chroot
	testroot_need
	SB=$TMP/sb
	mkdir -p "$SB/home"
	install -d -m 0700 "$SB/state"
	cp -a "$TESTROOT/etc" "$SB/etc"
	cp -a "$TESTROOT/var/log" "$SB/var-log"
	# minbase has no hosts file; sudo and friends want the host name.
	printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\t\tlocalhost\n' \
		"$(uname -n)" >"$SB/etc/hosts"
	MODULE=$BUILD/pam_sspr.so
	SSPR_CONF=$SB/etc/security/sspr.conf
	install -m 0600 /dev/null "$SSPR_CONF"
	cat >"$SSPR_CONF" <<CONF
# written by tests/lib/sandbox.sh
enable = all
state_dir = $SB/state
fail_delay = 0
CONF
	cp "$SRC_DIR"/conf/pam.d/* "$SB/etc/pam.d/"
	# The stanza pam-auth-update makes from conf/pam-configs/sspr, with
	# the module from the build tree.
	cat >"$SB/etc/pam.d/common-auth" <<PAM
auth	[success=2 default=ignore]	pam_unix.so nullok nodelay
auth	[success=1 default=ignore]	$MODULE
auth	requisite			pam_deny.so
auth	required			pam_permit.so
PAM
	cat >>"$SB/etc/pam.d/common-session" <<PAM
session	required			$MODULE
PAM
	_sandbox_write_enter
	# Capture syslog (pam_syslog) for assertions: nothing reaches the host's.
	: >"$SB/syslog"
	$PY "$TESTS_DIR/lib/syslog_sink.py" "$SB/log.sock" "$SB/syslog"
	at_exit "pkill -f 'syslog_sink.py $SB/log.sock' 2>/dev/null"
	# Tests type fast: no 3 s delay after a wrong password.
	sed -i 's/^\(auth.*pam_faildelay.so\).*/\1 delay=0/' "$SB/etc/pam.d/login"
}

sandbox_add_user() {
	local name=$1 pass=$2 uid
	uid=$((3000 + $(wc -l <"$SB/etc/passwd")))
	mkdir -p "$SB/home/$name"
	chown "$uid:$uid" "$SB/home/$name"
	echo "$name:x:$uid:$uid:Test user $name:$SB/home/$name:/bin/sh" >>"$SB/etc/passwd"
	echo "$name:x:$uid:" >>"$SB/etc/group"
	echo "$name:$(openssl passwd -6 "$pass"):19000:0:99999:7:::" >>"$SB/etc/shadow"
}

sandbox_conf() {
	local line
	for line in "$@"; do echo "$line" >>"$SSPR_CONF"; done
}

# $SB/enter CMD... runs CMD inside the sandbox; a script of its own so
# that tmux (or anything) can start it.  The root is mounted read-only, so
# a test that would write where it should not fails loudly instead of
# changing the root for the tests after it.
_sandbox_write_enter() {
	cat >"$SB/enter" <<ENTER
#!/bin/bash
exec unshare -m --propagation private -- bash -c '
	set -e
	r=\$0 sb=\$1 tmp=\$2 src=\$3 build=\$4
	shift 4
	mount --bind "\$r" "\$r"
	mount -o remount,bind,ro "\$r"
	mount --bind "\$sb/etc" "\$r/etc"
	mount --bind "\$sb/var-log" "\$r/var/log"
	# A test of a translation puts the catalogs of its language and
	# the compiled locales (the root has C.utf8 only) here.
	[ ! -d "\$sb/messages-ja" ] ||
		mount --bind "\$sb/messages-ja" "\$r/usr/share/locale/ja/LC_MESSAGES"
	[ ! -d "\$sb/lib-locale" ] ||
		mount --bind "\$sb/lib-locale" "\$r/usr/lib/locale"
	mount -t tmpfs -o mode=0755 sspr-run "\$r/run"
	mount -t tmpfs -o mode=1777 sspr-tmp "\$r/tmp"
	# The trees are mount points made with the root; under /tmp they
	# are made now, on the tmpfs.
	mkdir -p "\$r\$tmp" "\$r\$src" "\$r\$build" 2>/dev/null || true
	mount --bind "\$tmp" "\$r\$tmp"
	mount --bind "\$src" "\$r\$src"
	[ "\$(stat -c %d:%i "\$r\$build")" = "\$(stat -c %d:%i "\$build")" ] ||
		mount --bind "\$build" "\$r\$build"
	mount --rbind /proc "\$r/proc"
	mount -t tmpfs -o mode=0755 sspr-dev "\$r/dev"
	for n in null zero full random urandom tty ptmx; do
		touch "\$r/dev/\$n"
		mount --bind "/dev/\$n" "\$r/dev/\$n"
	done
	mkdir "\$r/dev/pts" "\$r/dev/shm"
	mount --bind /dev/pts "\$r/dev/pts"
	mount -t tmpfs -o mode=1777 sspr-shm "\$r/dev/shm"
	ln -s /proc/self/fd "\$r/dev/fd"
	ln -s /proc/self/fd/0 "\$r/dev/stdin"
	ln -s /proc/self/fd/1 "\$r/dev/stdout"
	ln -s /proc/self/fd/2 "\$r/dev/stderr"
	touch "\$r/dev/log"
	mount --bind "\$sb/log.sock" "\$r/dev/log"
	set +e
	cd "\$r"
	exec chroot "\$r" /usr/bin/env \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		"\$@"' "$TESTROOT" "$SB" "$TMP" "$SRC_DIR" "$BUILD" "\$@"
ENTER
	chmod 0755 "$SB/enter"
}

sandbox_run() {
	"$SB/enter" "$@"
}

sandbox_log() {
	cat "$SB/syslog"
}

# sandbox_syslog_settled: everything logged so far has reached
# $SB/syslog (a marker sent after it has). Needs logger.
sandbox_syslog_settled() {
	local m="sspr-test-marker-$RANDOM$RANDOM"
	logger -d -u "$SB/log.sock" "$m"
	wait_for grep -q "$m" "$SB/syslog"
}

sandbox_shadow() {
	grep "^$1:" "$SB/etc/shadow"
}

# Does PASSWORD verify against NAME's hash in the sandbox shadow?
sandbox_password_is() {
	local hash
	hash=$(sandbox_shadow "$1" | cut -d: -f2)
	[ "$(printf '%s' "$2" | $PY -c 'import crypt,sys; print(crypt.crypt(sys.stdin.read(), sys.argv[1]))' "$hash" 2>/dev/null)" = "$hash" ]
}

# Register methods without the sspr command (format: include/sspr/common/store.h).
sandbox_record() {
	local name=$1 line f
	shift
	f=$SB/state/u-$name
	install -m 0600 /dev/null "$f"
	{
		echo "version = 1"
		for line in "$@"; do echo "$line"; done
	} >"$f"
}
