#!/usr/bin/env bash
# record-kernel.sh - record the Linux kernel's IGMPv1/v2/v3 host behaviour (RFC 1112, 2236, 3376) in network namespaces with tcpdump: joins, leaves, answers to every kind of query.
# usage: tools/record-kernel.sh TOOL OUTDIR [VERSION...]
#   TOOL     the ipv4kit binary (craft sends the queries, listen holds the group memberships)
#   OUTDIR   where kernel-igmpv1.pcap, kernel-igmpv2.pcap, kernel-igmpv3.pcap are written
#   VERSION  1, 2 and/or 3 (default: all three)
# Needs root (namespaces, tcpdump). Two namespaces joined by a veth pair (tests/lib/netns.sh,
# 198.18.0.0/15): a querier Q ($NS1, $ADDR1) sends queries with `ipv4kit craft -i`; a host H ($NS2,
# net.ipv4.conf.veth2.force_igmp_version=V) joins an any-source group, an any-source group with an
# excluded source and a source-specific group (`ipv4kit listen -t`, which joins, then leaves when it
# stops), answers the queries and leaves. tcpdump on H's interface records only IGMP.
# Every wait is bounded (about 25 s for v1, 15 s for v2 and v3); namespaces are always removed.
# Timestamps, the subnet (198.18.<k>.0/24, k from the pid) and the kernel's random report delays
# differ per run, so the committed files are one recording, not reproducible byte for byte.
set -u
tool=${1:?usage: record-kernel.sh TOOL OUTDIR [VERSION...]}
out=${2:?usage: record-kernel.sh TOOL OUTDIR [VERSION...]}
shift 2
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(1 2 3)
here=$(cd "$(dirname "$0")/.." && pwd)
tool=$(cd "$(dirname "$tool")" && pwd)/$(basename "$tool")
[ -x "$tool" ] || { echo "record-kernel: $tool is not executable" >&2; exit 2; }
command -v tcpdump >/dev/null || { echo "record-kernel: tcpdump is not installed" >&2; exit 2; }
mkdir -p "$out"

. "$here/tests/lib/netns.sh"
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT

G_ASM=239.1.1.1  # any-source join
G_EXC=239.1.1.2  # any-source join excluding one source (v3: EXCLUDE {Q})
G_SSM=232.1.1.1  # source-specific join (v3: INCLUDE {Q})

# q ARGS...: the querier sends one crafted query out of its veth
q() {
	ip netns exec "$NS1" "$tool" craft -i "$IF1" ip src="$ADDR1" "$@" >/dev/null ||
		fail "craft -i $IF1 $* failed"
}

# record V: one recording with the host forced to IGMPv<V>
record() {
	local v=$1 cap=$tmp/kernel-igmpv$1.pcap life i
	netns_setup 2
	ip netns exec "$NS2" sysctl -qw "net.ipv4.conf.$IF2.force_igmp_version=$v" ||
		fail "cannot force IGMPv$v on $IF2"
	# unsolicited reports (robustness 2) one second apart instead of ten: a short recording
	ip netns exec "$NS2" sysctl -qw net.ipv4.igmp_qrv=2 \
		"net.ipv4.conf.$IF2.igmpv2_unsolicited_report_interval=1000" \
		"net.ipv4.conf.$IF2.igmpv3_unsolicited_report_interval=1000" 2>/dev/null
	ip netns exec "$NS2" timeout 60 tcpdump -Z root -U -n -s 0 -i "$IF2" -w "$cap" igmp \
		2>"$tmp/tcpdump.err" &
	local dump=$!
	for i in $(seq 1 50); do
		grep -q 'listening on' "$tmp/tcpdump.err" && break
		sleep 0.1
	done
	grep -q 'listening on' "$tmp/tcpdump.err" || fail "tcpdump did not start: $(cat "$tmp/tcpdump.err")"

	# how long the memberships last: through every query of this version, then the leaves
	case $v in 1) life=17 ;; *) life=8 ;; esac
	local l1 l2 l3
	ip netns exec "$NS2" "$tool" listen -q -i "$IF2" -t "$life" "$G_ASM" 2>"$tmp/l1" & l1=$!
	sleep 0.3
	ip netns exec "$NS2" "$tool" listen -q -i "$IF2" -t "$life.5" "$G_EXC!$ADDR1" 2>"$tmp/l2" & l2=$!
	sleep 0.3
	ip netns exec "$NS2" "$tool" listen -q -i "$IF2" -t "$life.9" "$G_SSM@$ADDR1" 2>"$tmp/l3" & l3=$!
	sleep 2.5   # the unsolicited reports (and their repetition)

	case $v in
	1)
		q igmp1-query                            # v1 general query: answered within 10 s
		sleep 10.5
		q igmp2-query mrt=10                     # a v2 query: a v1 host answers with v1 reports
		sleep 1.5
		;;
	2)
		q igmp2-query mrt=10                     # general query, 1 s
		sleep 1.5
		q igmp2-query group=$G_ASM mrt=10        # group-specific query
		sleep 1.5
		q igmp3-query group=$G_SSM mrc=10 src="$ADDR1"  # a v3 query: a v2 host answers in v2
		sleep 1.5
		;;
	3)
		q igmp3-query mrc=10                     # general query: current-state records
		sleep 1.5
		q igmp3-query group=$G_ASM mrc=10        # group-specific query
		sleep 1.5
		q igmp3-query group=$G_SSM mrc=10 src="$ADDR1",198.18.255.1  # group-and-source query
		sleep 1.5
		;;
	esac
	# the listeners stop (-t) one after the other and leave their groups
	# (exit 3: stopped by -t with no datagram, the expected end; anything else is a failed join)
	for i in 1 2 3; do
		local pid
		eval "pid=\$l$i"
		wait "$pid"
		[ $? -eq 3 ] || fail "listener $i: $(cat "$tmp/l$i")"
	done
	sleep 2.5   # v3 state-change reports are repeated (robustness 2, 1 s apart)
	kill -INT "$dump" 2>/dev/null
	wait "$dump" 2>/dev/null
	[ -s "$cap" ] || fail "no capture written for IGMPv$v"
	mv -f "$cap" "$out/kernel-igmpv$v.pcap"
	echo "record-kernel: $out/kernel-igmpv$v.pcap ($("$tool" decode -q "$out/kernel-igmpv$v.pcap" 2>&1 | head -1))"
	netns_cleanup
}

for v in "${versions[@]}"; do
	case $v in 1 | 2 | 3) record "$v" ;; *) echo "record-kernel: version $v is not 1, 2 or 3" >&2; exit 2 ;; esac
done
exit 0
