#!/bin/bash
# Mail delivery through libcurl to a loopback SMTP server: STARTTLS
# verified against the test CA, refused with the wrong CA, refused when
# the server offers no STARTTLS (unless smtp_starttls = no), SMTPS.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/smtp.sh"

TOOL=$BUILD/tests/mail_tool
[ -x "$TOOL" ] || skip_all "no $TOOL"
need_root	# configuration files must be owned by root

# conf KEY=VALUE...: write a configuration file, print its path.
_n=0
conf() {
	local f=$TMP/sspr$_n.conf kv
	_n=$((_n + 1))
	install -m 0600 /dev/null "$f"
	for kv in "$@"; do echo "${kv%%=*} = ${kv#*=}" >>"$f"; done
	echo "$f"
}

send() {
	printf 'To: %s\nSubject: %s\n\n%s\n' "$2" "$3" "$4" | "$TOOL" "$1"
}

smtp_start starttls
TLS_PORT=$SMTP_PORT TLS_MAILDIR=$SMTP_MAILDIR

# 1. STARTTLS, certificate verified with the test CA.
c=$(conf "smtp_url=smtp://localhost:$TLS_PORT" "ca_file=$SMTP_CA" \
	"mail_from=sspr@example.com")
out=$(send "$c" alice.backup@example.org "Test code" $'Your code is: 12345678\n.\nA line with a dot above.')
check "starttls delivery succeeds" [ "$out" = sent ]
check "one message arrived" smtp_wait_count 1
body=$(smtp_last_body)
check "body arrives intact (dot line unstuffed)" \
	[ "$body" = $'Your code is: 12345678\n.\nA line with a dot above.' ]
check "code readable by smtp_last_code" [ "$(smtp_last_code)" = 12345678 ]
check "From header" [ "$(smtp_last_header From)" = sspr@example.com ]
check "To header" [ "$(smtp_last_header To)" = alice.backup@example.org ]
check "Subject header" [ "$(smtp_last_header Subject)" = "Test code" ]
check "envelope sender" [ "$(smtp_last_header X-MailFrom)" = sspr@example.com ]
check "envelope recipient" [ "$(smtp_last_header X-RcptTo)" = alice.backup@example.org ]
newest=$(ls -t "$SMTP_MAILDIR"/new/* | head -n 1)
check "ASCII plain text goes as is (7bit)" grep -Eq '^Content-Transfer-Encoding: 7bit[[:space:]]*$' "$newest"
check "charset UTF-8" grep -q '^Content-Type: text/plain; charset=UTF-8' "$newest"
check "RFC 2822 date" grep -Eq '^Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} [-+][0-9]{4}$' "$newest"
check "Message-ID" grep -Eq '^Message-ID: <[0-9a-f.]+@example.com>$' "$newest"

# 2. The wrong CA: refused, nothing delivered.
c=$(conf "smtp_url=smtp://localhost:$TLS_PORT" "ca_file=$SMTP_ROGUE_CA")
before=$(smtp_count)
out=$(send "$c" alice@example.org "x" "y")
check "wrong CA refused" bash -c '[[ "$1" == error:* ]]' _ "$out"
check "wrong CA: nothing delivered" [ "$(smtp_count)" = "$before" ]

# 3. The certificate names 127.0.0.1 too.
c=$(conf "smtp_url=smtp://127.0.0.1:$TLS_PORT" "ca_file=$SMTP_CA")
out=$(send "$c" alice@example.org "by IP" "ok")
check "IP address in the certificate accepted" [ "$out" = sent ]

# 4. A server without STARTTLS: refused while smtp_starttls = yes.
smtp_start plain
c=$(conf "smtp_url=smtp://localhost:$SMTP_PORT" "ca_file=$SMTP_CA")
out=$(send "$c" alice@example.org "x" "y")
check "no STARTTLS offered: refused" bash -c '[[ "$1" == error:* ]]' _ "$out"
check "no STARTTLS offered: nothing delivered" [ "$(smtp_count)" = 0 ]
c=$(conf "smtp_url=smtp://localhost:$SMTP_PORT" "smtp_starttls=no")
out=$(send "$c" alice@example.org "plain relay" "z")
check "smtp_starttls = no delivers in clear" [ "$out" = sent ]
check "plain relay got it" smtp_wait_count 1

# 5. SMTPS.
smtp_start smtps
c=$(conf "smtp_url=smtps://localhost:$SMTP_PORT" "ca_file=$SMTP_CA")
out=$(send "$c" alice@example.org "over smtps" "w")
check "smtps delivery" [ "$out" = sent ]
check "smtps got it" smtp_wait_count 1

# 6. Nothing listening: a clear error, quickly.
c=$(conf "smtp_url=smtp://localhost:1" "ca_file=$SMTP_CA")
out=$(send "$c" alice@example.org "x" "y")
check "connection refused reported" bash -c '[[ "$1" == error:* ]]' _ "$out"

# 7. Header injection never reaches the server.
SMTP_MAILDIR=$TLS_MAILDIR
before=$(smtp_count)
c=$(conf "smtp_url=smtp://localhost:$TLS_PORT" "ca_file=$SMTP_CA")
out=$(printf 'To: alice@example.org\nSubject: hi\rBcc: x@example.org\n\nbody\n' | "$TOOL" "$c")
check "CR in subject refused" bash -c '[[ "$1" == error:* ]]' _ "$out"
check "CR in subject: nothing delivered" [ "$(smtp_count)" = "$before" ]

# 8. The SMTP password file must be a root-only secret.
install -m 0644 /dev/null "$TMP/smtp-pass"
echo 'S3cret!' >"$TMP/smtp-pass"
c=$(conf "smtp_url=smtp://localhost:$TLS_PORT" "ca_file=$SMTP_CA" \
	"smtp_user=relay" "smtp_password_file=$TMP/smtp-pass")
out=$(send "$c" alice@example.org "x" "y")
check "world-readable password file refused" bash -c '[[ "$1" == *smtp_password_file* ]]' _ "$out"
check "password never printed" bash -c '[[ "$1" != *S3cret* ]]' _ "$out"

# 9. ca_file replaces the system store: with the server's CA among the
# system's certificates (a private /etc/ssl/certs in a mount namespace)
# and another CA as ca_file, the server is not trusted.
mkdir -p "$TMP/certs"
cp "$SMTP_CA" "$TMP/certs/sspr-test.pem"
cp "$SMTP_CA" "$TMP/certs/ca-certificates.crt"
openssl rehash "$TMP/certs" >/dev/null 2>&1 || skip_all "openssl rehash"
c=$(conf "smtp_url=smtp://localhost:$TLS_PORT" "ca_file=$SMTP_ROGUE_CA")
before=$(smtp_count)
out=$(printf 'To: alice@example.org\nSubject: x\n\ny\n' |
	unshare -m --propagation private sh -c \
	'mount --bind "$1" /etc/ssl/certs && exec "$2" "$3"' _ "$TMP/certs" "$TOOL" "$c")
check "ca_file set: a CA of the system store is not trusted" \
	bash -c '[[ "$1" == error:*certificate* ]]' _ "$out"
check "ca_file set: nothing delivered" [ "$(smtp_count)" = "$before" ]
out=$(printf 'To: alice@example.org\nSubject: x\n\ny\n' |
	unshare -m --propagation private sh -c \
	'mount --bind "$1" /etc/ssl/certs && exec "$2" "$3"' _ "$TMP/certs" \
	"$TOOL" "$(conf "smtp_url=smtp://localhost:$TLS_PORT")")
check "without ca_file the system store is used" [ "$out" = sent ]

# 10. pam_sspr's own code mail in Japanese (LANGUAGE=ja over C.UTF-8, the
# catalog of this build): Subject in RFC 2047 words, the body in base64,
# and both decode with Python's email package to the translation in
# po/ja.po, filled in.
if [ -f "$BUILD/locale/ja/LC_MESSAGES/pam_sspr.mo" ]; then
	c=$(conf "smtp_url=smtp://localhost:$TLS_PORT" "ca_file=$SMTP_CA" \
		"mail_from=sspr@example.com")
	before=$(smtp_count)
	out=$(printf 'To: alice@example.org\nSubject: @code\n\n48213957\n' |
		LANGUAGE=ja SSPR_TEST_LOCALEDIR=$BUILD/locale "$TOOL" "$c")
	check "Japanese code mail sent" [ "$out" = sent ]
	check "Japanese code mail arrived" smtp_wait_count $((before + 1))
	newest=$(ls -t "$SMTP_MAILDIR"/new/* | head -n 1)
	check "Japanese mail: body in base64" grep -Eq '^Content-Transfer-Encoding: base64[[:space:]]*$' "$newest"
	check "Japanese mail: Subject RFC 2047 encoded" grep -q '^Subject: =?UTF-8?B?' "$newest"
	check "Japanese mail: the raw message is 7-bit" bash -c '! LC_ALL=C grep -q "[^ -~	]" <(tr -d "\r\n" <"$1")' _ "$newest"
	out=$($PY - "$newest" "$BUILD/locale" <<'PY' 2>&1
import email, email.policy, gettext, re, sys, time
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
t = gettext.translation("pam_sspr", localedir=sys.argv[2], languages=["ja"])
def fill(fmt, *args):
    return re.sub(r"%(\d)\$s", lambda g: args[int(g.group(1)) - 1], fmt)
cat = t._catalog
body_id = [k for k in cat if isinstance(k, str) and k.startswith("Hello,\n\nA password reset was requested")]
assert len(body_id) == 1, body_id
date = time.strftime(t.gettext("%a, %d %b %Y %H:%M:%S %z"), time.localtime(1700000000))
origin = t.gettext(" This came from %s.").replace("%s", "tty1")
life = t.ngettext("%u minute", "%u minutes", 10).replace("%u", "10")
want_subject = fill(t.gettext("Password reset code for %1$s on %2$s"), "alice", "host1")
want_body = fill(cat[body_id[0]], "alice", "host1", date, origin, "48213957", life)
got_subject = str(m["Subject"])
got_body = m.get_body(("plain",)).get_content().replace("\r\n", "\n")
assert m.get_content_charset() == "utf-8", m.get_content_charset()
assert got_subject == want_subject, (got_subject, want_subject)
assert got_body == want_body, (got_body, want_body)
assert "こんにちは" in got_body or "パスワード" in got_body, got_body
assert "Hello" not in got_body, got_body
print("ok")
PY
)
	check "Japanese mail decodes to the ja.po text ($out)" [ "$out" = ok ]
else
	skip_all "no Japanese catalog in $BUILD/locale"
fi

finish
