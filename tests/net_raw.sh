#!/bin/bash
# net_raw.sh - RawConn with real peers in two namespaces: the kernel's IGMPv3 and IGMPv2 reports decoded, IP_HDRINCL writes captured byte for byte with libpcap (RFC 791, 2113, 2236, 3376).
# Usage: bash tests/net_raw.sh TOOL SRCDIR SHARED_PCAPS (the build dir is two levels above TOOL).
tool=$1
src=$2
build=$(cd "$(dirname "$tool")/.." && pwd)
. "$src/tests/lib/netns.sh"

passed=0
failed=0
# run_checks PROGRAM ARGS...: run a helper (bounded by timeout), echo its lines, count ok / not ok.
run_checks() {
	local out rc okn badn
	out=$(timeout 40 "$@" 2>&1)
	rc=$?
	echo "$out"
	okn=$(grep -c '^ok ' <<<"$out")
	badn=$(grep -c '^not ok ' <<<"$out")
	passed=$((passed + okn))
	failed=$((failed + badn))
	if [ "$rc" -ne 0 ] && [ "$badn" -eq 0 ]; then
		echo "not ok $(basename "$1"): exited with status $rc"
		failed=$((failed + 1))
	fi
}
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
	exit $?
}

if [ ! -x "$build/tests/net_raw" ]; then
	echo "not ok setup: $build/tests/net_raw is not built"
	echo "0 passed, 1 failed"
	exit 1
fi
netns_setup 2
prog="$build/tests/net_raw"
run_checks "$prog" igmp3 "$NS1" "$NS2" "$IF1" "$IF2" "$ADDR1" "$ADDR2"
run_checks "$prog" hdrincl "$NS1" "$NS2" "$IF1" "$IF2" "$ADDR1" "$ADDR2"
# the host in NS1 becomes an IGMPv2 host on IF1
ip netns exec "$NS1" sysctl -qw "net.ipv4.conf.$IF1.force_igmp_version=2" ||
	{ echo "not ok setup: cannot force IGMPv2"; failed=$((failed + 1)); finish; }
run_checks "$prog" igmp2 "$NS1" "$NS2" "$IF1" "$IF2" "$ADDR1" "$ADDR2"
finish
