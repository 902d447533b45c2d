#!/usr/bin/env bash
# net_querier_igmpproxy.sh - `ipv4kit querier` and igmpproxy (an IGMPv2-only proxy that queries its downstream links) on one link, in a qemu guest where the kernel routes multicast: its query from a lower address makes us non-querier (RFC 3376/9776 6.6.2), and our state JSON and igmpproxy's routing table agree on a kernel host's joins and leave.
# usage: net_querier_igmpproxy.sh TOOL SRCDIR THIRD_PARTY_PCAPS   (root; exits 77 without igmpproxy, qemu or the guest)
set -u
tool=${1:?usage: net_querier_igmpproxy.sh TOOL SRCDIR THIRD_PARTY_PCAPS}
src=${2:?}
build=$(cd "$(dirname "$tool")/.." && pwd)
. "$src/tests/lib/netns.sh"
. "$src/tests/lib/vm.sh"
command -v igmpproxy >/dev/null || skip "igmpproxy is not installed (apt-get install igmpproxy)"
command -v python3 >/dev/null || skip "python3 is needed to read the state JSON"
vm_need_mroute 400 "$0" "$@"

pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
check() { local name=$1; shift; if "$@"; then ok; echo "ok ${SECONDS} s: $name"; else bad "$name"; fi; }

tmp=$(mktemp -d)
QPID= IPID= H1= H2=
cleanup() {
	for p in $QPID $IPID $H1 $H2; do kill "$p" 2>/dev/null; done
	netns_cleanup
	rm -rf "$tmp"
}
trap cleanup EXIT

# NS1 (ADDR1, veth1): ipv4kit querier; NS2 (ADDR2, veth2): a kernel host; NS3 (ADDR3, veth3):
# igmpproxy with veth3 downstream and up0 (a veth pair of its own) upstream. igmpproxy 0.3 has no
# setting for its query interval (125 s after a few irregular startup queries) and speaks IGMPv2
# only, so the host falls back to v2 and so do our group records.
netns_setup 3
trap cleanup EXIT
HIGH="198.18.$NETNS_SUBNET.200"
X=25
ip netns exec "$NS1" sysctl -qw net.ipv4.igmp_link_local_mcast_reports=0
ip netns exec "$NS2" sysctl -qw net.ipv4.conf.veth2.igmpv2_unsolicited_report_interval=100
ip -n "$NS3" link add up0 type veth peer name up1
ip -n "$NS3" addr add "198.19.$NETNS_SUBNET.1/24" dev up0
ip -n "$NS3" link set up0 up
ip -n "$NS3" link set up1 up
cat >"$tmp/igmpproxy.conf" <<EOC
quickleave
phyint up0 upstream ratelimit 0 threshold 1
	altnet 198.18.0.0/15
phyint veth3 downstream ratelimit 0 threshold 1
phyint up1 disabled
EOC

state=$tmp/state.json events=$tmp/events.json log=$tmp/igmpproxy.log
querier() { # querier [ARGS...]: start ipv4kit querier in NS1
	rm -f "$state" "$events"
	ip netns exec "$NS1" "$tool" querier -i "$IF1" --time-scale $X --state "$state" \
		--state-interval 0.05 --events "$events" --json "$@" >"$tmp/q.out" 2>>"$tmp/q.err" &
	QPID=$!
}
stop_querier() { kill "$QPID" 2>/dev/null; wait "$QPID" 2>/dev/null; QPID=; }
# wait T EXPR: wait up to T seconds until the Python expression holds over S (our state), E (our
# event log), R (the groups in igmpproxy's last routing table dump, 224.0.0.x left out),
# ours() (our groups, sorted); prints them when it does not
cat >"$tmp/w.py" <<'EOP'
import json, re, sys, time
T, expr, state, events, log = float(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
def ours(): return sorted(g['group'] for g in S['groups'])
def routes(lines):
    at = max([i for i, x in enumerate(lines) if 'Current routing table' in x] or [-1])
    if at < 0: return None
    out = []
    for x in lines[at + 1:]:
        if x.startswith('---'): continue
        m = re.search(r'#\d+: Dst: ([0-9.]+),', x)
        if not m: break
        if not m.group(1).startswith('224.0.0.'): out.append(m.group(1))
    return sorted(out)
t0 = time.time(); S = E = R = None
while True:
    v = None
    try:
        S = json.load(open(state))
        E = [json.loads(x) for x in open(events) if x.endswith('\n')]
        try: R = routes(open(log, errors='replace').read().splitlines())
        except OSError: R = None
        v = eval("(" + expr + "\n)")
    except (OSError, ValueError, KeyError, TypeError):
        pass
    if v or time.time() - t0 > T:
        break
    time.sleep(0.1)
if not v:
    sys.stderr.write('  expression: %s\n  state: %s\n  igmpproxy routes: %s\n' % (expr, json.dumps(S)[:1200], R))
sys.exit(0 if v else 1)
EOP
wt() { python3 "$tmp/w.py" "$1" "$2" "$state" "$events" "$log"; }

# ---- we query first, from a higher address; igmpproxy's v2 query wins the election ----
querier --address "$HIGH"
check "alone on the link we are querier" wt 40 "S['querier'] and S['querier_address'] == '$HIGH'"
ip netns exec "$NS3" igmpproxy -d -v -v "$tmp/igmpproxy.conf" >"$log" 2>&1 &
IPID=$!
check "igmpproxy's query ($ADDR3, lower, IGMPv2) makes us non-querier" wt 30 \
	"not S['querier'] and S['querier_address'] == '$ADDR3' and [e for e in E if e['event'] == 'heard' and e['message'] == 'query' and e['from'] == '$ADDR3']"
stop_querier

# ---- we come back with the lower address: we are querier (igmpproxy does not elect and keeps
# querying); the host's joins and its leave reach our state and igmpproxy's routing table alike ----
querier
check "querier at $ADDR1 with igmpproxy on the link" wt 40 "S['querier'] and S['querier_address'] == '$ADDR1'"
ip netns exec "$NS2" "$tool" listen -i "$IF2" -q -t 120 239.1.1.1 >/dev/null 2>&1 &
H1=$!
ip netns exec "$NS2" "$tool" listen -i "$IF2" -q -t 120 239.1.1.2 >/dev/null 2>&1 &
H2=$!
check "the host's joins reach our state as IGMPv2 groups (igmpproxy made it fall back)" wt 20 \
	"ours() == ['239.1.1.1', '239.1.1.2'] and all(g['compat_version'] == 2 for g in S['groups'])"
check "igmpproxy's routing table has the same groups" wt 10 "R == ours() == ['239.1.1.1', '239.1.1.2']"
kill "$H2"; wait "$H2" 2>/dev/null; H2=
# a v2 leave: we query the group (LMQC x LMQI = 2 s at scale $X: 0.08 s) and drop it;
# igmpproxy (quickleave) sends its own group queries (Max Resp Time 10 s) and drops the route
check "after the host's leave we drop 239.1.1.2" wt 10 "ours() == ['239.1.1.1']"
check "igmpproxy's routing table drops it too" wt 40 "R == ours() == ['239.1.1.1']"
check "we stayed querier throughout" wt 0 "S['querier'] and S['counters']['elections'] == 0"
stop_querier

if [ $fail -ne 0 ]; then
	echo "--- querier stderr"; cat "$tmp/q.err"
	echo "--- igmpproxy log"; grep -v '^$' "$log" | tail -40
fi
echo "$pass passed, $fail failed (${SECONDS} s in the guest)"
[ "$fail" -eq 0 ]
exit $?
