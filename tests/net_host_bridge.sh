#!/usr/bin/env bash
# net_host_bridge.sh - `ipv4kit host` behind a Linux bridge that is querier and snooping switch (IGMPv3, then IGMPv2): the bridge's mdb lists exactly the emulated hosts' groups (and v3 sources) on their port and follows the leaves; with --traffic and a sender on another port, join and leave delays are measured and the data stops after the leave (RFC 3918).
# usage: net_host_bridge.sh TOOL SRCDIR THIRD_PARTY_PCAPS   (root; exits 77 without namespaces)
set -u
tool=${1:?usage: net_host_bridge.sh TOOL SRCDIR THIRD_PARTY_PCAPS}
src=${2:?}
. "$src/tests/lib/netns.sh"
command -v python3 >/dev/null || skip "python3 is needed to read the JSON"
command -v bridge >/dev/null || skip "iproute2's bridge command is not installed"

pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
check() { local name=$1; shift; if "$@"; then ok; else bad "$name"; fi; }

tmp=$(mktemp -d)
HPID= SPIDS=
cleanup() {
	[ -n "$HPID" ] && kill "$HPID" 2>/dev/null
	for p in $SPIDS; do kill "$p" 2>/dev/null; done
	netns_cleanup
	rm -rf "$tmp"
}
trap cleanup EXIT

# NS1 (port1): ipv4kit host; NS2 (port2): the multicast sender; br0 in $BR: querier (address
# BRADDR) and snooping switch. Bridge times (centiseconds): query interval 2 s, response
# interval 1 s, last member interval 0.2 s x 2, membership interval 20 s (a group that loses its
# last member through a Leave goes within about a second; by timeout only after 20 s).
netns_setup 3
trap cleanup EXIT
BR="ipk-$$-br"
N=$NETNS_SUBNET
BRADDR="198.18.$N.100"
ip -n "$BR" addr add "$BRADDR/24" dev br0
ip -n "$BR" link set br0 type bridge mcast_snooping 1 mcast_query_use_ifaddr 1 \
	mcast_query_interval 200 mcast_query_response_interval 100 mcast_startup_query_interval 50 \
	mcast_last_member_interval 20 mcast_last_member_count 2 mcast_membership_interval 2000 \
	mcast_querier_interval 2000 ||
	skip "this bridge does not take the multicast querier options"
ip netns exec "$NS1" sysctl -qw net.ipv4.igmp_link_local_mcast_reports=0

stats=$tmp/stats.json events=$tmp/events.json
host() { # host SCENARIO [ARGS...]: start ipv4kit host in NS1, 4 hosts from 198.18.N.10
	rm -f "$stats" "$events"
	ip netns exec "$NS1" "$tool" host -i "$IF1" --hosts 4 --first-address "198.18.$N.10" \
		--mac-base 02:00:5e:10:00:00 --seed 7 --scenario "$1" --stats "$stats" \
		--events "$events" --json "${@:2}" >"$tmp/h.out" 2>>"$tmp/h.err" &
	HPID=$!
}
stop_host() { kill "$HPID" 2>/dev/null; wait "$HPID" 2>/dev/null; HPID=; }
sender() { # sender GROUP: 200 datagrams a second from NS2 to GROUP for 30 s at most
	ip netns exec "$NS2" "$tool" send -i "$IF2" -r 200 -c 6000 -s 32 "$1" >/dev/null 2>&1 &
	SPIDS="$SPIDS $!"
}
stop_senders() { for p in $SPIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; SPIDS=; }
# mdb_wait SECONDS EXPR: until EXPR holds over M, the set of (group, source or '') the bridge
# lists on port1 (link-local groups aside)
mdb_wait() {
	python3 - "$BR" "$1" "$2" <<'EOF'
import json, subprocess, sys, time
ns, T, expr = sys.argv[1], float(sys.argv[2]), sys.argv[3]
t0 = time.time()
while True:
    out = subprocess.run(['ip', 'netns', 'exec', ns, 'bridge', '-j', '-d', 'mdb', 'show', 'dev', 'br0'],
                         capture_output=True, text=True).stdout
    M = set()
    for blk in json.loads(out or '[]'):
        for e in blk.get('mdb', []):
            if e.get('port') == 'port1' and not e['grp'].startswith('224.0.0.'):
                M.add((e['grp'], e.get('src', '')))
    if eval(expr):
        sys.exit(0)
    if time.time() - t0 > T:
        sys.stderr.write('  expression: %s\n  mdb port1: %s\n' % (expr, sorted(M)))
        sys.exit(1)
    time.sleep(0.05)
EOF
}
# js EXPR: Python over R (the final --json report) and E (the event log)
js() {
	python3 - "$tmp/h.out" "$events" "$1" <<'EOF'
import json, sys
R = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
E = []
for x in open(sys.argv[2]):
    try: E.append(json.loads(x))
    except ValueError: pass
v = eval("(" + sys.argv[3] + "\n)")
if not v:
    sys.stderr.write('  expression: %s\n  report: %s\n' % (sys.argv[3], json.dumps(R)[:2000]))
sys.exit(0 if v else 1)
EOF
}

# ---- IGMPv3: any-source and source-specific groups, leaves, data through the bridge ----
ip -n "$BR" link set br0 type bridge mcast_igmp_version 3 mcast_querier 1
sleep 1.2 # the bridge's startup queries: a querier exists, so unknown groups are not flooded
S1="198.18.$N.2" S2="198.18.$N.9"
cat >"$tmp/v3.scn" <<EOF
# hosts 0 and 1 share 239.1.1.1, host 2 has 239.1.1.2, host 3 two sources of 232.1.1.1
0.5 0-1 join 239.1.1.1
0.5 2   join 239.1.1.2
0.5 3   join 232.1.1.1@$S1,$S2
3.5 3   block 232.1.1.1@$S2
4   0   leave 239.1.1.1
4.5 1   leave 239.1.1.1
6   2   leave 239.1.1.2
6   3   leave 232.1.1.1
EOF
sender 239.1.1.1
sender 239.1.1.2
host "$tmp/v3.scn" --traffic --duration 8
check "v3: the mdb lists exactly our groups and sources on port1" mdb_wait 3 \
	"M == {('239.1.1.1', ''), ('239.1.1.2', ''), ('232.1.1.1', ''), ('232.1.1.1', '$S1'), ('232.1.1.1', '$S2')}"
check "v3: a blocked source leaves the mdb" mdb_wait 5 \
	"('232.1.1.1', '$S2') not in M and ('232.1.1.1', '$S1') in M"
check "v3: one host leaving a shared group keeps it" mdb_wait 0.3 "('239.1.1.1', '') in M"
check "v3: the last host leaving removes the group" mdb_wait 2.5 \
	"('239.1.1.1', '') not in M and ('239.1.1.2', '') in M"
check "v3: the last leaves empty port1" mdb_wait 3 "M == set()"
wait "$HPID"
HPID=
stop_senders
check "v3: reports are IGMPv3 from the hosts' own addresses" js \
	"{e['src'] for e in E if e['event'] == 'send'} == {'198.18.$N.%d' % i for i in range(10, 14)} and {e['version'] for e in E if e['event'] == 'send'} == {3}"
check "v3: the bridge's queries are heard and answered" js \
	"R['counters']['rx_queries'] >= 2 and R['counters']['tx_answers'] >= 1 and R['compat_version'] == 3"
check "v3: join delays measured for both data groups; the group without a sender never arrived" js \
	"R['traffic']['join_delay_ms']['count'] == 2 and 0 <= R['traffic']['join_delay_ms']['max'] < 1000 and R['traffic']['never_arrived'] == ['232.1.1.1']"
check "v3: leave delays measured and the data stopped after the leaves" js \
	"R['traffic']['leave_delay_ms']['count'] == 2 and 0 <= R['traffic']['leave_delay_ms']['max'] < 2000 and R['traffic']['still_forwarded'] == []"
check "v3: final state: no host joined, no send error" js \
	"R['hosts_joined'] == 0 and R['groups'] == 0 and R['counters']['tx_errors'] == 0 and R['changes_failed'] == 0"

# ---- IGMPv2: the hosts fall back on the bridge's v2 queries; the Leave removes the group ----
ip -n "$BR" link set br0 type bridge mcast_querier 0
ip -n "$BR" link set br0 type bridge mcast_igmp_version 2 mcast_querier 1
sleep 1
cat >"$tmp/v2.scn" <<EOF
2.5 0 join 239.2.1.1
2.5 1 join 239.2.1.2
2.5 2-3 join 239.2.1.3
5 0 leave 239.2.1.1
5 2-3 leave 239.2.1.3
EOF
sender 239.2.1.1
host "$tmp/v2.scn" --traffic --duration 8
check "v2: the mdb lists exactly our groups on port1" mdb_wait 5 \
	"M == {('239.2.1.1', ''), ('239.2.1.2', ''), ('239.2.1.3', '')}"
check "v2: the Leaves remove the groups" mdb_wait 4 "M == {('239.2.1.2', '')}"
wait "$HPID"
HPID=
stop_senders
check "v2: the hosts fell back to v2 and sent v2 reports and Leaves only" js \
	"R['compat_version'] == 2 and [e for e in E if e['event'] == 'compat' and e['new'] == 2] and {e['version'] for e in E if e['event'] == 'send'} == {2} and R['counters']['tx_leaves'] >= 2"
check "v2: join and leave delay measured, data stopped" js \
	"R['traffic']['join_delay_ms']['count'] == 1 and R['traffic']['leave_delay_ms']['count'] == 1 and R['traffic']['still_forwarded'] == [] and R['traffic']['never_arrived'] == ['239.2.1.2', '239.2.1.3']"

[ $fail -eq 0 ] || { echo "--- host stderr"; cat "$tmp/h.err"; }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
exit $?
