#!/bin/bash
# debian/tests (autopkgtest) against the package in $BUILD/deb (make deb),
# in a pristine Debian 12 root: mmdebstrap makes it (cached for a day
# under $BUILD/autopkgtest, nowhere else), a copy of the source tree and
# the .deb go in, and autopkgtest runs inside with the null virt server,
# installing the test's Depends from the archive. The root is unpacked
# afresh for each run and removed afterwards, which is why the
# breaks-testbed restriction may be ignored there.
#
# Needs root (chroot, a private mount namespace) and the Debian archive.
# Not part of "make check": run it with "make autopkgtest".
set -eu
cd "$(dirname "$0")/../.."
: "${BUILD:=$PWD/build}"
. tests/lib/chroot.sh
SUITE=bookworm
MIRROR=http://deb.debian.org/debian
DIR=$BUILD/autopkgtest
ROOT=$DIR/root

skip() {
	echo "SKIP: $1"
	exit 77
}

[ "$(id -u)" = 0 ] || skip "needs root (chroot and a private mount namespace)"
for c in mmdebstrap unshare chroot; do
	command -v "$c" >/dev/null || skip "$c is not installed"
done
deb=$(find "$BUILD/deb" -maxdepth 1 -name 'libpam-sspr_*.deb' 2>/dev/null |
	sort | tail -n1)
[ -n "$deb" ] || { echo "no package in $BUILD/deb: run make deb" >&2; exit 1; }
mkdir -p "$DIR/tmp"
if ! timeout 30 /usr/lib/apt/apt-helper download-file \
	"$MIRROR/dists/$SUITE/InRelease" "$DIR/tmp/InRelease" >/dev/null 2>&1; then
	skip "the Debian archive ($MIRROR) cannot be reached"
fi
rm -f "$DIR/tmp/InRelease"
tarball=$DIR/$SUITE-minbase-$(date +%Y%m%d).tar
if [ ! -s "$tarball" ]; then
	rm -f "$DIR/$SUITE"-minbase-*.tar
	echo "making a $SUITE root with mmdebstrap (about a minute)"
	# The name must end in .tar: mmdebstrap picks the format by it.
	TMPDIR=$DIR/tmp mmdebstrap --variant=minbase --include=autopkgtest \
		"$SUITE" "$DIR/tmp/root.tar" "$MIRROR" </dev/null \
		>"$DIR/mmdebstrap.log" 2>&1 ||
		{ tail -20 "$DIR/mmdebstrap.log"; exit 1; }
	mv "$DIR/tmp/root.tar" "$tarball"
fi

# A mount left under the root would make the rm below reach into it.
mounted() {
	grep -q " $ROOT/" /proc/self/mountinfo
}
if mounted; then
	echo "something is still mounted under $ROOT" >&2
	exit 1
fi
rm -rf "$ROOT"
mkdir -p "$ROOT"
tar -C "$ROOT" -xf "$tarball"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
mkdir "$ROOT/tmp/src"
git ls-files -co --exclude-standard -z |
	grep -zv -e "^build/" -e "^debian/build/" -e "^debian/libpam-sspr/" |
	tar --null -T - --ignore-failed-read -cf - 2>/dev/null |
	tar -C "$ROOT/tmp/src" -xf -
cp "$deb" "$ROOT/tmp/"

rc=0
chroot_run "$ROOT" autopkgtest -U --no-built-binaries \
	--ignore-restrictions=breaks-testbed "/tmp/$(basename "$deb")" \
	/tmp/src/ -- null >"$DIR/autopkgtest.log" 2>&1 || rc=$?
# The test's own lines, then autopkgtest's summary.
grep -a -E '^(ok|not ok|all) |^    ' "$DIR/autopkgtest.log" || true
sed -n '/@@@@ summary/,$p' "$DIR/autopkgtest.log" | grep -a -v '@@@@' |
	grep -a -E 'PASS|FAIL|SKIP|ERROR' || tail -20 "$DIR/autopkgtest.log"
echo "autopkgtest exit status $rc (log: $DIR/autopkgtest.log)"
if ! mounted; then
	rm -rf "$ROOT"
fi
exit "$rc"
