#!/usr/bin/env bash
# host.sh - the host emulator benchmark tables: IGMPv3 reports built and sent per second through a veth by `ipv4kit host` (one-record and 256-record reports) against scapy sendp of the same reports prebuilt, in the same run; hosts and groups joined per second against the Linux bridge (querier, snooping); memory of the command (the state machine's pools and its own tables; the role alone in process: ipk-host-bench, run.sh).
#
# usage: tests/bench/host.sh   (run.sh calls it; needs root for namespaces, scapy for the peer)
# env:   IPK_BENCH_BUILD           build dir with tools/ipv4kit (default <repo>/build/bench)
#        IPK_BENCH_EMU_RUNS       runs of each figure, median (default 3)
#        IPK_BENCH_HOST_N          one-record reports per run (default 65535: one per host)
# Figures, not assertions: exits 0 whatever they are (2 when the build fails, 77 without namespaces).
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${IPK_BENCH_BUILD:-$root/build/bench}
runs=${IPK_BENCH_EMU_RUNS:-3}
n1=${IPK_BENCH_HOST_N:-65535}
n256=256 # hosts sending one 256-record report each (256 x 256 memberships)

if [ ! -f "$build/CMakeCache.txt" ]; then
	(cd "$root" && cmake --preset bench >/dev/null) || exit 2
fi
cmake --build "$build" -j2 --target ipv4kit-cli >/dev/null || exit 2
tool=$build/tools/ipv4kit
. "$root/tests/lib/netns.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ipk-hbench.XXXXXX") || exit 2
trap 'netns_cleanup; rm -rf "$tmp"' EXIT

# ---- a veth pair (jumbo MTU: a 256-record report is 2,080 bytes); a bridge for the joins ----
netns_setup 2
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
ip -n "$NS1" link set "$IF1" mtu 9000
ip -n "$NS2" link set "$IF2" mtu 9000
# the peer drops what arrives (no IGMP processing cost on the far side): no address, no route
ip netns exec "$NS1" sysctl -qw net.ipv4.igmp_link_local_mcast_reports=0

# rate FILE: reports per second from the report JSON: the frames written from the first
# membership change until the last one's reports were out, over that time
rate() {
	python3 -c 'import json, sys
R = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
span = R["changes_done_s"] - R["changes_first_s"]
print("%.0f" % (R["changes_frames"] / span if span > 0 else 0), R["changes_records"], R["changes_frames"], R["memory_bytes"], R["peak_rss_kib"])' "$1"
}
# emu N ARGS...: ipv4kit host on IF1, first transmissions only (--time-scale 0.001: the
# retransmissions come a random 0..1,000 s later), Linux profile (a host's changes of one
# instant in one report)
emu() {
	ip netns exec "$NS1" "$tool" host -i "$IF1" --hosts "$1" --first-address 198.19.0.1 --mtu 9000 \
		--profile linux --time-scale 0.001 --seed 1 --json --duration 4 "${@:2}" >"$tmp/r.json" 2>/dev/null
	rate "$tmp/r.json"
}
med() { sort -n | awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : "n/a") }'; }
: >"$tmp/e1"
: >"$tmp/e256"
for _ in $(seq 1 "$runs"); do
	emu "$n1" --join "0-$((n1 - 1)):239.1.0.0%$n1" >>"$tmp/e1"
	emu "$n256" --join "0-$((n256 - 1)):239.2.0.0+256" >>"$tmp/e256"
done

# ---- scapy: sendp of the same reports, prebuilt (one frame object reused, as fast as scapy goes) ----
recs=""
for i in $(seq 0 255); do recs="$recs rec=to_ex,239.2.$((i / 256)).$((i % 256))"; done
"$tool" craft --link ether ip src=198.19.0.1 igmp3-report rec=to_ex,239.1.0.1 -w "$tmp/r1.pcap" >/dev/null 2>&1
# shellcheck disable=SC2086
"$tool" craft --link ether ip src=198.19.0.1 igmp3-report $recs -w "$tmp/r256.pcap" >/dev/null 2>&1
scapy() { # scapy PCAP COUNT: reports per second
	ip netns exec "$NS1" /usr/bin/python3 - "$1" "$2" "$IF1" <<'EOF' 2>/dev/null
import sys, time
from scapy.all import rdpcap, sendp, conf
conf.verb = 0
p = rdpcap(sys.argv[1])[0]
n = int(sys.argv[2])
s = conf.L2socket(iface=sys.argv[3])
t0 = time.perf_counter()
sendp([p] * n, socket=s, verbose=0)
t = time.perf_counter() - t0
print("%.0f" % (n / t))
EOF
}
: >"$tmp/s1"
: >"$tmp/s256"
if /usr/bin/python3 -c 'import scapy.all' 2>/dev/null && [ -s "$tmp/r1.pcap" ]; then
	for _ in $(seq 1 "$runs"); do
		scapy "$tmp/r1.pcap" 20000 >>"$tmp/s1"
		scapy "$tmp/r256.pcap" 5000 >>"$tmp/s256"
	done
fi
e1=$(cut -d' ' -f1 "$tmp/e1" | med) e256=$(cut -d' ' -f1 "$tmp/e256" | med)
s1=$(med <"$tmp/s1") s256=$(med <"$tmp/s256")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.0fx", a / b; else print "n/a" }'; }
recs256=$(awk '{ if ($3) printf "%.0f", $2 / $3; exit }' "$tmp/e256")
echo
echo "| host emulator, reports sent per second through a veth (median of $runs runs) | ipv4kit host | scapy sendp (prebuilt) | ratio |"
echo "| --- | ---: | ---: | ---: |"
echo "| IGMPv3 report, 1 record ($n1 hosts, one group each) | $e1 | $s1 | $(ratio "$e1" "$s1") |"
echo "| IGMPv3 report, $recs256 records ($n256 hosts x 256 groups) | $e256 | $s256 | $(ratio "$e256" "$s256") |"

# ---- joins against the Linux bridge: time until its mdb holds every group ----
netns_cleanup
netns_setup 3
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
BR="ipk-$$-br"
ip -n "$BR" link set br0 type bridge mcast_snooping 1 mcast_igmp_version 3 mcast_hash_max 131072 \
	mcast_query_interval 6000 mcast_query_response_interval 1000 mcast_querier 1 2>/dev/null
sleep 1
mdb_count() {
	ip netns exec "$BR" bridge -j mdb show dev br0 | python3 -c '
import json, sys
print(len({e["grp"] for b in json.load(sys.stdin) for e in b.get("mdb", []) if e.get("port") == "port1"}))'
}
join_run() { # hosts groups: seconds until the mdb holds every group
	ip netns exec "$BR" bridge mdb flush dev br0 2>/dev/null
	local t0 t1 n
	t0=$(date +%s.%N)
	ip netns exec "$NS1" "$tool" host -i "$IF1" --hosts "$1" --first-address 198.19.0.1 \
		--mac-base 02:10:00:00:00:00 --join "0-$(($1 - 1)):239.3.0.0%$2" --duration 30 \
		--seed 1 >/dev/null 2>&1 &
	local pid=$!
	for _ in $(seq 1 300); do
		n=$(mdb_count)
		[ "$n" -ge "$2" ] && break
		sleep 0.1
	done
	t1=$(date +%s.%N)
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	# groups deleted by hand between runs (the leaves are not sent at exit)
	awk -v a="$t0" -v b="$t1" -v n="$n" -v g="$2" 'BEGIN { if (n >= g) printf "%.3f\n", b - a; else print "n/a" }'
}
: >"$tmp/j"
for _ in $(seq 1 "$runs"); do
	ip -n "$BR" link set br0 type bridge mcast_snooping 0
	ip -n "$BR" link set br0 type bridge mcast_snooping 1 mcast_querier 1
	join_run 65535 32000 >>"$tmp/j"
done
jt=$(med <"$tmp/j")
echo
echo "| host emulator against the Linux bridge (IGMPv3 querier and snooping switch, median of $runs runs) | value |"
echo "| --- | ---: |"
echo "| 65,535 hosts joining 32,000 groups: time until the bridge's mdb holds all 32,000 (start-up included) | $jt s |"
echo "| hosts (memberships) joined per second | $(awk -v t="$jt" 'BEGIN { if (t + 0 > 0) printf "%.0f", 65535 / t; else print "n/a" }') |"
echo "| groups joined per second | $(awk -v t="$jt" 'BEGIN { if (t + 0 > 0) printf "%.0f", 32000 / t; else print "n/a" }') |"

# ---- memory ----
m1=$(awk '{ print $4; exit }' "$tmp/e1") k1=$(awk '{ print $5; exit }' "$tmp/e1")
echo
echo "| host emulator memory | value |"
echo "| --- | ---: |"
echo "| ipv4kit host, $n1 hosts x 1 membership: state machine and tables | $(awk -v m="$m1" -v n="$n1" 'BEGIN { printf "%.0f bytes per host+membership", m / n }') |"
echo "| the same run's peak RSS | $(awk -v k="$k1" 'BEGIN { printf "%.1f MiB", k / 1024 }') |"
exit 0
