#!/bin/bash
# The caller's environment never steers root's libraries (issue 8, item 1).
# An ordinary user runs the real setuid passwd, with sync_on_passwd = yes
# against the emulator, and sets what libcurl and OpenSSL would read:
# SSLKEYLOGFILE (libcurl opens it as root and appends TLS secrets) and
# the proxy variables. Nothing is created, nothing is written, no proxy
# is contacted, and the password still changes in both places. The same
# for su (it keeps the caller's environment) when a stranger asks for a
# reset code, which goes out by SMTP.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
. "$TESTS_DIR/lib/m365.sh"
. "$TESTS_DIR/lib/smtp.sh"
need setpriv passwd su

sandbox_init
smtp_start
sandbox_add_user mallory 'OldPass#1'
sandbox_add_user bob 'OldPass#1'
sandbox_record bob "email = bob@example.org"
m365_start mallory bob
sandbox_conf "sync = required" "sync_on_passwd = yes" "timeout = 5" \
	"services = login su" "smtp_url = smtp://127.0.0.1:$SMTP_PORT" \
	"mail_from = sspr@test.example"
cat "$SMTP_CA" "$M365_CA" >"$TMP/ca-both.pem"
conf_set ca_file "$TMP/ca-both.pem"
# The Password: line of the pam-auth-update profile, after pam_unix.
printf 'password\trequired\t%s\n' "$MODULE" >>"$SB/etc/pam.d/common-password"
uid=$(awk -F: '$1 == "mallory" { print $3 }' "$SB/etc/passwd")

# A listener that records every connection it gets: a proxy that is used.
PROXY_LOG=$TMP/proxy.log
: >"$PROXY_LOG"
$PY - "$TMP/proxy.port" "$PROXY_LOG" <<'PY' &
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
s.settimeout(120)
while True:
    try:
        c, _ = s.accept()
    except OSError:
        break
    with open(sys.argv[2], "a") as f:
        f.write("connection\n")
    c.close()
PY
at_exit "stop_process $!"
wait_for test -s "$TMP/proxy.port"
PROXY=http://127.0.0.1:$(cat "$TMP/proxy.port")

# A root-only directory the user names, and a file the user owns.
install -d -m 0700 "$TMP/rootonly"
install -d -m 0755 -o "$uid" -g "$uid" "$TMP/mallory"
install -m 0600 -o "$uid" -g "$uid" /dev/null "$TMP/mallory/keys.txt"
install -m 0600 -o "$uid" -g "$uid" /dev/null "$TMP/mallory/keys-su.txt"

# as_mallory OLD NEW VAR=VALUE...: mallory runs passwd in the sandbox
# with these variables set. Sets OUT and RC.
as_mallory() {
	local old=$1 new=$2
	shift 2
	OUT=$(printf '%s\n%s\n%s\n' "$old" "$new" "$new" | sandbox_run \
		setpriv --reuid="$uid" --regid="$uid" --clear-groups \
		env "$@" passwd 2>&1)
	RC=$?
}

# --- SSLKEYLOGFILE into a directory only root can write
as_mallory 'OldPass#1' 'Kq7#vRw2Lm9x' SSLKEYLOGFILE="$TMP/rootonly/pwned"
check "key log in a root-only directory: passwd succeeds" [ "$RC" = 0 ]
check "key log in a root-only directory: Microsoft 365 has the new password" \
	[ "$(m365_password mallory)" = 'Kq7#vRw2Lm9x' ]
check "key log in a root-only directory: nothing created" \
	[ -z "$(ls -A "$TMP/rootonly")" ]

# --- SSLKEYLOGFILE at a file the user owns: root writes nothing there
as_mallory 'Kq7#vRw2Lm9x' 'Zt4#hNp8Qc3y' SSLKEYLOGFILE="$TMP/mallory/keys.txt"
check "key log in the user's file: passwd succeeds" [ "$RC" = 0 ]
check "key log in the user's file: Microsoft 365 has the new password" \
	[ "$(m365_password mallory)" = 'Zt4#hNp8Qc3y' ]
check "key log in the user's file: nothing written" [ ! -s "$TMP/mallory/keys.txt" ]

# --- every spelling of the proxy variables: never contacted
as_mallory 'Zt4#hNp8Qc3y' 'Wj6#dXs5Fb1z' \
	https_proxy="$PROXY" HTTPS_PROXY="$PROXY" http_proxy="$PROXY" \
	HTTP_PROXY="$PROXY" all_proxy="$PROXY" ALL_PROXY="$PROXY" \
	no_proxy= NO_PROXY=
check "proxy variables: passwd succeeds" [ "$RC" = 0 ]
check "proxy variables: Microsoft 365 has the new password" \
	[ "$(m365_password mallory)" = 'Wj6#dXs5Fb1z' ]
check "proxy variables: the proxy got no connection" [ ! -s "$PROXY_LOG" ]
check "the local password changed each time" sandbox_password_is mallory 'Wj6#dXs5Fb1z'

# --- su, which keeps the environment: a reset code for bob goes out by
# SMTP, from a process that is root because mallory started su
OUT=$(printf 'wrong\ny\n' | sandbox_run \
	setpriv --reuid="$uid" --regid="$uid" --clear-groups \
	env SSLKEYLOGFILE="$TMP/mallory/keys-su.txt" https_proxy="$PROXY" \
	ALL_PROXY="$PROXY" su bob -c true 2>&1)
check "su: the reset code was mailed" smtp_wait_count 1
check "su: the key log stays empty" [ ! -s "$TMP/mallory/keys-su.txt" ]
check "su: the proxy got no connection" [ ! -s "$PROXY_LOG" ]
finish
