#!/usr/bin/env bash
# net_host_scale.sh - 65,535 emulated hosts (one MAC each) joining 32,000 groups from one `ipv4kit host` behind the Linux bridge as IGMPv3 querier and snooping switch: the bridge's mdb ends up with exactly 32,000 groups on the hosts' port; time, reports and peak memory are printed (numbers, not assertions: tests/bench/host.sh measures).
# usage: net_host_scale.sh TOOL SRCDIR THIRD_PARTY_PCAPS   (root; exits 77 without namespaces)
set -u
tool=${1:?usage: net_host_scale.sh TOOL SRCDIR THIRD_PARTY_PCAPS}
src=${2:?}
. "$src/tests/lib/netns.sh"
command -v python3 >/dev/null || skip "python3 is needed to read the JSON"
command -v bridge >/dev/null || skip "iproute2's bridge command is not installed"
HOSTS=${IPK_SCALE_HOSTS:-65535} GROUPS_=${IPK_SCALE_GROUPS:-32000} RATE=${IPK_SCALE_RATE:-20000}

pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
check() { local name=$1; shift; if "$@"; then ok; else bad "$name"; fi; }

tmp=$(mktemp -d)
HPID=
cleanup() {
	[ -n "$HPID" ] && kill "$HPID" 2>/dev/null
	netns_cleanup
	rm -rf "$tmp"
}
trap cleanup EXIT

# NS1 (port1): the hosts, 198.18.0.0/15 addresses from 198.19.0.1 (a /16 holds them all);
# the bridge: querier (query interval 60 s, response interval 10 s), mdb and fdb large enough
netns_setup 3
trap cleanup EXIT
BR="ipk-$$-br"
ip -n "$BR" addr add "198.18.$NETNS_SUBNET.100/24" dev br0
ip -n "$BR" link set br0 type bridge mcast_snooping 1 mcast_query_use_ifaddr 1 mcast_igmp_version 3 \
	mcast_hash_max 131072 mcast_query_interval 6000 mcast_query_response_interval 1000 \
	mcast_membership_interval 26000 ||
	skip "this bridge does not take the multicast options"
ip -n "$BR" link set br0 type bridge mcast_querier 1
ip netns exec "$NS1" sysctl -qw net.ipv4.igmp_link_local_mcast_reports=0
sleep 1

# mdb_count: the groups the bridge lists on port1
mdb_count() {
	ip netns exec "$BR" bridge -j mdb show dev br0 | python3 -c '
import json, sys
print(len({e["grp"] for b in json.load(sys.stdin) for e in b.get("mdb", []) if e.get("port") == "port1" and not e["grp"].startswith("224.0.0.")}))'
}

# the run lasts the whole join schedule (HOSTS / RATE) plus 3 s: every group is in the mdb once
# half the hosts joined, but every host must have joined before the emulator stops
DUR=$(( (HOSTS + RATE - 1) / RATE + 3 ))
t0=$(date +%s.%N)
ip netns exec "$NS1" "$tool" host -i "$IF1" --hosts "$HOSTS" --first-address 198.19.0.1 \
	--mac-base 02:10:00:00:00:00 --join "0-$((HOSTS - 1)):239.1.0.0%$GROUPS_" --rate "$RATE" \
	--seed 3 --duration "$DUR" --stats "$tmp/stats.json" --json >"$tmp/h.out" 2>"$tmp/h.err" &
HPID=$!
n=0
for i in $(seq 1 120); do
	n=$(mdb_count)
	[ "$n" -ge "$GROUPS_" ] && break
	kill -0 "$HPID" 2>/dev/null || break
	sleep 0.5
done
t1=$(date +%s.%N)
# the rest of the schedule and its retransmissions: nothing more may appear
for i in $(seq 1 $((DUR * 4 + 20))); do kill -0 "$HPID" 2>/dev/null || break; sleep 0.25; done
n2=$(mdb_count)
kill "$HPID" 2>/dev/null
wait "$HPID"
HPID=
check "the bridge lists exactly $GROUPS_ groups on port1 ($n, then $n2)" [ "$n" -eq "$GROUPS_" -a "$n2" -eq "$GROUPS_" ]
check "every host joined, no change refused, no send error" python3 - "$tmp/h.out" "$HOSTS" "$GROUPS_" <<'EOF'
import json, sys
R = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
h, g = int(sys.argv[2]), int(sys.argv[3])
ok = R['hosts_joined'] == h and R['groups'] == g and R['memberships'] == h and R['changes_failed'] == 0 \
    and R['counters']['tx_errors'] == 0 and not R['changes_left']
if not ok: sys.stderr.write('  report: %s\n' % json.dumps(R)[:1500])
sys.exit(0 if ok else 1)
EOF
python3 - "$tmp/h.out" "$t0" "$t1" "$HOSTS" "$GROUPS_" "$RATE" <<'EOF'
import json, sys
R = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
t = float(sys.argv[3]) - float(sys.argv[2])
c = R['counters']
print('scale: %s hosts / %s groups at --rate %s: all groups in the bridge mdb after %.1f s; '
      '%d reports (%d records, %d answers) sent, %d queries heard in %.1f s; peak RSS %.1f MiB'
      % (sys.argv[4], sys.argv[5], sys.argv[6], t, c['tx_reports'], c['tx_records'], c['tx_answers'],
         c['rx_queries'], R['elapsed_s'], R['peak_rss_kib'] / 1024))
EOF
[ $fail -eq 0 ] || { echo "--- host stderr"; cat "$tmp/h.err"; }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
exit $?
