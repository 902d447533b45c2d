#!/usr/bin/env bash
# net_conform_igmpproxy.sh - `ipv4kit conform router` against igmpproxy 0.3 (an IGMPv2-only proxy that queries its downstream link) in a qemu guest where the kernel routes multicast: its three measured departures come out as the named checks' verdicts (v2 queries to a v3 suite, no election, 10 s Max Resp Time in its last-member queries).
# usage: net_conform_igmpproxy.sh TOOL SRCDIR THIRD_PARTY_PCAPS   (root; exits 77 without igmpproxy, qemu or the guest)
set -u
tool=${1:?usage: net_conform_igmpproxy.sh TOOL SRCDIR THIRD_PARTY_PCAPS}
src=${2:?}
build=$(cd "$(dirname "$tool")/.." && pwd)

# ---- the runs: NAME VERSION CHECKS EXPECTED (docs/conform-router.md, "Known departures") ----
# igmpproxy has no setting for its query interval: after a start its general queries come 7-23 s
# apart, later 125 s. Each run therefore starts a fresh igmpproxy and tells the suite QI 20 s, so
# every wait for one of its queries falls in the startup phase.
#   R04 a v3 suite hears IGMPv2 queries (it speaks v2 only)
#   R29 it keeps querying after a lower address queried (no election)
#   R19 its last-member queries carry Max Resp Time 10 s, not the 1 s LMQI (quickleave)
RUNS="v3 3 R04 R04=fail
v2elect 2 R29 R29=fail
v2leave 2 R15,R19 R19=fail"

. "$src/tests/lib/netns.sh"
. "$src/tests/lib/vm.sh"
. "$src/tests/lib/conform.sh"
command -v igmpproxy >/dev/null || skip "igmpproxy is not installed (apt-get install igmpproxy)"
vm_need_mroute 400 "$0" "$@"

tmp=$(mktemp -d)
IPID=
cleanup() {
	[ -n "$IPID" ] && kill "$IPID" 2>/dev/null
	netns_cleanup
	rm -rf "$tmp"
}
trap cleanup EXIT
conform_need

# NS1 (ADDR1, lower): the suite; NS2 (ADDR2): igmpproxy, downstream on IF2, upstream on up0 (one
# end of a veth pair of its own)
netns_setup 2
trap cleanup EXIT
ip netns exec "$NS1" sysctl -qw net.ipv4.igmp_link_local_mcast_reports=0
ip -n "$NS2" link add up0 type veth peer name up1
ip -n "$NS2" addr add "198.19.$NETNS_SUBNET.1/24" dev up0
ip -n "$NS2" link set up0 up
ip -n "$NS2" link set up1 up
cat >"$tmp/igmpproxy.conf" <<EOC
quickleave
phyint up0 upstream ratelimit 0 threshold 1
	altnet 198.18.0.0/15
phyint $IF2 downstream ratelimit 0 threshold 1
phyint up1 disabled
EOC

failed=0
while read -r name v only expect; do
	[ -n "$IPID" ] && { kill "$IPID" 2>/dev/null; wait "$IPID" 2>/dev/null; }
	ip netns exec "$NS2" igmpproxy -d -v -v "$tmp/igmpproxy.conf" >"$tmp/igmpproxy.log" 2>&1 &
	IPID=$!
	sleep 1
	kill -0 "$IPID" 2>/dev/null || fail "igmpproxy did not start: $(tail -c 300 "$tmp/igmpproxy.log")"
	conform_run "$name" router --target "$ADDR2" -V "$v" --only "$only" --query-interval 20000 \
		--last-member-interval 1000
	CONFORM_ONLY=$only
	export CONFORM_ONLY
	conform_judge "$name" "$expect" router || {
		failed=1
		echo "--- igmpproxy log (last 30 lines)"
		grep -v '^$' "$tmp/igmpproxy.log" | tail -30
	}
done <<<"$RUNS"
[ $failed -eq 0 ]
exit $?
