#!/usr/bin/env bash
# net_querier.sh - `ipv4kit querier` against the Linux kernel as IGMP host (v3, forced v2 and v1): joins, leaves, source filters, blocks and timeouts in the state JSON and the event log, inside RFC 3376/9776 windows at a time scale.
# usage: net_querier.sh TOOL SRCDIR THIRD_PARTY_PCAPS   (root; exits 77 without namespaces)
set -u
tool=${1:?usage: net_querier.sh TOOL SRCDIR THIRD_PARTY_PCAPS}
src=${2:?}
build=$(cd "$(dirname "$tool")/.." && pwd)
. "$src/tests/lib/netns.sh"
command -v python3 >/dev/null || skip "python3 is needed to read the state JSON"
net_require "$build/tests/net_members"

pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
check() { local name=$1; shift; if "$@"; then ok; else bad "$name"; fi; }

tmp=$(mktemp -d)
QPID= MPID=
cleanup() {
	exec 3>&- 2>/dev/null
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null
	[ -n "$MPID" ] && kill "$MPID" 2>/dev/null
	netns_cleanup
	rm -rf "$tmp"
}
trap cleanup EXIT

# expect_usage NAME PATTERN ARGS...: exit 2 and PATTERN in stderr
expect_usage() {
	local name=$1 pat=$2 rc
	shift 2
	"$tool" querier "$@" >"$tmp/o" 2>"$tmp/e"
	rc=$?
	if [ $rc -eq 2 ] && grep -qF -- "$pat" "$tmp/e" && grep -qF "try 'ipv4kit querier --help'" "$tmp/e"; then
		ok
	else
		bad "$name: exit $rc, stderr: $(head -c 300 "$tmp/e")"
	fi
}

# ---- usage errors (no socket is opened for these) ----
"$tool" querier --help >"$tmp/o" 2>&1
check "querier --help exits 0 and names --time-scale" [ $? -eq 0 -a -n "$(grep -e --time-scale "$tmp/o")" ]
expect_usage "no interface" "no interface given (-i IFACE)"
expect_usage "-V 4" "-V: '4' is not a number from 1 to 3" -i lo -V 4
expect_usage "robustness 0" "--robustness: '0' is not a number from 1 to 7" -i lo --robustness 0
expect_usage "QRI >= QI" "must be below the query interval" -i lo --query-interval 10 --query-response-interval 10
expect_usage "v2 QRI over 25.5" "--query-response-interval: '30' is not a number from 0.1 to 25.5" -i lo -V 2 --query-response-interval 30
expect_usage "multicast address" "--address: '224.0.0.1' is not a unicast IPv4 address" -i lo --address 224.0.0.1
expect_usage "scale 0" "--time-scale: '0' is not a number from 0.001 to 1000" -i lo --time-scale 0
expect_usage "--json alone" "--json applies to the event log" -i lo --json
expect_usage "--state-interval alone" "--state-interval needs --state FILE" -i lo --state-interval 1
expect_usage "unknown interface" "unknown interface 'nosuchif0'" -i nosuchif0
expect_usage "extra argument" "unexpected argument 'x'" -i lo x

# ---- namespaces: the querier in NS1 (ADDR1), the Linux kernel as host in NS2 (ADDR2) ----
netns_setup 2
trap cleanup EXIT
ip netns exec "$NS1" sysctl -qw net.ipv4.igmp_link_local_mcast_reports=1   # the querier sets 0
llr() { ip netns exec "$NS1" sysctl -n net.ipv4.igmp_link_local_mcast_reports; }
# the host's state-change retransmissions come 100 ms apart at most (v3 default 1 s, v2 10 s)
ip netns exec "$NS2" sysctl -qw net.ipv4.conf."$IF2".igmpv2_unsolicited_report_interval=100 \
	net.ipv4.conf."$IF2".igmpv3_unsolicited_report_interval=100

# Without CAP_NET_RAW: a clear error, exit 1.
ip netns exec "$NS1" capsh --drop=cap_net_raw -- -c "'$tool' querier -i $IF1 --duration 1" >"$tmp/o" 2>"$tmp/e"
rc=$?
check "no CAP_NET_RAW: exit 1 ($rc), says why: $(head -c 200 "$tmp/e")" \
	[ $rc -eq 1 -a -n "$(grep -F 'CAP_NET_RAW' "$tmp/e")" ]

# The RFC timers at scale X: QI 50 s, QRI 10 s, LMQI 2 s, RV 2 -> GMI 110 s, LMQT 4 s, older host
# present 110 s; X = 20 makes GMI 5.5 s of real time.
X=20 QI=50000 QRI=10000 GMI=110000 LMQT=4000
SRC100="198.18.$NETNS_SUBNET.100" SRC50="198.18.$NETNS_SUBNET.50" SRC60="198.18.$NETNS_SUBNET.60"
state=$tmp/state.json events=$tmp/events.json
ip netns exec "$NS1" "$tool" querier -i "$IF1" --query-interval 50 --query-response-interval 10 \
	--last-member-interval 2 --time-scale $X --state "$state" --state-interval 0.05 \
	--events "$events" --json >"$tmp/q.out" 2>"$tmp/q.err" &
QPID=$!

# The state checker: wait up to T seconds until the Python expression holds over the state
# (S the object, G(a) a group or None, SRC(a, s) a source or None, names() the group list); "hold"
# instead asserts it holds at every read for T seconds. Prints the state when it fails.
st_wait() { python3 "$src/tests/lib/qstate.py" wait "$1" "$2" "$state"; }
st_hold() { python3 "$src/tests/lib/qstate.py" hold "$1" "$2" "$state"; }
# ev EXPR: a Python expression over E, the event log (one dict per line), and the constants
ev() {
	python3 - "$events" "$1" <<EOF
import json, sys
E = []
for x in open(sys.argv[1]):
    try: E.append(json.loads(x))
    except ValueError: pass
X, QI, QRI, GMI, LMQT = $X, $QI, $QRI, $GMI, $LMQT
def first(**kw): return next((e for e in E if all(e.get(k) == v for k, v in kw.items())), None)
def last(**kw): return next((e for e in reversed(E) if all(e.get(k) == v for k, v in kw.items())), None)
v = eval("(" + sys.argv[2] + "\n)")
if not v: sys.stderr.write('  expression: %s\n' % sys.argv[2])
sys.exit(0 if v else 1)
EOF
}
members() { # start the host's member program reading commands from fd 3
	rm -f "$tmp/cmd"
	mkfifo "$tmp/cmd"
	ip netns exec "$NS2" "$build/tests/net_members" "$IF2" <"$tmp/cmd" >>"$tmp/members.out" 2>&1 &
	MPID=$!
	exec 3>"$tmp/cmd"
}
say() { echo "$1" >&3; }

check "querier starts as querier of $ADDR1" st_wait 5 "S['querier'] and S['address'] == '$ADDR1' and S['querier_address'] == '$ADDR1' and S['interface'] == '$IF1' and S['version'] == 3"
check "while it runs, its host does not report link-local groups" [ "$(llr)" = 0 ]
# startup: SQC (2) general queries SQI (QI/4 = 12.5 s, 0.625 s real) apart, then every QI
check "startup queries" st_wait 3 "S['counters']['tx_general'] >= 2"
check "startup queries are v3 general queries with scaled times" ev \
	"[e for e in E if e['event'] == 'send'][0]['query'] == 'general' and first(event='send')['qrv'] == 2"

# ---- v3 host: ASM, SSM include, exclude with a source, block/unblock ----
members
say "asm 239.1.1.1"
say "ssm $SRC100 232.1.1.1"
say "asm 239.1.1.2"
say "block $SRC50 239.1.1.2"
say "asm 239.1.1.3"
check "v3 joins appear exactly (4 groups, no 224.0.0.x)" st_wait 5 "names() == ['232.1.1.1', '239.1.1.1', '239.1.1.2', '239.1.1.3']
 and G('239.1.1.1')['filter_mode'] == 'exclude' and G('239.1.1.1')['sources'] == [] and G('239.1.1.1')['compat_version'] == 3
 and 0 < G('239.1.1.1')['group_timer_ms'] <= $GMI and G('239.1.1.1')['v1_host_timer_ms'] == 0 and G('239.1.1.1')['v2_host_timer_ms'] == 0
 and G('232.1.1.1')['filter_mode'] == 'include' and G('232.1.1.1')['group_timer_ms'] == 0
 and [s['source'] for s in G('232.1.1.1')['sources']] == ['$SRC100'] and SRC('232.1.1.1', '$SRC100')['forwarding'] and 0 < SRC('232.1.1.1', '$SRC100')['timer_ms'] <= $GMI
 and G('239.1.1.2')['filter_mode'] == 'exclude' and G('239.1.1.2')['sources'] == [{'source': '$SRC50', 'timer_ms': 0, 'forwarding': False}]
 and G('239.1.1.3')['filter_mode'] == 'exclude' and G('239.1.1.3')['sources'] == []"

say "block $SRC60 239.1.1.3"
check "block: the source is excluded after a group-and-source query" st_wait 3 \
	"G('239.1.1.3')['sources'] == [{'source': '$SRC60', 'timer_ms': 0, 'forwarding': False}]"
check "block: Q(G,S) for 239.1.1.3 {$SRC60} was sent" ev \
	"any(e['event'] == 'send' and e['group'] == '239.1.1.3' and e['sources'] == ['$SRC60'] for e in E)"
say "unblock $SRC60 239.1.1.3"
check "unblock: the source is forwarded again (or gone after the next report)" st_wait 3 \
	"G('239.1.1.3') is not None and (SRC('239.1.1.3', '$SRC60') is None or SRC('239.1.1.3', '$SRC60')['forwarding'])"

say "ssmleave $SRC100 232.1.1.1"
check "SSM leave: 232.1.1.1 removed" st_wait 3 "G('232.1.1.1') is None"
say "leave 239.1.1.1"
check "ASM leave: 239.1.1.1 removed" st_wait 3 "G('239.1.1.1') is None"
sleep 0.2
# RFC 3376 6.4.2: TO_IN({}) lowers the group timer to LMQT and sends Q(G); the group goes
# when it runs out: between LMQT and LMQT plus slack after the leave was heard.
check "ASM leave: Q(G) sent and the group removed LMQT after the leave" ev \
	"(lambda h, d: h and d and any(e['event'] == 'send' and e['query'] == 'group' and e['group'] == '239.1.1.1' for e in E)
	  and $LMQT / X / 1000 * 0.8 <= d['ts'] - h['ts'] <= $LMQT / X / 1000 + 1.0)(first(event='heard', record='to_in', group='239.1.1.1'), last(event='group_del', group='239.1.1.1'))"
check "SSM leave: the source went LMQT after the block" ev \
	"(lambda h, d: h and d and $LMQT / X / 1000 * 0.8 <= d['ts'] - h['ts'] <= $LMQT / X / 1000 + 1.0)(first(event='heard', record='block', group='232.1.1.1'), last(event='group_del', group='232.1.1.1'))"

# ---- the host goes silent (its link down): every group times out GMI after its last report ----
say "asm 239.1.1.5"
check "239.1.1.5 joined" st_wait 3 "G('239.1.1.5') is not None"
sleep 0.5
ip -n "$NS2" link set "$IF2" down
# every report refreshed the group timer to GMI; the previous general query was at most QI + QRI ago
check "group timers within [GMI - QI - QRI, GMI] when the host goes silent" st_wait 1 \
	"all($GMI - $QI - $QRI - 2000 <= G(a)['group_timer_ms'] <= $GMI for a in ('239.1.1.2', '239.1.1.3', '239.1.1.5'))"
check "the groups stay while their timers run" st_hold 1.2 "len(S['groups']) == 3"
check "every group times out" st_wait 8 "S['groups'] == []"
check "querier still running with the link down" kill -0 $QPID
check "timeout: each group deleted GMI after its last report (RFC 3376 6.5)" ev \
	"all((lambda h, d: h and d and $GMI / X / 1000 - 0.3 <= d['ts'] - h['ts'] <= $GMI / X / 1000 + 1.5)(last(event='heard', group=a), last(event='group_del', group=a)) for a in ('239.1.1.2', '239.1.1.5'))"
check "timer events name the group timer" ev "any(e['event'] == 'timer' and e['timer'] == 'group' and e['group'] == '239.1.1.5' for e in E)"
say "quit"
exec 3>&-
wait $MPID 2>/dev/null
MPID=

# The link back up; the v3 reports the host still has pending (RV copies 100 ms apart) must pass
# before it changes version: Linux's pending change-report timer does not look at the forced
# version, so a v3 report could carry the next joins. Wait until no v3 report came for 1 s (at
# most 6 s).
ip -n "$NS2" link set "$IF2" up
netns_wait_up
v3_count() { python3 "$src/tests/lib/qstate.py" wait 1 "print(S['counters']['rx_v3_reports']) or True" "$state"; }
prev=$(v3_count) same=0
for _ in $(seq 12); do
	sleep 0.5
	cur=$(v3_count)
	if [ "$cur" = "$prev" ]; then same=$((same + 1)); else same=0; fi
	prev=$cur
	[ $same -ge 2 ] && break
done

# ---- forced v2 host: v2 reports put the group in v2 compatibility; a v2 leave removes it ----
ip netns exec "$NS2" sysctl -qw net.ipv4.conf."$IF2".force_igmp_version=2
members
say "asm 239.2.2.1"
say "ssm $SRC100 232.2.2.1"
check "v2 reports: compat 2, exclude, no sources, v2 host timer running" st_wait 5 \
	"all(G(a) and G(a)['compat_version'] == 2 and G(a)['filter_mode'] == 'exclude' and G(a)['sources'] == []
	 and 0 < G(a)['v2_host_timer_ms'] <= $GMI and G(a)['v1_host_timer_ms'] == 0 for a in ('239.2.2.1', '232.2.2.1'))"
check "v2 reports heard as such" ev "first(event='heard', message='v2 report', group='239.2.2.1') is not None"
# (v3 reports the host still had pending from before the link went down may arrive late: the
# claim is about the groups joined in v2 mode)
check "the v2 host sent no v3 report for its v2 joins" ev \
	"not any(e['event'] == 'heard' and e.get('version') == 3 and e.get('group') in ('239.2.2.1', '232.2.2.1') for e in E)"
say "leave 239.2.2.1"
check "v2 leave removes the group" st_wait 3 "G('239.2.2.1') is None and G('232.2.2.1') is not None"
check "v2 leave: removed LMQT after the leave was heard" ev \
	"(lambda h, d: h and d and $LMQT / X / 1000 * 0.8 <= d['ts'] - h['ts'] <= $LMQT / X / 1000 + 1.0)(first(event='heard', message='leave', group='239.2.2.1'), last(event='group_del', group='239.2.2.1'))"
say "quit"
exec 3>&-
wait $MPID 2>/dev/null
MPID=

# ---- forced v1 host: compat 1; it sends no leave, so the group lasts GMI after its last report ----
ip netns exec "$NS2" sysctl -qw net.ipv4.conf."$IF2".force_igmp_version=1
members
say "asm 239.3.3.1"
check "v1 report: compat 1, v1 host timer running" st_wait 5 \
	"G('239.3.3.1') and G('239.3.3.1')['compat_version'] == 1 and 0 < G('239.3.3.1')['v1_host_timer_ms'] <= $GMI and G('239.3.3.1')['filter_mode'] == 'exclude'"
say "quit"
exec 3>&-
wait $MPID 2>/dev/null
MPID=
check "v1: no leave, the group times out" st_wait 9 "G('239.3.3.1') is None"
check "v1: deleted GMI after the last v1 report" ev \
	"(lambda h, d: h and d and h['message'] == 'v1 report' and $GMI / X / 1000 - 0.3 <= d['ts'] - h['ts'] <= $GMI / X / 1000 + 1.5)(last(event='heard', group='239.3.3.1'), last(event='group_del', group='239.3.3.1'))"

# ---- findings: messages that break a rule are reported; processed unless they cannot be ----
craft() { ip netns exec "$NS2" "$tool" craft -i "$IF2" ip src="$ADDR2" "$@" >/dev/null 2>>"$tmp/craft.err"; }
craft opt=none igmp2-report group=239.5.5.1
craft ttl=3 igmp2-report group=239.5.5.2
craft igmp2-report group=239.5.5.3 csum=0x1234
craft igmp2-query trail=0000
check "report without Router Alert: a finding, still processed" st_wait 3 "G('239.5.5.1') is not None and G('239.5.5.2') is not None"
check "finding IGMP_NO_RA from the host" ev "first(event='finding', code='IGMP_NO_RA', group='239.5.5.1', **{'from': '$ADDR2'}) is not None"
check "finding IGMP_TTL" ev "first(event='finding', code='IGMP_TTL', group='239.5.5.2') is not None"
check "bad checksum: a finding, ignored" ev "first(event='finding', code='IGMP_CHECKSUM') is not None and not first(event='group_add', group='239.5.5.3')"
check "10-byte query: a finding, ignored" ev "first(event='finding', code='IGMP_QUERY_LEN') is not None"
check "ignored messages counted" st_wait 1 "S['counters']['rx_ignored'] >= 2 and S['counters']['findings'] >= 4 and S['querier']"

# ---- SIGUSR1 writes the state at once; SIGTERM ends with exit 0 and a last state ----
rm -f "$state"
kill -USR1 $QPID
check "SIGUSR1 writes the state" st_wait 2 "S['interface'] == '$IF1'"
kill -TERM $QPID
wait $QPID
rc=$?
QPID=
check "SIGTERM: exit 0 ($rc)" [ $rc -eq 0 ]
check "no live table when stdout is not a terminal" [ ! -s "$tmp/q.out" ]
check "igmp_link_local_mcast_reports put back to 1 at exit" [ "$(llr)" = 1 ]
check "no temporary state file left" [ -z "$(ls "$tmp" | grep 'state.json.tmp')" ]
check "the event log is JSON lines only" python3 -c "import json,sys; [json.loads(l) for l in open(sys.argv[1])]" "$events"
check "no 224.0.0.x group ever kept" ev "not any(e['event'] == 'group_add' and e['group'].startswith('224.0.0.') for e in E)"
# ---- --address 0.0.0.0: queries through the packet socket, as the Linux bridge sends them ----
ip netns exec "$NS2" sysctl -qw net.ipv4.conf."$IF2".force_igmp_version=0
members
say "asm 239.4.4.4"
sleep 0.6   # its unsolicited reports are over: the group can only come from an answer
zstate=$tmp/zero.json
zq="'$tool' querier -i $IF1 --address 0.0.0.0 --query-interval 50 --query-response-interval 10 --time-scale $X --duration 2 --state '$zstate'"
if command -v script >/dev/null; then
	# on a terminal (script gives it one) stdout shows the live table
	ip netns exec "$NS1" script -qec "$zq" /dev/null >"$tmp/tty.out" 2>>"$tmp/q.err" </dev/null
	rc=$?
	check "live table on a terminal: header and the group" \
		[ -n "$(grep 'GROUP  *MODE  *COMPAT' "$tmp/tty.out")" -a -n "$(grep '^239.4.4.4  *exclude v3' "$tmp/tty.out")" ]
else
	ip netns exec "$NS1" bash -c "$zq" 2>>"$tmp/q.err"
	rc=$?
fi
check "--duration: exit 0 ($rc)" [ $rc -eq 0 ]
check "from 0.0.0.0: querier, and the host answered its query" python3 "$src/tests/lib/qstate.py" wait 0 \
	"S['address'] == '0.0.0.0' and S['querier'] and S['querier_address'] == '0.0.0.0' and G('239.4.4.4') is not None" "$zstate"
say "quit"
exec 3>&-
wait $MPID 2>/dev/null
MPID=

[ $fail -eq 0 ] || { echo "--- querier stderr"; cat "$tmp/q.err"; echo "--- members"; cat "$tmp/members.out"; }

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
exit $?
