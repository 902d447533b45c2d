#!/usr/bin/env bash
# net_conform_router.sh - `ipv4kit conform router` against ipv4kit's own querier (every check passes or is skipped with a reason) and against the Linux bridge as querier, v3 and v2 (each measured bridge departure comes out as its named check's verdict, nothing else fails); JUnit and one pcap per check agree.
# usage: net_conform_router.sh TOOL SRCDIR THIRD_PARTY_PCAPS   (root; exits 77 without namespaces)
set -u
tool=${1:?usage: net_conform_router.sh TOOL SRCDIR THIRD_PARTY_PCAPS}
src=${2:?}

# ---- the Linux bridge's departures (shared/reference/igmp-peers.md 3.4, 5.6): check (ID or
# name) = the verdict it must give; every other check passes or is skipped with a reason.
#   gq-retransmit-s-flag   Q(G) retransmissions carry S=1 although the group timer was lowered
#                          to LMQT (RFC 3376 6.6.3.1: S=0)
#   gsq-count              only LMQC-1 group-and-source queries reach the wire (RFC 3376 6.6.3.2:
#                          LMQC of them)
#   gq-v2-dst              the v2 group-specific query after a Leave goes to 224.0.0.1, not to
#                          the group (RFC 2236 3)
#   gq-count               the v2 group-specific query is sent once, not LMQC times (RFC 2236 3)
BRIDGE_EXPECT_V3="gq-retransmit-s-flag=fail gsq-count=fail"
BRIDGE_EXPECT_V2="gq-v2-dst=fail gq-count=fail"
# ipk querier: none
QUERIER_EXPECT=""

. "$src/tests/lib/netns.sh"
. "$src/tests/lib/conform.sh"
command -v bridge >/dev/null || skip "iproute2's bridge command is not installed"

tmp=$(mktemp -d)
cleanup() {
	[ -f "$tmp/q.pid" ] && kill "$(cat "$tmp/q.pid")" 2>/dev/null
	netns_cleanup
	rm -rf "$tmp"
}
trap cleanup EXIT
conform_need
failed=0

# ---- (a) ipv4kit querier in NS2 (ADDR2), the suite in NS1 (ADDR1, lower: it wins elections) ----
# QI 3 s, QRI 1 s, LMQI 200 ms, RV 2: SQI 750 ms x 2, GMI 7 s, OQPI 6.5 s, LMQT 400 ms.
netns_setup 2
trap cleanup EXIT
ip netns exec "$NS1" sysctl -qw net.ipv4.igmp_link_local_mcast_reports=0
state=$tmp/q.json
# restart.sh: stop the running querier (bounded) and start a new one; returns once it runs. Its
# output goes to files, never to the caller's pipes (the suite reads the hook's output).
cat >"$tmp/restart.sh" <<EOF
#!/bin/sh
if [ -f '$tmp/q.pid' ]; then
	pid=\$(cat '$tmp/q.pid')
	kill "\$pid" 2>/dev/null
	i=0
	while kill -0 "\$pid" 2>/dev/null && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i + 1)); done
	kill -9 "\$pid" 2>/dev/null
fi
rm -f '$state'
ip netns exec '$NS2' '$tool' querier -i '$IF2' --query-interval 3 --query-response-interval 1 \\
	--last-member-interval 0.2 --state '$state' --state-interval 0.05 \\
	</dev/null >>'$tmp/q.out' 2>>'$tmp/q.err' &
echo \$! >'$tmp/q.pid'
i=0
while [ ! -s '$state' ] && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i + 1)); done
[ -s '$state' ]
EOF
chmod +x "$tmp/restart.sh"
"$tmp/restart.sh" || fail "ipv4kit querier did not start: $(tail -c 300 "$tmp/q.err")"
conform_run querier router --target "$ADDR2" -V 3 --query-interval 3000 --last-member-interval 200 \
	--robustness 2 --state-cmd "cat '$state'" --restart-cmd "'$tmp/restart.sh'"
conform_judge querier "$QUERIER_EXPECT" router || {
	failed=1
	echo "--- querier stderr"
	tail -n 20 "$tmp/q.err"
}
kill "$(cat "$tmp/q.pid")" 2>/dev/null
rm -f "$tmp/q.pid"
netns_cleanup

# ---- (b) the Linux bridge as querier: br0 (BRADDR, higher than the suite's ADDR1) in $BR; the
# suite on port1 (the bridge sends specific queries only out of the port the leave came from).
# Times in centiseconds: QI 3 s, QRI 1 s, LMQI 0.5 s x 2, SQI 0.75 s x 2, GMI 7 s, OQPI 6.5 s.
netns_setup 3
trap cleanup EXIT
BR="ipk-$$-br"
BRADDR="198.18.$NETNS_SUBNET.100"
ip netns exec "$NS1" sysctl -qw net.ipv4.igmp_link_local_mcast_reports=0
ip netns exec "$BR" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.br0.disable_ipv6=1
ip -n "$BR" addr add "$BRADDR/24" dev br0
ip -n "$BR" link set br0 type bridge mcast_snooping 1 mcast_query_use_ifaddr 1 \
	mcast_query_interval 300 mcast_query_response_interval 100 mcast_startup_query_interval 75 \
	mcast_startup_query_count 2 mcast_last_member_interval 50 mcast_last_member_count 2 \
	mcast_membership_interval 700 mcast_querier_interval 650 ||
	skip "this bridge does not take the multicast querier options"
# restart: br0 down and up; the bridge starts over with its startup queries
cat >"$tmp/brrestart.sh" <<EOF
#!/bin/sh
ip -n '$BR' link set br0 down && ip -n '$BR' link set br0 up
EOF
chmod +x "$tmp/brrestart.sh"
for v in 3 2; do
	ip -n "$BR" link set br0 type bridge mcast_igmp_version $v mcast_querier 1
	"$tmp/brrestart.sh"
	sleep 1
	conform_run "bridge-v$v" router --target "$BRADDR" -V $v --query-interval 3000 --last-member-interval 500 \
		--robustness 2 --state-cmd "ip netns exec '$BR' bridge -j mdb show" --restart-cmd "'$tmp/brrestart.sh'"
	eval "expect=\$BRIDGE_EXPECT_V$v"
	conform_judge "bridge-v$v" "$expect" router || failed=1
done

[ $failed -eq 0 ] || { echo "0 passed, 1 failed"; exit 1; }
pass
