#!/bin/bash
# The demo's login pane: what to try, then the sandbox's real /bin/login;
# a fresh login prompt after each session ends.
#
# usage: login_loop.sh SANDBOX BANNER_FILE
sb=$1 banner=$2
while :; do
	clear
	cat "$banner"
	"$sb/enter" /bin/login
	echo
	echo "(The session ended. A new login prompt follows.)"
	sleep 2
done
