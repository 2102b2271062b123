# A loopback SMTP server that keeps every message it receives (aiosmtpd
# with its Maildir handler), for tests of mail delivery.
#
#   smtp_start [starttls|plain|smtps]
#                        start a server on a free 127.0.0.1 port; starttls
#                        (default) offers STARTTLS and insists on it,
#                        plain offers no TLS at all, smtps is TLS from the
#                        first byte.  Exports SMTP_PORT, SMTP_CA (the CA
#                        that signed its certificate), SMTP_ROGUE_CA (one
#                        that did not) and SMTP_MAILDIR.
#   smtp_count           messages received so far
#   smtp_wait_count N    wait (10 s at most) until at least N arrived
#   smtp_last_body       the decoded text of the newest message
#   smtp_last_header H   header H of the newest message
#   smtp_last_code       the code digits in the newest message
# Needs tests/lib/lib.sh sourced first; the server is stopped at exit.

# Make the test CA (once per test) in $TMP/pki.
_smtp_pki() {
	local d=$TMP/pki
	[ -s "$d/ca.pem" ] && return 0
	mkdir -p "$d"
	if [ -x "$SRC_DIR/tests/emulator/mkca.sh" ] || [ -f "$SRC_DIR/tests/emulator/mkca.sh" ]; then
		bash "$SRC_DIR/tests/emulator/mkca.sh" "$d" || return 1
	fi
	if [ ! -s "$d/ca.pem" ]; then
		(
			cd "$d" || exit 1
			openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=sspr test CA" \
				-keyout ca.key -out ca.pem \
				-addext basicConstraints=critical,CA:TRUE \
				-addext keyUsage=critical,keyCertSign,cRLSign &&
			openssl req -newkey rsa:2048 -nodes -subj /CN=localhost \
				-keyout server.key -out server.csr &&
			printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >ext &&
			openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
				-CAcreateserial -days 2 -extfile ext -out server.pem
		) >/dev/null 2>&1 || return 1
	fi
	if [ ! -s "$d/rogue-ca.pem" ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=sspr rogue CA" \
			-keyout "$d/rogue-ca.key" -out "$d/rogue-ca.pem" \
			-addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign >/dev/null 2>&1 || return 1
	fi
	chmod 0644 "$d"/*.pem
}

_smtp_free_port() {
	$PY -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

_smtp_listening() {
	$PY -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
s.close()' "$1"
}

smtp_start() {
	local mode=${1:-starttls} tls=() n pid
	$PY -c 'import aiosmtpd' 2>/dev/null || skip_all "python3-aiosmtpd is not installed"
	need openssl
	_smtp_pki || { fail "smtp_start: cannot make the test CA"; return 1; }
	SMTP_CA=$TMP/pki/ca.pem
	SMTP_ROGUE_CA=$TMP/pki/rogue-ca.pem
	case $mode in
	starttls) tls=(--tlscert "$TMP/pki/server.pem" --tlskey "$TMP/pki/server.key") ;;
	smtps) tls=(--smtpscert "$TMP/pki/server.pem" --smtpskey "$TMP/pki/server.key") ;;
	plain) tls=() ;;
	*) fail "smtp_start: unknown mode $mode"; return 1 ;;
	esac
	n=${_smtp_n:-0}
	_smtp_n=$((n + 1))
	SMTP_MAILDIR=$TMP/maildir$n
	SMTP_PORT=$(_smtp_free_port)
	$PY -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" "${tls[@]}" \
		-c aiosmtpd.handlers.Mailbox "$SMTP_MAILDIR" \
		>"$TMP/smtp$n.log" 2>&1 &
	pid=$!
	at_exit "stop_process $pid"
	if ! wait_for _smtp_listening "$SMTP_PORT"; then
		cat "$TMP/smtp$n.log" >&2
		fail "smtp_start: the server did not start"
		return 1
	fi
	export SMTP_PORT SMTP_CA SMTP_ROGUE_CA SMTP_MAILDIR
}

smtp_count() {
	local n=0 f
	for f in "$SMTP_MAILDIR"/new/* "$SMTP_MAILDIR"/cur/*; do
		[ -f "$f" ] && n=$((n + 1))
	done
	echo "$n"
}

smtp_wait_count() {
	local want=$1 i
	for ((i = 0; i < 100; i++)); do
		[ "$(smtp_count)" -ge "$want" ] && return 0
		sleep 0.1
	done
	return 1
}

_smtp_newest() {
	ls -t "$SMTP_MAILDIR"/new/* "$SMTP_MAILDIR"/cur/* 2>/dev/null | head -n 1
}

smtp_last_body() {
	local f
	f=$(_smtp_newest)
	[ -n "$f" ] || return 1
	$PY -c 'import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
sys.stdout.write(m.get_body(("plain",)).get_content())' "$f"
}

smtp_last_header() {
	local f
	f=$(_smtp_newest)
	[ -n "$f" ] || return 1
	$PY -c 'import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
v = m.get(sys.argv[2])
print("" if v is None else str(v))' "$f" "$1"
}

smtp_last_code() {
	smtp_last_body | grep -Eo '[Cc]ode is: [0-9]{6,8}' | grep -Eo '[0-9]{6,8}' | head -n 1
}
