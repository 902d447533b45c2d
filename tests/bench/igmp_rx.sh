#!/usr/bin/env bash
# igmp_rx.sh - the querier's receive path end to end: IGMPv3 reports for 10,000 groups x 10 sources replayed through a veth pair (replay send --topspeed --link --loop) and read by ipk_igmp_listen_read in batches of 64, each given to an ipk_querier state machine at its arrival stamp (and decoded by the codec, its records counted); datagrams and records per second, loss, the reader's CPU time, the table size.
#
# usage: tests/bench/igmp_rx.sh   (needs root for namespaces; about 20 s)
# env:   IPK_BENCH_NET_BUILD  build dir with tests (default <repo>/build/bench-net: Release, configured here)
#        IPK_BENCH_IGMP_N     reports per run (default 100000, rounded to a multiple of 500): the capture
#                             holds 500 reports of 20 IS_IN records x 10 sources (968 bytes), 10,000
#                             groups in all, replayed N/500 times (the first pass creates the table,
#                             the others refresh it)
#        IPK_BENCH_IGMP_RUNS  runs (default 3), median
# "rate" is datagrams over the span of their arrival stamps (bounded by the sender when nothing is
# lost); "reader" is per CPU second of the reading process (receive, querier state machine, and a
# codec decode and record walk for the count). Figures, not assertions: exits 0 whatever they are (2 when the build fails,
# 77 without namespaces).
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${IPK_BENCH_NET_BUILD:-$root/build/bench-net}
n=${IPK_BENCH_IGMP_N:-100000}
runs=${IPK_BENCH_IGMP_RUNS:-3}

if [ ! -f "$build/CMakeCache.txt" ]; then
	cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DIPK_BUILD_TESTS=ON >/dev/null || exit 2
fi
cmake --build "$build" -j2 --target net_igmp ipv4kit-cli >/dev/null || exit 2
prog=$build/tests/net_igmp
tool=$build/tools/ipv4kit

. "$root/tests/lib/netns.sh"
netns_setup 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ipk-igmprx.XXXXXX") || exit 2
trap 'netns_cleanup; rm -rf "$tmp"' EXIT

loops=$(( (n + 499) / 500 ))
n=$((loops * 500))
srcs=$(seq -s, -f "198.18.200.%g" 1 10)
rm -f "$tmp/r.pcap"
for m in $(seq 0 499); do
	recs=()
	for k in $(seq 0 19); do
		g=$((m * 20 + k))
		recs+=("rec=is_in,239.9.$((g / 100)).$((g % 100 + 1)),$srcs")
	done
	"$tool" craft --link ether ip src="$ADDR2" igmp3-report "${recs[@]}" -w "$tmp/r.pcap" || exit 2
done

: >"$tmp/res"
for r in $(seq 1 "$runs"); do
	rm -f "$tmp/ready"
	ip netns exec "$NS1" "$prog" listen "$IF1" 60 "$tmp/ready" querier >"$tmp/out" 2>&1 &
	lpid=$!
	for _ in $(seq 1 50); do [ -e "$tmp/ready" ] && break; sleep 0.1; done
	ip netns exec "$NS2" "$tool" replay send --topspeed --link --loop "$loops" -i "$IF2" "$tmp/r.pcap" >/dev/null 2>&1
	sleep 1
	kill -TERM "$lpid" 2>/dev/null
	wait "$lpid" 2>/dev/null
	# count datagrams=D records=R seconds=S cpu=C groups=G sources=S applied=A
	read -r d rec s c gr so < <(sed -n 's/^count datagrams=\([0-9]*\) records=\([0-9]*\) seconds=\([0-9.]*\) cpu=\([0-9.]*\) groups=\([0-9]*\) sources=\([0-9]*\).*/\1 \2 \3 \4 \5 \6/p' "$tmp/out")
	[ -n "${d:-}" ] || { echo "run $r: no result: $(cat "$tmp/out")" >&2; continue; }
	echo "run $r: $(cat "$tmp/out")" >&2
	awk -v d="$d" -v rec="$rec" -v s="$s" -v c="$c" -v n="$n" -v g="$gr" -v so="$so" 'BEGIN {
		printf "%.0f %.0f %.0f %.0f %.2f %d %d\n", d / s, rec / s, d / c, rec / c, 100 * (n - d) / n, g, so }' >>"$tmp/res"
done
[ -s "$tmp/res" ] || exit 2
med() { sort -n -k"$1" "$tmp/res" | awk -v k="$1" '{ v[NR] = $k } END { print v[int((NR + 1) / 2)] }'; }
echo "| querier end to end: packet socket into the state table ($n v3 reports x 20 records x 10 sources over 10,000 groups, median of $runs) | value |"
echo "| --- | --- |"
echo "| datagrams/s arriving (sender-bound when no loss) | $(med 1) |"
echo "| records/s arriving | $(med 2) |"
echo "| datagrams per reader CPU second (receive + querier + decode) | $(med 3) |"
echo "| records into the state table per reader CPU second | $(med 4) |"
echo "| lost (%) | $(med 5) |"
echo "| table at the end: groups / source records | $(med 6) / $(med 7) |"
