# Resets through the authenticator app at the login stack, for tests of
# wrong codes (lockouts, guessing, admin unlock). Source after sandbox.sh;
# needs pamtester and oathtool.

# app_wrong_codes KEY MIN: WRONG, codes the app shows at no time near now
# (the module's window and clock skew), at least MIN of them, else the
# test is skipped.
app_wrong_codes() {
	local valid c
	valid=$(oathtool --totp --base32 -N "now - 5 minutes" -w 20 "$1")
	WRONG=()
	for c in 000000 111111 222222 333333 444444 555555; do
		grep -qx "$c" <<<"$valid" || WRONG+=("$c")
	done
	[ "${#WRONG[@]}" -ge "$2" ] || skip_all "no wrong codes found"
}

# app_reset USER CODE...: a reset at login for USER: an empty password,
# menu choice 2 (the app), then the given lines (codes, new passwords).
app_reset() {
	local user=$1 answers=$'\n2\n'
	shift
	answers+=$(printf '%s\n' "$@")$'\n'
	printf '%s' "$answers" | timeout 60 "$SB/enter" pamtester login "$user" authenticate 2>&1
}
