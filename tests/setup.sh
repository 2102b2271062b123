#!/bin/sh
# Installs what building and testing pam_sspr needs on Debian 12.
# Run as root. Safe to run again: apt-get skips what is installed.
set -eu
cd "$(dirname "$0")"
pkgs=$(grep -v '^#' packages.txt | tr '\n' ' ')
# Skip the network when everything is already there.
if dpkg-query -W -f='${Status}\n' $pkgs 2>/dev/null | grep -qv 'install ok installed' ||
   [ "$(dpkg-query -W -f='${Status}\n' $pkgs 2>/dev/null | wc -l)" -lt "$(echo $pkgs | wc -w)" ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends $pkgs
fi
