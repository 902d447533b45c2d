#!/usr/bin/env bash
# net_host_igmpproxy.sh - `ipv4kit host` against igmpproxy (an IGMPv2-only proxy that queries its downstream links) in a qemu guest where the kernel routes multicast: the emulated hosts fall back to IGMPv2 on its queries, answer with one report per group (suppression between them), its routing table lists exactly their groups, and the last reporter's single Leave removes a group.
# usage: net_host_igmpproxy.sh TOOL SRCDIR THIRD_PARTY_PCAPS   (root; exits 77 without igmpproxy, qemu or the guest)
set -u
tool=${1:?usage: net_host_igmpproxy.sh TOOL SRCDIR THIRD_PARTY_PCAPS}
src=${2:?}
build=$(cd "$(dirname "$tool")/.." && pwd)
. "$src/tests/lib/netns.sh"
. "$src/tests/lib/vm.sh"
command -v igmpproxy >/dev/null || skip "igmpproxy is not installed (apt-get install igmpproxy)"
command -v python3 >/dev/null || skip "python3 is needed to read the event log"
vm_need_mroute 300 "$0" "$@"

pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
check() { local name=$1; shift; if "$@"; then ok; echo "ok ${SECONDS} s: $name"; else bad "$name"; fi; }

tmp=$(mktemp -d)
HPID= IPID=
cleanup() {
	for p in $HPID $IPID; do kill "$p" 2>/dev/null; done
	netns_cleanup
	rm -rf "$tmp"
}
trap cleanup EXIT

# NS1 (veth1): ipv4kit host, three emulated hosts from .50; NS2 (ADDR2, veth2): igmpproxy with
# veth2 downstream and up0 (a veth pair of its own) upstream. igmpproxy 0.3 queries in IGMPv2
# only, first at its start, then at irregular intervals (it has no setting for them).
netns_setup 2
trap cleanup EXIT
N=$NETNS_SUBNET
FIRST="198.18.$N.50"
ip -n "$NS2" link add up0 type veth peer name up1
ip -n "$NS2" addr add "198.19.$N.1/24" dev up0
ip -n "$NS2" link set up0 up
ip -n "$NS2" link set up1 up
cat >"$tmp/igmpproxy.conf" <<EOC
quickleave
phyint up0 upstream ratelimit 0 threshold 1
	altnet 198.18.0.0/15
phyint veth2 downstream ratelimit 0 threshold 1
phyint up1 disabled
EOC
log=$tmp/igmpproxy.log events=$tmp/events.json
ip netns exec "$NS2" igmpproxy -d -v -v "$tmp/igmpproxy.conf" >"$log" 2>&1 &
IPID=$!

# every host joins 239.1.1.1, hosts 1-2 also 239.1.1.2; both leave 239.1.1.2 at 30 s
LEAVE_AT=30
printf '%s 1-2 leave 239.1.1.2\n' "$LEAVE_AT" >"$tmp/scenario"
ip netns exec "$NS1" "$tool" host -i "$IF1" --hosts 3 --first-address "$FIRST" --seed 5 \
	--join 239.1.1.1 --join 1-2:239.1.1.2 --scenario "$tmp/scenario" --events "$events" \
	--duration 300 >"$tmp/h.out" 2>"$tmp/h.err" &
HPID=$!
t0=$(date +%s.%N)

# w T EXPR: wait up to T seconds until the Python expression holds over R (the groups of
# igmpproxy's last routing table dump, 224.0.0.x left out), RS (every dump, in order), E (our
# event log), Q (igmpproxy's queries we heard), S(kind) (our sends of that kind), now (seconds
# since the start)
cat >"$tmp/w.py" <<EOP
import json, re, sys, time
T, expr = float(sys.argv[1]), sys.argv[2]
t0 = $t0
def dumps(lines):  # every routing table igmpproxy printed, in order, 224.0.0.x left out
    out, cur = [], None
    for x in lines:
        if 'Current routing table' in x:
            cur = []
            out.append(cur)
            continue
        if cur is None or x.startswith('---'): continue
        m = re.search(r'#\d+: Dst: ([0-9.]+),', x)
        if not m:
            cur = None
            continue
        if not m.group(1).startswith('224.0.0.'): cur.append(m.group(1))
    return [sorted(d) for d in out]
start = time.time()
while True:
    RS = dumps(open('$log', errors='replace').read().splitlines())
    R = RS[-1] if RS else None
    E = []
    for x in open('$events'):
        try: E.append(json.loads(x))
        except ValueError: pass
    Q = [e for e in E if e['event'] == 'heard' and e.get('from') == '$ADDR2' and 'query' in e.get('message', '')]
    S = lambda kind: [e for e in E if e['event'] == 'send' and e.get('report') == kind]
    now = time.time() - t0
    v = eval("(" + expr + "\n)")
    if v or time.time() - start >= T: break
    time.sleep(0.3)
if not v:
    sys.stderr.write('  expression: %s\n  routes %s\n  queries %s\n  sends %s\n  now %.1f s\n' % (expr, R, [(round(q['ts'] - t0, 2), q.get('message'), q.get('version')) for q in Q], [(round(e['ts'] - t0, 2), e['host'], e['report'], e.get('message'), e.get('group')) for e in E if e['event'] == 'send'], now))
sys.exit(0 if v else 1)
EOP
w() { python3 "$tmp/w.py" "$@"; }

check "igmpproxy's IGMPv2 query puts the hosts in v2 mode" w 25 \
	"Q and [e for e in E if e['event'] == 'compat' and e['new'] == 2]"
# (a dump before the leave: the table may already have moved on when this looks)
check "igmpproxy's routing table lists exactly our two groups" w 20 \
	"['239.1.1.1', '239.1.1.2'] in RS and all(set(d) <= {'239.1.1.1', '239.1.1.2'} for d in RS)"
# per query, at most one answer per group: the host whose timer fires first reports, the others
# hear it (on the same link) and cancel theirs (RFC 2236 3)
check "the answers to its queries are v2 reports, at most one per group per query (the rest suppressed)" w 15 \
	"len(Q) >= 2 and len(S('answer')) >= 2 and all(e['version'] == 2 for e in S('answer')) and [e for e in E if e['event'] == 'suppress'] and all(len([a for a in S('answer') if a['group'] == g and Q[i]['ts'] <= a['ts'] < (Q[i + 1]['ts'] if i + 1 < len(Q) else 1e18)]) <= 1 for i in range(len(Q)) for g in ('239.1.1.1', '239.1.1.2'))"
check "after hosts 1-2 leave 239.1.1.2, exactly one v2 Leave (the last reporter's) to 224.0.0.2" w $((LEAVE_AT + 10)) \
	"now >= $LEAVE_AT + 2 and len(S('leave')) == 1 and S('leave')[0]['to'] == '224.0.0.2' and S('leave')[0]['group'] == '239.1.1.2' and S('leave')[0]['host'] in (1, 2)"
check "igmpproxy (quickleave) drops 239.1.1.2 and keeps 239.1.1.1" w 30 "R == ['239.1.1.1']"
kill "$HPID"; wait "$HPID" 2>/dev/null; HPID=

if [ $fail -ne 0 ]; then
	echo "--- host stderr"; tail -20 "$tmp/h.err"
	echo "--- igmpproxy log"; grep -v '^$' "$log" | tail -40
fi
echo "$pass passed, $fail failed (${SECONDS} s in the guest)"
[ "$fail" -eq 0 ]
exit $?
