#!/usr/bin/env bash
# net_querier_bridge.sh - `ipv4kit querier` and the Linux bridge's querier on one link: the lower address wins the election both ways (RFC 3376/9776 6.6.2), the loser stays quiet for the Other Querier Present interval and takes over after it, and the bridge's mdb agrees with the state JSON on a kernel host's groups.
# usage: net_querier_bridge.sh TOOL SRCDIR THIRD_PARTY_PCAPS   (root; exits 77 without namespaces)
set -u
tool=${1:?usage: net_querier_bridge.sh TOOL SRCDIR THIRD_PARTY_PCAPS}
src=${2:?}
build=$(cd "$(dirname "$tool")/.." && pwd)
. "$src/tests/lib/netns.sh"
command -v python3 >/dev/null || skip "python3 is needed to read the state JSON"
command -v bridge >/dev/null || skip "iproute2's bridge command is not installed"

pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
check() { local name=$1; shift; if "$@"; then ok; else bad "$name"; fi; }

tmp=$(mktemp -d)
QPID= HPID=
cleanup() {
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null
	[ -n "$HPID" ] && kill "$HPID" 2>/dev/null
	netns_cleanup
	rm -rf "$tmp"
}
trap cleanup EXIT

# NS1 (ADDR1, port1): ipv4kit querier; NS2 (port2): a kernel host; br0 in $BR is the bridge
# querier, address BRADDR. Timers at scale X = 20 of QI 40 s, QRI 10 s, LMQI 2 s: real QI 2 s,
# OQPI (RV*QI + QRI/2 = 85 s) 4.25 s. The bridge runs the same real times (centiseconds), so
# the QQIC (2 s) and Max Resp Code (0.5 s) a non-querier adopts from it are the same times.
netns_setup 3
trap cleanup EXIT
BR="ipk-$$-br"
BRADDR="198.18.$NETNS_SUBNET.100"
HIGH="198.18.$NETNS_SUBNET.200"
X=20 OQPI=85000
ip netns exec "$NS1" sysctl -qw net.ipv4.igmp_link_local_mcast_reports=0
ip -n "$BR" addr add "$BRADDR/24" dev br0
ip -n "$BR" link set br0 type bridge mcast_snooping 1 mcast_igmp_version 3 mcast_query_use_ifaddr 1 \
	mcast_query_interval 200 mcast_query_response_interval 50 mcast_querier_interval 425 \
	mcast_startup_query_interval 100 mcast_membership_interval 450 mcast_last_member_interval 10 \
	mcast_stats_enabled 1 ||
	skip "this bridge does not take the multicast querier options"

state=$tmp/state.json events=$tmp/events.json
querier() { # querier [ARGS...]: start ipv4kit querier in NS1
	rm -f "$state" "$events"
	ip netns exec "$NS1" "$tool" querier -i "$IF1" --query-interval 40 --query-response-interval 10 \
		--last-member-interval 2 --time-scale $X --state "$state" --state-interval 0.05 \
		--events "$events" --json "$@" >"$tmp/q.out" 2>>"$tmp/q.err" &
	QPID=$!
}
stop_querier() { kill "$QPID" 2>/dev/null; wait "$QPID" 2>/dev/null; QPID=; }
st_wait() { python3 "$src/tests/lib/qstate.py" wait "$1" "$2" "$state"; }
# ev EXPR: Python over E (the event log), Q (general queries heard from the bridge: their ts),
# M (queries this querier sent: their ts)
ev() {
	python3 - "$events" "$1" <<EOF
import json, sys
E = []
for x in open(sys.argv[1]):
    try: E.append(json.loads(x))
    except ValueError: pass
Q = [e['ts'] for e in E if e['event'] == 'heard' and e['message'] == 'query' and e['from'] == '$BRADDR']
M = [e['ts'] for e in E if e['event'] == 'send' and e['query'] == 'general']
EL = [e for e in E if e['event'] == 'election']
X, OQPI = $X, $OQPI
v = eval("(" + sys.argv[2] + "\n)")
if not v: sys.stderr.write('  expression: %s\n  bridge queries %s\n  ours %s\n  elections %s\n' % (sys.argv[2], Q, M, EL))
sys.exit(0 if v else 1)
EOF
}

# ---- we come with a higher address: the bridge wins, we stay quiet, then take over ----
ip -n "$BR" link set br0 type bridge mcast_querier 1
sleep 1.5
querier --address "$HIGH"
check "a query from the lower-addressed bridge makes us non-querier" st_wait 6 \
	"not S['querier'] and S['querier_address'] == '$BRADDR' and 0 < S['other_querier_present_ms'] <= $OQPI"
sleep 3
check "as non-querier we send no general query" ev \
	"EL and not [t for t in M if t > EL[0]['ts'] + 0.05]"
ip -n "$BR" link set br0 type bridge mcast_querier 0
check "with the bridge silent we take over" st_wait 9 "S['querier'] and S['querier_address'] == '$HIGH'"
check "we took over one OQPI after the bridge's last query (RFC 3376 6.6.2)" ev \
	"len(EL) >= 2 and Q and EL[-1]['querier'] and $OQPI / X / 1000 - 0.3 <= EL[-1]['ts'] - Q[-1] <= $OQPI / X / 1000 + 1.0 and [t for t in M if t >= EL[-1]['ts'] - 0.05]"
stop_querier

# ---- we come with the lower address while the bridge queries: we win, the bridge goes quiet ----
# brtx: v3 queries the bridge has sent out of port1 (its IGMP statistics)
brtx() {
	ip -n "$BR" -j link xstats type bridge_slave dev port1 |
		python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["multicast"]["igmp_queries"]["tx_v3"])'
}
n0=$(brtx)
ip -n "$BR" link set br0 type bridge mcast_querier 1
for i in $(seq 1 40); do [ "$(brtx)" -gt "$n0" ] && break; sleep 0.1; done
check "the bridge queries while alone" [ "$(brtx)" -gt "$n0" ]
querier
check "querier at $ADDR1 with the bridge querying" st_wait 3 "S['querier'] and S['querier_address'] == '$ADDR1'"
sleep 1
n1=$(brtx)
sleep 5.5
n2=$(brtx)
# RFC 3376 6.6.2: the bridge heard a query from a lower address and stopped (two of its query
# intervals passed)
check "the bridge sent no query in the 5.5 s after it heard ours ($n1 -> $n2)" [ "$n1" = "$n2" ]
check "we stay querier with the bridge on the link" st_wait 0.5 "S['querier'] and S['counters']['elections'] == 0"
# a host behind the bridge: its groups in the bridge's mdb (port2) and in our state agree
ip netns exec "$NS2" "$tool" listen -i "$IF2" -q -t 30 239.1.1.1 "232.1.1.1@198.18.$NETNS_SUBNET.9" \
	"239.1.1.2!198.18.$NETNS_SUBNET.50" >/dev/null 2>&1 &
HPID=$!
check "the host's groups reach us through the bridge" st_wait 5 \
	"sorted(g['group'] for g in S['groups']) == ['232.1.1.1', '239.1.1.1', '239.1.1.2']"
sleep 0.3
ip netns exec "$BR" bridge -j -d -s mdb show dev br0 >"$tmp/mdb.json"
check "bridge mdb (port2) and our state agree on groups and filter modes" python3 - "$tmp/mdb.json" "$state" <<'EOF'
import json, sys
mdb = json.load(open(sys.argv[1]))
S = json.load(open(sys.argv[2]))
br = {}
for blk in mdb:
    for e in blk.get('mdb', []):
        if e.get('port') == 'port2' and 'src' not in e and not e['grp'].startswith('224.0.0.'):
            br[e['grp']] = e.get('filter_mode')
ours = {g['group']: g['filter_mode'] for g in S['groups']}
if br != ours:
    sys.stderr.write('  bridge %s\n  ours   %s\n' % (br, ours))
sys.exit(0 if br == ours else 1)
EOF
kill "$HPID" 2>/dev/null
wait "$HPID" 2>/dev/null
HPID=
stop_querier

[ $fail -eq 0 ] || { echo "--- querier stderr"; cat "$tmp/q.err"; }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
exit $?
