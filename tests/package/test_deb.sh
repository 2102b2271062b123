#!/bin/bash
# The Debian package, the way an administrator meets it: build the .deb
# from a copy of the tree, lint it, install it into a pristine bookworm
# root (mmdebstrap) with its dependencies from the archive, enable it with
# pam-auth-update, check files, modes and the generated common-* files,
# then remove and purge it and check that nothing is left behind.
#
# Needs root (chroot, private mount namespaces) and the Debian archive.
# The minbase tarball is cached for a day under $BUILD/testroot, beside the
# sandbox's root (tests/lib/testroot.sh): nothing is kept outside the build
# tree.
. "$(dirname "$0")/../lib/lib.sh"

need_root
need dpkg-buildpackage dpkg-source lintian mmdebstrap git unshare chroot \
	readelf
CACHE=$BUILD/testroot
SUITE=bookworm
MIRROR=http://deb.debian.org/debian
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
ROOT=$TMP/root
# Mounts live in private namespaces that end with each command; this is
# only a safety net should one ever outlive them.
at_exit 'grep -q " $ROOT/" /proc/self/mountinfo && umount -R -l "$ROOT" 2>/dev/null'

# --- a pristine root --------------------------------------------------------
# First, so that a host without the archive skips before any PASS line.
# The package's dependencies come from the archive even with a cached root.
if ! timeout 30 /usr/lib/apt/apt-helper download-file \
	"$MIRROR/dists/$SUITE/InRelease" "$TMP/InRelease" >/dev/null 2>&1; then
	skip_all "the Debian archive ($MIRROR) cannot be reached"
fi
mkdir -p "$CACHE"
TARBALL=$CACHE/pkgtest-$SUITE-minbase-$(date +%Y%m%d).tar
if [ ! -s "$TARBALL" ]; then
	rm -f "$CACHE/pkgtest-$SUITE"-minbase-*.tar
	if ! mmdebstrap --variant=minbase --include=login,passwd,libpam-runtime \
		--format=tar "$SUITE" "$TMP/root.tar" "$MIRROR" </dev/null >"$TMP/mmdebstrap.log" 2>&1; then
		tail -20 "$TMP/mmdebstrap.log"
		fail "mmdebstrap makes a $SUITE root"
		finish
	fi
	# Atomic, so that a parallel run never sees half a tarball.
	mv "$TMP/root.tar" "$TARBALL.$$" && mv "$TARBALL.$$" "$TARBALL"
fi

# --- build from a copy of the tree ----------------------------------------
mkdir -p "$TMP/src"
# The files git knows (and untracked ones it does not ignore); a tree that
# is not a git checkout (an unpacked tarball) is copied whole but for
# what builds leave behind.
tree_files() {
	if git rev-parse --git-dir >/dev/null 2>&1; then
		git ls-files -co --exclude-standard -z
	else
		find . -path ./.git -prune -o -type f -printf '%P\0'
	fi
}
(
	cd "$SRC_DIR" &&
	tree_files |
	grep -zv -e '^build/' -e '^debian/build/' -e '^debian/libpam-sspr/' \
		-e '^debian/\.debhelper/' -e '/__pycache__/' |
	tar --null -T - --ignore-failed-read -cf - 2>/dev/null
) | tar -C "$TMP/src" -xf -
[ -f "$TMP/src/debian/control" ] || { fail "copy of the source tree"; finish; }

# The source package too, so that lintian also sees debian/ itself.
(cd "$TMP" && dpkg-source -b src >"$TMP/source.log" 2>&1) ||
	{ fail "dpkg-source -b" "$(tail -5 "$TMP/source.log")"; finish; }
# The unit tests run in their own layer; here only the packaging counts.
# BUILD and MAKEFLAGS of the caller must not reach the package build.
if (cd "$TMP/src" && env -u BUILD -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
	dpkg-buildpackage -us -uc -b >"$TMP/build.log" 2>&1); then
	pass "dpkg-buildpackage builds the package"
else
	tail -30 "$TMP/build.log"
	fail "dpkg-buildpackage builds the package"
	finish
fi
DEB=$(ls "$TMP"/libpam-sspr_*.deb)
DSC=$(ls "$TMP"/pam-sspr_*.dsc)

if lintian --fail-on error,warning --no-tag-display-limit "$DEB" "$DSC" \
	>"$TMP/lintian.log" 2>&1; then
	pass "lintian: no errors or warnings"
else
	sed 's/^/    /' "$TMP/lintian.log"
	fail "lintian: no errors or warnings"
fi

# Everything the package ships, as the test expects to find it.
dpkg-deb -c "$DEB" | awk '{print $1, $2, $6}' >"$TMP/contents"
check "package ships the module" \
	grep -q "^-rw-r--r-- root/root ./lib/$MA/security/pam_sspr.so$" "$TMP/contents"

mkdir -p "$ROOT"
tar -C "$ROOT" -xf "$TARBALL"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
rm -f "$ROOT/etc/apt/sources.list"
rm -rf "$ROOT/etc/apt/sources.list.d"
cp -a /etc/apt/sources.list.d "$ROOT/etc/apt/"
[ ! -f /etc/apt/sources.list ] || cp /etc/apt/sources.list "$ROOT/etc/apt/"
cp "$DEB" "$ROOT/tmp/"

. "$TESTS_DIR/lib/chroot.sh"
# inroot CMD...: CMD in the unpacked root (tests/lib/chroot.sh).
inroot() { chroot_run "$ROOT" "$@"; }

cp -a "$ROOT/etc/pam.d" "$TMP/pam.d.before"
if inroot apt-get -q update >"$TMP/apt.log" 2>&1 &&
	inroot apt-get -q install -y --no-install-recommends \
		"/tmp/$(basename "$DEB")" >>"$TMP/apt.log" 2>&1; then
	pass "apt-get installs the .deb with its dependencies"
else
	tail -20 "$TMP/apt.log"
	fail "apt-get installs the .deb with its dependencies"
	finish
fi

# --- files and modes -------------------------------------------------------
# mode_is PATH MODE: owner root:root and the given octal mode.
mode_is() {
	[ "$(stat -c '%a %U:%G' "$ROOT$1" 2>/dev/null)" = "$2 root:root" ]
}
check "module 0644 root" mode_is "/lib/$MA/security/pam_sspr.so" 644
check "flow library 0644 root" \
	mode_is "/lib/$MA/security/pam_sspr/sspr-flow.so" 644
check "/usr/bin/sspr setuid root 4755" mode_is /usr/bin/sspr 4755
check "/etc/security/sspr.conf 0600 root" mode_is /etc/security/sspr.conf 600
check "/var/lib/sspr 0700 root" mode_is /var/lib/sspr 700
check "/var/lib/sspr is a directory" test -d "$ROOT/var/lib/sspr"
check "/var/log/sspr 0700 root (the audit log's)" mode_is /var/log/sspr 700
check "logrotate snippet for the audit log" mode_is /etc/logrotate.d/sspr 644
check "pam-auth-update profile" mode_is /usr/share/pam-configs/sspr 644
check "bash completion 0644 root" \
	mode_is /usr/share/bash-completion/completions/sspr 644
check "the bash completion is the source's" \
	cmp -s "$ROOT/usr/share/bash-completion/completions/sspr" "$SRC_DIR/conf/bash-completion/sspr"
check "README.Debian shipped" sh -c \
	"zcat -f '$ROOT/usr/share/doc/libpam-sspr/README.Debian'* | cmp -s - '$SRC_DIR/debian/README.Debian'"
check "PAM service sspr" mode_is /etc/pam.d/sspr 644
check "PAM service sspr-passwd" mode_is /etc/pam.d/sspr-passwd 644
check "boot-time reconciliation unit 0644 root" \
	mode_is /lib/systemd/system/sspr-reconcile.service 644
check "the unit runs sspr admin reconcile after the network is up" \
	grep -q '^ExecStart=/usr/bin/sspr admin reconcile$' "$ROOT/lib/systemd/system/sspr-reconcile.service"
check "the unit is enabled at installation" \
	test -L "$ROOT/etc/systemd/system/multi-user.target.wants/sspr-reconcile.service"
check "man pages" test -f "$ROOT/usr/share/man/man8/pam_sspr.8.gz" -a \
	-f "$ROOT/usr/share/man/man5/sspr.conf.5.gz" -a \
	-f "$ROOT/usr/share/man/man1/sspr.1.gz"
check "the Japanese translation" \
	test -f "$ROOT/usr/share/locale/ja/LC_MESSAGES/pam_sspr.mo"
check "the Japanese man pages" \
	test -f "$ROOT/usr/share/man/ja/man8/pam_sspr.8.gz" -a \
	-f "$ROOT/usr/share/man/ja/man5/sspr.conf.5.gz" -a \
	-f "$ROOT/usr/share/man/ja/man1/sspr.1.gz"
check "shipped sspr.conf is the source's" \
	cmp -s "$ROOT/etc/security/sspr.conf" "$SRC_DIR/conf/sspr.conf"
check "sspr.conf is a conffile" sh -c \
	"grep -A20 '^Package: libpam-sspr$' '$ROOT/var/lib/dpkg/status' |
	 grep -q '^ /etc/security/sspr.conf '"

# The lean module needs nothing but libpam and libc (DT_NEEDED) ...
needed=$(readelf -d "$ROOT/lib/$MA/security/pam_sspr.so" |
	sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
if [ "$needed" = "libc.so.6 libpam.so.0 " ]; then
	pass "module NEEDED only libpam and libc"
else
	fail "module NEEDED only libpam and libc" "$needed"
fi
# ... and every ELF file resolves all its libraries and symbols in the
# root, so the package's Depends (dh_shlibdeps) are complete.
for f in "/lib/$MA/security/pam_sspr.so" \
	"/lib/$MA/security/pam_sspr/sspr-flow.so" /usr/bin/sspr; do
	out=$(inroot ldd -r "$f" 2>&1)
	if [ $? = 0 ] && ! grep -q -e "not found" -e "undefined symbol" <<<"$out"; then
		pass "ldd -r $f resolves in the root"
	else
		fail "ldd -r $f resolves in the root" "$(grep -m3 -e 'not found' -e undefined <<<"$out")"
	fi
done
out=$(inroot /usr/bin/sspr --version 2>&1)
check "sspr --version runs in the root" grep -q "0\.1\.0" <<<"$out"

# --- pam-auth-update -------------------------------------------------------
check "installed, not yet in common-auth (Default: no)" \
	diff -r "$TMP/pam.d.before" "$ROOT/etc/pam.d" -x sspr -x sspr-passwd
if inroot pam-auth-update --enable sspr >"$TMP/pau.log" 2>&1; then
	pass "pam-auth-update --enable sspr"
else
	fail "pam-auth-update --enable sspr" "$(tail -3 "$TMP/pau.log")"
fi
# The lines of a stage in order, white space squeezed (pam-auth-update
# leaves a space after a module without arguments).
stage() {
	grep "^$1" "$ROOT/etc/pam.d/$2" | tr -s ' \t' ' ' | sed 's/ $//'
}
# line_no TEXT PATTERN: number of the first line of TEXT matching PATTERN.
line_no() { grep -n -m1 -e "$2" <<<"$1" | cut -d: -f1; }
auth=$(stage auth common-auth)
u=$(line_no "$auth" 'pam_unix.so')
s=$(line_no "$auth" 'pam_sspr.so')
check "common-auth: pam_unix jumps over pam_sspr" \
	grep -q '^auth \[success=2 default=ignore\] pam_unix.so' <<<"$auth"
check "common-auth: pam_sspr jumps over pam_deny" \
	grep -qx 'auth \[success=1 default=ignore\] pam_sspr.so' <<<"$auth"
check "common-auth: pam_sspr right after pam_unix" \
	test -n "$u" -a -n "$s" -a "$((u + 1))" = "$s"
check "common-auth: then pam_deny, then pam_permit" \
	test "$(sed -n "$((s + 1)),\$p" <<<"$auth" | tr '\n' '|')" = \
	"auth requisite pam_deny.so|auth required pam_permit.so|"
check "common-session: optional pam_sspr.so" \
	grep -qx 'session optional pam_sspr.so' <<<"$(stage session common-session)"
check "common-session-noninteractive: no pam_sspr" \
	sh -c "! grep -q pam_sspr '$ROOT/etc/pam.d/common-session-noninteractive'"
pw=$(stage password common-password)
u=$(line_no "$pw" 'pam_unix.so')
s=$(line_no "$pw" 'pam_sspr.so')
check "common-password: required pam_sspr.so after pam_unix" \
	test -n "$u" -a -n "$s" -a "${u:-0}" -lt "${s:-0}" -a \
	"$(sed -n "${s:-1}p" <<<"$pw")" = "password required pam_sspr.so"

# --- remove and purge ------------------------------------------------------
# A record, as the module would leave one: purge must remove it too.
install -m 0600 /dev/null "$ROOT/var/lib/sspr/u-alice"
if inroot apt-get -q remove -y libpam-sspr >"$TMP/remove.log" 2>&1; then
	pass "apt-get remove"
else
	fail "apt-get remove" "$(tail -3 "$TMP/remove.log")"
fi
check "after remove: PAM stack exactly as before enable" \
	diff -r "$TMP/pam.d.before" "$ROOT/etc/pam.d" -x sspr -x sspr-passwd
check "after remove: module gone" \
	test ! -e "$ROOT/lib/$MA/security/pam_sspr.so"
check "after remove: conffile kept" test -f "$ROOT/etc/security/sspr.conf"
if inroot apt-get -q purge -y libpam-sspr >"$TMP/purge.log" 2>&1; then
	pass "apt-get purge"
else
	fail "apt-get purge" "$(tail -3 "$TMP/purge.log")"
fi
check "after purge: /etc/security/sspr.conf gone" \
	test ! -e "$ROOT/etc/security/sspr.conf"
check "after purge: /var/lib/sspr gone" test ! -e "$ROOT/var/lib/sspr"
check "after purge: /var/log/sspr gone" test ! -e "$ROOT/var/log/sspr"
check "after purge: the unit is no longer enabled" \
	test ! -e "$ROOT/etc/systemd/system/multi-user.target.wants/sspr-reconcile.service" -a \
	! -L "$ROOT/etc/systemd/system/multi-user.target.wants/sspr-reconcile.service"
check "after purge: package unknown to dpkg" \
	sh -c "! grep -q '^Package: libpam-sspr$' '$ROOT/var/lib/dpkg/status'"
# Every file of the package is gone, and the directories that only it
# had; directories shared with others (/etc, /usr/bin, ...) stay.
left=
while read -r name; do
	f=${name#.}
	case $f in
	*/) f=${f%/}
	    case $f in
	    */security/pam_sspr | /var/lib/sspr | /var/log/sspr | /usr/share/doc/libpam-sspr)
		[ ! -e "$ROOT$f" ] || left="$left $f" ;;
	    esac ;;
	*) [ ! -e "$ROOT$f" ] && [ ! -L "$ROOT$f" ] || left="$left $f" ;;
	esac
done < <(awk '{print $3}' "$TMP/contents")
if [ -z "$left" ] && [ -s "$TMP/contents" ]; then
	pass "after purge: every packaged file is gone"
else
	fail "after purge: every packaged file is gone" "${left:-no file list}"
fi
check "after purge: PAM stack intact" \
	diff -r "$TMP/pam.d.before" "$ROOT/etc/pam.d"
finish
