#!/bin/bash
# net_core.sh - PacketConn between two namespaces: multicast ASM/SSM/block delivery, control messages, IP_RECVERR, error codes (RFC 1112, 3376, 3678).
# Usage: bash tests/net_core.sh TOOL SRCDIR THIRD_PARTY_PCAPS (the build dir is two levels above TOOL).
tool=$1
src=$2
build=$(cd "$(dirname "$tool")/.." && pwd)
. "$src/tests/lib/netns.sh"

net_require "$build/tests/net_mcast"
netns_setup 2
# a second source address on NS1's interface for the source-specific and block tests
ADDR1B="198.18.$NETNS_SUBNET.11"
ip -n "$NS1" addr add "$ADDR1B/24" dev "$IF1" ||
	{ echo "not ok setup: cannot add $ADDR1B"; NET_FAILED=$((NET_FAILED + 1)); finish; }

run_checks "$build/tests/net_mcast" "$NS1" "$NS2" "$IF1" "$IF2" "$ADDR1" "$ADDR1B" "$ADDR2"
finish
