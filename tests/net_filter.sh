#!/bin/bash
# net_filter.sh - ICMP type filter and classic BPF filters on real sockets: echo requests and UDP datagrams from a peer namespace vanish and come back (RFC 792).
# Usage: bash tests/net_filter.sh TOOL SRCDIR THIRD_PARTY_PCAPS (the build dir is two levels above TOOL).
tool=$1
src=$2
build=$(cd "$(dirname "$tool")/.." && pwd)
. "$src/tests/lib/netns.sh"

net_require "$build/tests/net_filter"
netns_setup 2
run_checks "$build/tests/net_filter" "$NS1" "$NS2" "$IF1" "$IF2" "$ADDR1" "$ADDR2"
finish
