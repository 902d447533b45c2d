#!/bin/bash
# net_raw.sh - RawConn with real peers in two namespaces: the kernel's IGMPv3 and IGMPv2 reports decoded, IP_HDRINCL writes captured byte for byte with libpcap (RFC 791, 2113, 2236, 3376).
# Usage: bash tests/net_raw.sh TOOL SRCDIR THIRD_PARTY_PCAPS (the build dir is two levels above TOOL).
tool=$1
src=$2
build=$(cd "$(dirname "$tool")/.." && pwd)
. "$src/tests/lib/netns.sh"

net_require "$build/tests/net_raw"
netns_setup 2
prog="$build/tests/net_raw"
run_checks "$prog" igmp3 "$NS1" "$NS2" "$IF1" "$IF2" "$ADDR1" "$ADDR2"
run_checks "$prog" hdrincl "$NS1" "$NS2" "$IF1" "$IF2" "$ADDR1" "$ADDR2"
# the host in NS1 becomes an IGMPv2 host on IF1
ip netns exec "$NS1" sysctl -qw "net.ipv4.conf.$IF1.force_igmp_version=2" ||
	{ echo "not ok setup: cannot force IGMPv2"; NET_FAILED=$((NET_FAILED + 1)); finish; }
run_checks "$prog" igmp2 "$NS1" "$NS2" "$IF1" "$IF2" "$ADDR1" "$ADDR2"
finish
