#!/usr/bin/env bash
# deps.sh - install the Debian 12 packages ipv4kit needs, only those that are missing (sourced by bootstrap.sh and test.sh).
# Usage: tools/deps.sh [extra-package...]
# afl++ (2.4 MB; needs clang-14, already here) builds the AFL++ harnesses (preset fuzz-afl, fuzz/run.sh).
set -eu
need=(cmake make gcc clang pkg-config libpcap-dev libcmocka-dev python3 iproute2 procps tcpdump qemu-system-x86 pimd igmpproxy afl++ "$@")
missing=()
for p in "${need[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}" >&2
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
