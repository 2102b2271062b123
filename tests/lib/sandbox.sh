# The PAM test sandbox: a copy of /etc, bind-mounted over /etc inside a
# private mount namespace, with test users and the built module wired into
# the PAM stack.  The host's /etc is never touched.
#
#   sandbox_init                      make $SB (etc/, state/, home/)
#   sandbox_add_user NAME PASSWORD    passwd/group/shadow entries
#   sandbox_conf "key = value" ...    append to $SB/etc/security/sspr.conf
#   sandbox_run CMD ...               run CMD with the sandbox's /etc
#   sandbox_shadow NAME               the user's shadow line
#   sandbox_log                       what was logged to syslog so far
#   sandbox_record NAME 'key = value'...  write NAME's store record
# Inside the sandbox /dev is a small tmpfs with the usual devices and a
# /dev/log socket whose messages land in $SB/syslog.
# Needs tests/lib/lib.sh sourced first.

sandbox_init() {
	need_root
	need unshare
	SB=$TMP/sb
	mkdir -p "$SB/home"
	install -d -m 0700 "$SB/state"
	cp -a /etc "$SB/etc"
	MODULE=$BUILD/pam_sspr.so
	SSPR_CONF=$SB/etc/security/sspr.conf
	install -m 0600 /dev/null "$SSPR_CONF"
	cat >"$SSPR_CONF" <<CONF
# written by tests/lib/sandbox.sh
enable = all
state_dir = $SB/state
fail_delay = 0
CONF
	cp "$SRC_DIR"/conf/pam.d/* "$SB/etc/pam.d/" 2>/dev/null || true
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
	mkdir -p "$SB/dev"
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
# that tmux (or anything) can start it.
_sandbox_write_enter() {
	cat >"$SB/enter" <<'ENTER'
#!/bin/bash
sb=$(cd "$(dirname "$0")" && pwd)
exec unshare -m --propagation private -- bash -c '
	set -e
	sb=$0
	mount --bind "$sb/etc" /etc
	mount -t tmpfs -o mode=0755 sspr-dev "$sb/dev"
	for n in null zero full random urandom tty ptmx; do
		touch "$sb/dev/$n"
		mount --bind "/dev/$n" "$sb/dev/$n"
	done
	mkdir "$sb/dev/pts" "$sb/dev/shm"
	mount --bind /dev/pts "$sb/dev/pts"
	mount --bind /dev/shm "$sb/dev/shm"
	ln -s /proc/self/fd "$sb/dev/fd"
	ln -s /proc/self/fd/0 "$sb/dev/stdin"
	ln -s /proc/self/fd/1 "$sb/dev/stdout"
	ln -s /proc/self/fd/2 "$sb/dev/stderr"
	touch "$sb/dev/log"
	mount --bind "$sb/log.sock" "$sb/dev/log"
	mount --move "$sb/dev" /dev
	set +e
	exec "$@"' "$sb" "$@"
ENTER
	chmod 0755 "$SB/enter"
}

sandbox_run() {
	"$SB/enter" "$@"
}

sandbox_log() {
	cat "$SB/syslog"
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

# Register methods without the sspr command (format: include/sspr/store.h).
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
