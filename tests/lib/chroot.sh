# chroot_run ROOT CMD...: CMD as root, chrooted into ROOT (a Debian root
# the package tests unpacked), in a private mount namespace with the
# host's /proc, /sys, /dev and /dev/pts; the mounts end with the command.
# The environment is a clean one: PATH, HOME, DEBIAN_FRONTEND, LC_ALL.
# Used by tests/package/test_deb.sh and autopkgtest.sh; needs no other
# helper, as autopkgtest.sh sources only this.
chroot_run() {
	# shellcheck disable=SC2016
	unshare -m --propagation private -- /bin/sh -c '
		r=$1; shift
		mount --bind /proc "$r/proc" &&
		mount --rbind /sys "$r/sys" &&
		mount --bind /dev "$r/dev" &&
		mount --bind /dev/pts "$r/dev/pts" &&
		exec chroot "$r" /usr/bin/env -i \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
			DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"
	' chroot_run "$@"
}
