#!/usr/bin/env bash
# querier.sh - the querier benchmark tables: ipk-querier-bench in process (records/s creating and refreshing 10,000 groups x 10 sources, memory per group and source record, timer cost with the full table; medians of runs) and igmp_rx.sh end to end (replayed reports through a veth and the packet socket into the state table).
#
# usage: tests/bench/querier.sh   (run.sh calls it; igmp_rx.sh needs root for namespaces)
# env:   IPK_BENCH_BUILD          build dir with ipk-querier-bench (default <repo>/build/bench)
#        IPK_BENCH_QUERIER_RUNS   runs of ipk-querier-bench (default 5; each takes the best of 20
#                                 refresh rounds), median of each figure
#        IPK_BENCH_NO_IGMP_RX=1   skip the end-to-end part (igmp_rx.sh: IPK_BENCH_IGMP_N, _RUNS)
# Figures, not assertions: exits 0 whatever they are (2 when the build fails).
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${IPK_BENCH_BUILD:-$root/build/bench}
runs=${IPK_BENCH_QUERIER_RUNS:-5}

if [ ! -f "$build/CMakeCache.txt" ]; then
	(cd "$root" && cmake --preset bench >/dev/null) || exit 2
fi
cmake --build "$build" -j2 --target ipk-querier-bench >/dev/null || exit 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ipk-qbench.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

# one line per run: create M rec/s, refresh M rec/s, bytes/group, bytes/source, next-deadline ns,
# ns per expiring timer
for _ in $(seq 1 "$runs"); do
	"$build/tests/bench/ipk-querier-bench" >"$tmp/out" || { echo "ipk-querier-bench failed" >&2; cat "$tmp/out" >&2; continue; }
	awk '/^create:/ { c = $(NF - 2) } /^refresh:/ { r = $6 }
		/^memory:/ { g = $(NF - 5); s = $(NF - 1) } /^next deadline:/ { d = $3 }
		/^expiry:/ { e = $(NF - 3) } END { print c, r, g, s, d, e }' "$tmp/out" >>"$tmp/res"
done
[ -s "$tmp/res" ] || exit 2
med() { sort -n -k"$1" "$tmp/res" | awk -v k="$1" '{ v[NR] = $k } END { print v[int((NR + 1) / 2)] }'; }
echo
echo "| querier in process (ipk-querier-bench, 10,000 groups x 10 sources, median of $runs runs) | value | target |"
echo "| --- | ---: | --- |"
echo "| IS_IN records/s creating the table (one pass) | $(med 1) M | >= 2 M |"
echo "| IS_IN records/s refreshing the full table (best of 20 passes) | $(med 2) M | >= 2 M |"
echo "| memory per group | $(med 3) bytes | - |"
echo "| memory per source record | $(med 4) bytes | - |"
echo "| ipk_querier_next_deadline, full table | $(med 5) ns | - |"
echo "| expiry of the whole table in one tick (about 100,000 timers), per timer | $(med 6) ns | - |"
if [ "${IPK_BENCH_NO_IGMP_RX:-0}" != 1 ]; then
	echo
	bash "$here/igmp_rx.sh"
	case $? in
	0) ;;
	77) echo "end-to-end querier benchmark skipped: network namespaces unavailable (needs root)." ;;
	*) echo "end-to-end querier benchmark failed (rerun tests/bench/igmp_rx.sh)." ;;
	esac
fi
