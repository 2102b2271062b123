#!/bin/bash
# make check-fresh: the README's two commands, run the way a newcomer runs
# them, on a Debian machine that has never seen this project: a pristine
# root made by mmdebstrap, entered with chroot in a private mount
# namespace.  Then the root's PAM configuration and login records must be
# as they were before.
#
# The root is made hostile on purpose, like the machines that broke the
# suite before: pam_pwquality is enabled in its common-password without
# its dictionary (what --no-install-recommends gives), and its common-auth
# names a module that does not exist.  A test that still read the
# machine's stack would fail on either.
#
# Not part of make check: it installs the build dependencies into the root
# and runs the whole suite there (about ten minutes).  Run it
# before resolving anything that touches the test set-up.
#
#   BUILD=dir tests/fresh/check_fresh.sh [--keep]   (--keep: leave the root)
. "$(dirname "$0")/../lib/lib.sh"

need_root
need mmdebstrap unshare chroot git
SUITE=bookworm
MIRROR=http://deb.debian.org/debian
keep=no
[ "${1:-}" = --keep ] && keep=yes
CACHE=$BUILD/fresh
ROOT=$CACHE/root
SRC=/root/pam_sspr
mkdir -p "$CACHE"

# --- a fresh Debian 12: minbase with the archive's current packages, and
# apt sources as the installer writes them.
TARBALL=$CACHE/$SUITE-fresh-$(date +%Y%m%d).tar
if [ ! -s "$TARBALL" ]; then
	rm -f "$CACHE/$SUITE"-fresh-*.tar
	echo "fresh: making a pristine $SUITE root with mmdebstrap"
	if ! mmdebstrap --variant=minbase --format=tar \
		--include=ca-certificates,libpam-pwquality --aptopt='APT::Install-Recommends "false"' \
		"$SUITE" "$TARBALL.part" \
		"deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-updates main" \
		"deb http://deb.debian.org/debian-security $SUITE-security main" \
		</dev/null >"$CACHE/mmdebstrap.log" 2>&1; then
		rm -f "$TARBALL.part"
		tail -5 "$CACHE/mmdebstrap.log"
		skip_all "mmdebstrap could not make a fresh $SUITE root from $MIRROR"
	fi
	mv "$TARBALL.part" "$TARBALL"
fi
rm -rf "$ROOT"
mkdir -p "$ROOT"
tar -C "$ROOT" -xf "$TARBALL"
at_exit "[ $keep = yes ] || rm -rf $(printf %q "$ROOT")"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
# The hostile part: no dictionary, and a module that is not there.
rm -rf "$ROOT/var/cache/cracklib"
echo 'auth	requisite	pam_sspr_fresh_check_missing.so' >>"$ROOT/etc/pam.d/common-auth"
grep -q pam_pwquality "$ROOT/etc/pam.d/common-password" ||
	{ fail "the fresh root has pam_pwquality enabled"; finish; }

# --- the project, as a clone gives it
mkdir -p "$ROOT$SRC"
(cd "$SRC_DIR" && git ls-files -co --exclude-standard -z |
	grep -zv -e '^build/' -e '^debian/build/' |
	tar --null -T - -cf -) | tar -C "$ROOT$SRC" -xf -
# A checkout, as a clone is: the working tree as it is now, committed.
git -C "$ROOT$SRC" init -q &&
	git -C "$ROOT$SRC" add -A &&
	git -C "$ROOT$SRC" -c user.name=check-fresh -c user.email=check-fresh@localhost \
		commit -qm "the tree under test" ||
	{ fail "a git checkout of the tree in the fresh root"; finish; }

# inroot CMD: run CMD as root in the fresh root, with no terminal, as CI
# and a newcomer's ssh session without a tty would.  A pid namespace of its
# own, so that nothing started inside outlives this script.
inroot() {
	unshare -m -u -p --fork --kill-child --propagation private -- /bin/sh -c '
		r=$1; shift
		# The root a mount of its own, as / is on a real machine (unshare
		# -m --propagation needs that).
		mount --bind "$r" "$r" &&
		mount -t proc fresh-proc "$r/proc" &&
		mount --rbind /sys "$r/sys" &&
		mount --rbind /dev "$r/dev" &&
		mount -t tmpfs -o mode=0755 fresh-run "$r/run" &&
		mount -t tmpfs -o mode=1777 fresh-tmp "$r/tmp" &&
		exec chroot "$r" /usr/bin/env -i HOME=/root TERM=dumb \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			LANG=C.UTF-8 /bin/sh -c "$@"
	' inroot "$ROOT" "$@" </dev/null
}

# What must be the same afterwards.  /run is the namespace's own tmpfs, so
# the utmp check lives inside the same inroot call as the commands.
state() {
	cat <<'EOF'
cd / && find etc/pam.d etc/security -type f -print0 | sort -z | xargs -0 sha256sum
for f in /var/log/wtmp /var/log/btmp /var/log/lastlog /run/utmp; do
	if [ -e $f ]; then echo "$f $(sha256sum <$f)"; else echo "$f absent"; fi
done
EOF
}

# --- the README's two commands
cmd_check="cd $SRC && sh -c 'tests/setup.sh && make check'"
cmd_demo="cd $SRC && sh -c 'tests/setup.sh && make demo'"
inroot "( $(state) ) >/tmp/before
	( $cmd_check ) >/var/tmp/check.log 2>&1; echo \$? >/var/tmp/check.rc
	( $cmd_demo ) >/var/tmp/demo.log 2>&1; echo \$? >/var/tmp/demo.rc
	( $(state) ) >/tmp/after
	diff /tmp/before /tmp/after >/var/tmp/state.diff; echo \$? >/var/tmp/state.rc"

last=$(tail -n 1 "$ROOT/var/tmp/check.log")
echo "fresh: make check said: $last"
if [ "$(cat "$ROOT/var/tmp/check.rc")" = 0 ] && grep -Eq '^[0-9]+ passed, 0 failed, 0 skipped$' <<<"$last"; then
	pass "fresh root: tests/setup.sh && make check passes, nothing skipped"
else
	grep -E '^ *(FAIL|SKIP)' "$ROOT/var/tmp/check.log" | head -40
	tail -n 20 "$ROOT/var/tmp/check.log"
	fail "fresh root: tests/setup.sh && make check passes, nothing skipped"
fi
if [ "$(cat "$ROOT/var/tmp/demo.rc")" = 0 ] && grep -q '^PASS: the new password logs in' "$ROOT/var/tmp/demo.log" &&
	! grep -q '^FAIL' "$ROOT/var/tmp/demo.log"; then
	pass "fresh root: tests/setup.sh && make demo (no terminal: --check) completes a reset"
else
	tail -n 30 "$ROOT/var/tmp/demo.log"
	fail "fresh root: tests/setup.sh && make demo (no terminal: --check) completes a reset"
fi
if [ "$(cat "$ROOT/var/tmp/state.rc")" = 0 ]; then
	pass "fresh root: /etc/pam.d, /etc/security and the login records are unchanged"
else
	cat "$ROOT/var/tmp/state.diff"
	fail "fresh root: /etc/pam.d, /etc/security and the login records are unchanged"
fi
[ $keep = no ] || echo "fresh: the root is kept in $ROOT (logs in var/tmp)"
finish
