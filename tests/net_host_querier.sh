#!/usr/bin/env bash
# net_host_querier.sh - `ipv4kit host` against `ipv4kit querier` (time-scaled): the querier's state JSON equals what the scenario says at each step (IGMPv3 joins, source blocks, leaves, allows), every answer lies within the query's Max Resp Time, v2 answers of two hosts suppress each other (one report per query and group), and the hosts fall back to v2 on a v2 query and return to v3 after the Older Version Querier Present timeout (RFC 9776: RV x QI + the query's Max Resp Time).
# usage: net_host_querier.sh TOOL SRCDIR THIRD_PARTY_PCAPS   (root; exits 77 without namespaces)
set -u
tool=${1:?usage: net_host_querier.sh TOOL SRCDIR THIRD_PARTY_PCAPS}
src=${2:?}
. "$src/tests/lib/netns.sh"
command -v python3 >/dev/null || skip "python3 is needed to read the JSON"

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

# NS1: ipv4kit host (hosts from 198.18.N.10); NS2: ipv4kit querier at ADDR2. Scale X = 10 of QI
# 20 s, QRI 5 s, LMQI 1 s: real QI 2 s.
netns_setup 2
trap cleanup EXIT
N=$NETNS_SUBNET X=10
S1="198.18.$N.101" S2="198.18.$N.102" S3="198.18.$N.103"
ip netns exec "$NS2" sysctl -qw net.ipv4.igmp_link_local_mcast_reports=0
ip netns exec "$NS1" sysctl -qw net.ipv4.igmp_link_local_mcast_reports=0
state=$tmp/state.json events=$tmp/events.json
querier() { # querier [ARGS...]
	rm -f "$state"
	ip netns exec "$NS2" "$tool" querier -i "$IF2" --query-interval 20 --query-response-interval 5 \
		--last-member-interval 1 --time-scale "$X" --state "$state" --state-interval 0.05 \
		"$@" >/dev/null 2>>"$tmp/q.err" &
	QPID=$!
}
stop_querier() { kill "$QPID" 2>/dev/null; wait "$QPID" 2>/dev/null; QPID=; }
host() { # host NHOSTS DURATION [ARGS...]
	rm -f "$events"
	ip netns exec "$NS1" "$tool" host -i "$IF1" --hosts "$1" --first-address "198.18.$N.10" \
		--time-scale "$X" --seed 11 --duration "$2" --events "$events" --json "${@:3}" \
		>"$tmp/h.out" 2>>"$tmp/h.err" &
	HPID=$!
}
st_wait() { python3 "$src/tests/lib/qstate.py" wait "$1" "$2" "$state"; }
# ev EXPR: Python over E (the host's event log) and R (its final report); helpers below
ev() {
	python3 - "$events" "$tmp/h.out" "$1" <<'EOF'
import json, sys
E = []
for x in open(sys.argv[1]):
    try: E.append(json.loads(x))
    except ValueError: pass
try: R = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
except (ValueError, IndexError): R = {}
Q = [e for e in E if e['event'] == 'heard' and e['message'] == 'query']
A = [e for e in E if e['event'] == 'send' and e['report'] == 'answer']
def within_mrt():
    # every answer follows a query for its group (or a general one) by at most its Max Resp Time
    bad = [a for a in A if not [q for q in Q if (a["group"] == "0.0.0.0" or q["group"] in ("0.0.0.0", a["group"]))
                                and q['clock_ms'] <= a['clock_ms'] <= q['clock_ms'] + q['max_resp_ms'] + 20]]
    if bad: sys.stderr.write('  answers outside every Max Resp Time: %s\n' % bad[:3])
    return A and not bad
def per_query(groups):
    # answers to each general query, per group, until the next query: exactly one each
    G = [q for q in Q if q['group'] == '0.0.0.0']
    out = []
    for i, q in enumerate(G[:-1]):
        n = [len([a for a in A if a['group'] == g and q['clock_ms'] <= a['clock_ms'] < G[i + 1]['clock_ms']]) for g in groups]
        out.append(n)
    if any(n != [1] * len(groups) for n in out): sys.stderr.write('  answers per query: %s\n' % out)
    return len(out) >= 2 and all(n == [1] * len(groups) for n in out)
v = eval("(" + sys.argv[3] + "\n)")
if not v: sys.stderr.write('  expression: %s\n  report: %s\n' % (sys.argv[3], json.dumps(R)[:1500]))
sys.exit(0 if v else 1)
EOF
}
FW="lambda g: sorted(x['source'] for x in G(g)['sources'] if x['forwarding'])"

# ---- IGMPv3: the querier's state follows the scenario step by step ----
querier
sleep 0.5
cat >"$tmp/v3.scn" <<EOF
0.3 0-1 join  239.1.1.1
0.3 2   join  232.1.1.1@$S1,$S2
0.3 3   join  239.1.1.2!$S3
2.5 2   block 232.1.1.1@$S2
2.5 0   leave 239.1.1.1
4.5 1   leave 239.1.1.1
4.5 3   allow 239.1.1.2@$S3
EOF
host 4 6.5 --scenario "$tmp/v3.scn"
check "step 1: three groups, modes and sources as joined" st_wait 2 \
	"names() == ['232.1.1.1', '239.1.1.1', '239.1.1.2'] and G('239.1.1.1')['filter_mode'] == 'exclude' and G('232.1.1.1')['filter_mode'] == 'include' and ($FW)('232.1.1.1') == ['$S1', '$S2'] and G('239.1.1.2')['filter_mode'] == 'exclude' and SRC('239.1.1.2', '$S3')['forwarding'] is False"
sleep 2 # to 2.8 s
check "step 2: the blocked source is gone, the group one host left stays" st_wait 1.5 \
	"names() == ['232.1.1.1', '239.1.1.1', '239.1.1.2'] and G('232.1.1.1')['filter_mode'] == 'include' and ($FW)('232.1.1.1') == ['$S1'] and SRC('232.1.1.1', '$S2') is None"
check "step 3: the last leave removes 239.1.1.1; allowing the excluded source forwards it" st_wait 3 \
	"names() == ['232.1.1.1', '239.1.1.2'] and G('239.1.1.2')['filter_mode'] == 'exclude' and SRC('239.1.1.2', '$S3') is not None and SRC('239.1.1.2', '$S3')['forwarding'] is True"
wait "$HPID"
HPID=
check "v3: every answer within its query's Max Resp Time" ev "within_mrt()"
check "v3: reports were v3, no finding" ev \
	"{e['version'] for e in E if e['event'] == 'send'} == {3} and R['counters']['findings'] == 0 and R['compat_version'] == 3"
stop_querier

# ---- IGMPv2: two hosts on two groups, one answer per query and group ----
querier -V 2
host 2 5 --join 239.3.3.3 --join 239.3.3.4
check "v2: the querier holds both groups" st_wait 3 "names() == ['239.3.3.3', '239.3.3.4']"
wait "$HPID"
HPID=
check "v2: one answer per general query and group (the other host's is suppressed)" ev \
	"per_query(['239.3.3.3', '239.3.3.4']) and R['counters']['suppressed'] >= 2"
check "v2: answers were v2 reports within Max Resp Time" ev \
	"within_mrt() and {a['version'] for a in A} == {2} and R['compat_version'] == 2"
stop_querier

# ---- fallback to v2 on a v2 query, back to v3 after the Older Version Querier Present timeout ----
# at X = 50: the v2 query's 1 s Max Resp Time is 50 s on the machine clock, RV x QI + 50 s is at
# most 300 s (QI 125 s when the hosts keep their own), 6 s real
X=50
querier
host 1 10 --join 239.4.4.4
sleep 1.5
ip netns exec "$NS2" "$tool" craft -i "$IF2" ip src="198.18.$N.200" igmp2-query mrt=10 >/dev/null 2>>"$tmp/q.err"
wait "$HPID"
HPID=
check "fallback: v3 -> v2 on the v2 query, v2 -> v3 after RV x QI + MRT (machine clock)" ev \
	"[(c['old'], c['new']) for c in E if c['event'] == 'compat'] == [(3, 2), (2, 3)] and (lambda d, want: want <= d <= want + 300)([c for c in E if c['event'] == 'compat'][1]['clock_ms'] - [q for q in Q if q['version'] == 2][0]['clock_ms'], R['robustness'] * R['query_interval_ms'] + 50000)"
check "fallback: reports in v2 mode were v2, after the return v3" ev \
	"(lambda c: [e for e in E if e['event'] == 'send' and c[0] < e['clock_ms'] < c[1] and e['version'] != 2] == [] and [e for e in E if e['event'] == 'send' and e['clock_ms'] > c[1]] and [e for e in E if e['event'] == 'send' and e['clock_ms'] > c[1] and e['version'] != 3] == [])([c['clock_ms'] for c in E if c['event'] == 'compat'])"
stop_querier

[ $fail -eq 0 ] || { echo "--- host stderr"; cat "$tmp/h.err"; echo "--- querier stderr"; cat "$tmp/q.err"; }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
exit $?
