#!/bin/bash
# The prompt does not tell which accounts exist (issue 8, item 3): a name
# that is no account, a user without a method, an account the
# administrator locked, one locked after failed codes, a user outside
# enable_group and root each get the very same transcript from pamtester,
# including the answer to the administrator request, whether that request
# was mailed, was one too many within the hour, or could not be sent. Only
# syslog tells them apart. (The time they take is in make bench.)
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS_DIR/lib/sandbox.sh"
. "$TESTS_DIR/lib/smtp.sh"
. "$TESTS_DIR/lib/transcript.sh"
need pamtester

sandbox_init
smtp_start
sandbox_conf "smtp_url = smtp://127.0.0.1:$SMTP_PORT" "ca_file = $SMTP_CA" \
	"mail_from = sspr@test.example" "admin_contact = admin@test.example"
for u in alice bob carol dave frank; do sandbox_add_user "$u" 'OldPass#1'; done
sandbox_record alice "email = alice@example.org"	# control: may reset
# bob: no record, no method
sandbox_record carol "email = carol@example.org"	# locked by the admin
sandbox_run passwd -l carol >/dev/null 2>&1
sandbox_record dave "email = dave@example.org"		# outside the group
sandbox_record frank "email = frank@example.org" \
	"locked_until = $(($(date +%s) + 3600))"	# too many wrong codes
echo "sspr-users:x:4999:alice,bob,carol,frank" >>"$SB/etc/group"
# root with a password of its own (a minimal root has none: locked), so
# that the gate is what keeps it out.
echo 'root:Root#Pass2024' | sandbox_run chpasswd

# enable = all: root and the other cases; bob's request is mailed.
unknown=$(transcript nosuchuser)
check "the unknown name is told reset is not available" \
	grep -q 'Password reset is not available for this account' <<<"$unknown"
check "the unknown name is asked about the administrator request" \
	grep -q 'Send your administrator a request' <<<"$unknown"
check "the control user may reset" \
	grep -q 'A code was sent' <<<"$(transcript alice)"
smtp_wait_count 1 # alice's code
n=$(smtp_count)
same "enable = all" bob carol frank root
check "requests for bob and root were mailed" smtp_wait_count $((n + 2))
sleep 1
check "no request mailed for the locked, the unknown or the locked-out" \
	[ "$(smtp_count)" = $((n + 2)) ]

# Again within the hour: rate-limited, and still the same answer.
same "second request within the hour" bob root
sleep 1
check "a second request within the hour is not mailed" \
	[ "$(smtp_count)" = $((n + 2)) ]
check "the log keeps the truth: rate limit" \
	grep -q "reset request of 'bob' not mailed: one was sent within the last hour" "$SB/syslog"

# enable = group: dave is outside it; the mail server is down for his
# request, which is still answered like every other.
sandbox_conf "enable = group" "enable_group = sspr-users"
same "enable = group" bob carol frank root
sed -i "s|^smtp_url = .*|smtp_url = smtp://127.0.0.1:1|" "$SSPR_CONF"
same "mail server down" dave
check "the log keeps the truth: mail failed" \
	grep -q "cannot mail a reset request to the administrator for 'dave'" "$SB/syslog"
check "the log keeps the truth: not in the group" \
	grep -q "reset not available for 'dave': not enabled for this user" "$SB/syslog"
check "the log keeps the truth: locked" \
	grep -q "reset not available for 'carol': the account is locked" "$SB/syslog"
check "the log keeps the truth: locked out" \
	grep -q "reset not available for 'frank': locked after failed attempts" "$SB/syslog"
check "the unknown name is not logged" not grep -q nosuchuser "$SB/syslog"
finish
