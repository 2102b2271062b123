# The pristine Debian root that the PAM, end-to-end and demo sandboxes run
# in (tests/lib/sandbox.sh).  Why a root of its own rather than a copy of
# the host's /etc: the stack under test must be the one the tests define,
# whatever the host has enabled (pam_pwquality without its dictionary,
# sssd, ldap, pam_systemd...), and login's records must land in a /var/log
# of the test's, not the host's.
#
#   testroot_ensure    make $TESTROOT (once per build tree) or explain why not
#
# The root is made by mmdebstrap from tests/root/packages.txt and cached as
# a tarball under $BUILD/testroot, keyed by the suite and the package list,
# so it is remade when the list changes and reused otherwise.  The sandbox
# mounts the extracted root read-only: it stays pristine across tests.
# Needs tests/lib/lib.sh sourced first.

# The suite of the host, so that what the host built runs in the root
# (glibc, libpam and libcurl of the same release).
_testroot_suite() {
	local codename
	codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
	echo "${codename:-bookworm}"
}

: "${TESTROOT_MIRROR:=http://deb.debian.org/debian}"
TESTROOT_DIR=$BUILD/testroot
TESTROOT=$TESTROOT_DIR/root

# The sentence a skipped layer prints when there is no root.
_testroot_unavailable() {
	echo "$1" >"$TESTROOT_DIR/unavailable"
	echo "$1" >&2
	return 1
}

# Make the root unless it is there and current.  Prints one line when it
# has work to do; on failure the reason is kept in
# $TESTROOT_DIR/unavailable so that every later test skips at once with
# the same sentence instead of trying again.
testroot_ensure() {
	local suite pkgs key tarball stamp log
	mkdir -p "$TESTROOT_DIR"
	suite=$(_testroot_suite)
	pkgs=$(grep -v '^#' "$TESTS_DIR/root/packages.txt" | grep . | sort | paste -sd, -)
	key=$(printf '%s\n' "$suite" "$pkgs" | sha256sum | cut -c1-16)
	tarball=$TESTROOT_DIR/$suite-$key.tar
	# The extracted root also depends on where the build and source trees
	# are: it holds their mount points (see _sandbox_write_enter).
	stamp=$TESTROOT/.sspr-testroot-$(printf '%s\n' "$key" "$SRC_DIR" "$BUILD" | sha256sum | cut -c1-16)
	[ -e "$stamp" ] && return 0
	(
		# One maker at a time; a second caller waits and finds it done.
		flock 9
		[ -e "$stamp" ] && exit 0
		rm -f "$TESTROOT_DIR/unavailable"
		command -v mmdebstrap >/dev/null ||
			_testroot_unavailable "mmdebstrap is missing (tests/setup.sh installs it)" || exit 1
		command -v unshare >/dev/null ||
			_testroot_unavailable "unshare is missing (util-linux)" || exit 1
		[ "$(id -u)" = 0 ] ||
			_testroot_unavailable "the test root needs root (chroot, private mount namespaces)" || exit 1
		if [ ! -s "$tarball" ]; then
			echo "testroot: making a pristine $suite root with mmdebstrap (once per build tree, about a minute)" >&2
			log=$TESTROOT_DIR/mmdebstrap.log
			rm -f "$TESTROOT_DIR/$suite"-*.tar
			if ! timeout 900 mmdebstrap --variant=minbase --format=tar --include="$pkgs" \
				"$suite" "$tarball.part" "$TESTROOT_MIRROR" </dev/null >"$log" 2>&1; then
				rm -f "$tarball.part"
				tail -5 "$log" >&2
				_testroot_unavailable "mmdebstrap could not make the $suite test root from $TESTROOT_MIRROR (see $log)"
				exit 1
			fi
			mv "$tarball.part" "$tarball"
		fi
		rm -rf "$TESTROOT"
		mkdir -p "$TESTROOT"
		tar -C "$TESTROOT" -xf "$tarball" ||
			_testroot_unavailable "the test root tarball $tarball does not extract" || exit 1
		# Mount points for what the sandbox binds in at the same path.
		mkdir -p "$TESTROOT$SRC_DIR" "$TESTROOT$BUILD"
		touch "$stamp"
	) 9>"$TESTROOT_DIR/.lock"
}

# Skip the calling test with the one sentence that says why there is no
# root (made by testroot_ensure, or by an earlier test's attempt).
testroot_need() {
	# tests/run.sh tried once for the whole run (TESTROOT_TRIED=1).
	[ -n "${TESTROOT_TRIED:-}" ] && [ -s "$TESTROOT_DIR/unavailable" ] && skip_all "no pristine test root: $(cat "$TESTROOT_DIR/unavailable")"
	testroot_ensure 2>"$TMP/testroot.err" ||
		skip_all "no pristine test root: $(tail -1 "$TMP/testroot.err")"
}
