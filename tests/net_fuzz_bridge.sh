#!/usr/bin/env bash
# net_fuzz_bridge.sh - `ipv4kit fuzz --mode igmp-router` against the Linux bridge as querier and snooping switch: the bridge answers the report-and-leave probe with a group-specific query before and after 20,000 mutated reports and leaves, and its per-port "IGMP parse errors" counter (mcast_stats_enabled) shows that malformed ones reached its IGMP code, while valid ones were counted as reports and leaves.
# usage: net_fuzz_bridge.sh TOOL SRCDIR [THIRD_PARTY_PCAPS]   (root; exits 77 without namespaces)
set -u
tool=${1:?usage: net_fuzz_bridge.sh TOOL SRCDIR}
src=${2:?usage: net_fuzz_bridge.sh TOOL SRCDIR}
. "$src/tests/lib/netns.sh"
. "$src/tests/lib/fragile.sh"
command -v python3 >/dev/null || skip "python3 is needed to read the report"
netns_setup 3
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
BR="ipk-$$-br"
BRADDR="198.18.$NETNS_SUBNET.100"
ip -n "$BR" addr add "$BRADDR/24" dev br0
ip -n "$BR" link set br0 type bridge mcast_snooping 1 mcast_querier 1 mcast_igmp_version 3 \
	mcast_query_use_ifaddr 1 mcast_stats_enabled 1 mcast_last_member_interval 10 ||
	skip "this bridge does not take the multicast querier and statistics options"
# xs WORD: a per-port counter of port1 (the fuzzer's port) from the bridge's IGMP statistics
xs() {
	ip netns exec "$BR" ip link xstats type bridge_slave dev port1 | tr -s ' ' |
		python3 -c '
import re, sys
t = sys.stdin.read()
w = sys.argv[1]
if w == "parse": m = re.search(r"IGMP parse errors: (\d+)", t); print(m.group(1) if m else -1)
elif w == "leaves": m = re.search(r"IGMP leaves: RX: (\d+)", t); print(m.group(1) if m else -1)
else: m = re.search(r"IGMP reports:\s*RX: v1 (\d+) v2 (\d+) v3 (\d+)", t); print(sum(map(int, m.groups())) if m else -1)' "$1"
}
[ "$(xs parse)" -ge 0 ] 2>/dev/null || skip "ip link xstats shows no IGMP counters for a bridge port"
sleep 0.5
p0=$(xs parse) r0=$(xs reports) l0=$(xs leaves)
timeout 50 ip netns exec "$NS1" "$tool" fuzz -i "$IF1" --target "$BRADDR" --mode igmp-router \
	--seed 21 --count 20000 --probe-every 1000 --probe-wait 0.5 --out "$tmp" --json \
	>"$tmp/r.json" 2>"$tmp/r.err"
rc=$?
cat "$tmp/r.err" "$tmp/r.json"
p1=$(xs parse) r1=$(xs reports) l1=$(xs leaves)
echo "# port1: parse errors $p0 -> $p1, reports $r0 -> $r1, leaves $l0 -> $l1"
check "the bridge answered every report-and-leave probe: exit 0 ($rc)" [ "$rc" -eq 0 ]
check "20,000 sent, alive at the end" pyq "$tmp/r.json" \
	"not R['down'] and R['sent'] == 20000 and R['probes'] >= 20 and R['mode'] == 'igmp-router'"
check "malformed reports reached the bridge's IGMP code (parse errors $p0 -> $p1)" [ "$p1" -gt "$p0" ]
check "valid ones were taken as reports ($r0 -> $r1) and leaves ($l0 -> $l1)" \
	eval "[ $r1 -gt $r0 ] && [ $l1 -gt $l0 ]"
finish
