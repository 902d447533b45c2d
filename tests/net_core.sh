#!/bin/bash
# net_core.sh - PacketConn between two namespaces: multicast ASM/SSM/block delivery, control messages, IP_RECVERR, error codes (RFC 1112, 3376, 3678).
# Usage: bash tests/net_core.sh TOOL SRCDIR SHARED_PCAPS (the build dir is two levels above TOOL).
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

if [ ! -x "$build/tests/net_mcast" ]; then
	echo "not ok setup: $build/tests/net_mcast is not built"
	echo "0 passed, 1 failed"
	exit 1
fi
netns_setup 2
# a second source address on NS1's interface for the source-specific and block tests
ADDR1B="198.18.$NETNS_SUBNET.11"
ip -n "$NS1" addr add "$ADDR1B/24" dev "$IF1" ||
	{ echo "not ok setup: cannot add $ADDR1B"; failed=$((failed + 1)); finish; }

run_checks "$build/tests/net_mcast" "$NS1" "$NS2" "$IF1" "$IF2" "$ADDR1" "$ADDR1B" "$ADDR2"
finish
