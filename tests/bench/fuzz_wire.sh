#!/usr/bin/env bash
# fuzz_wire.sh - `ipv4kit fuzz` through a veth pair: mutated packets per second in each mode (the mutator, the ring of kept packets and sendmmsg of whole frames through the packet socket; no probes, the kernel of the other namespace the receiver), the same with an IGMP probe every 1000 packets against a live userspace target, and the time and packets to find each fragile target of tests/net/fragile.c from the default valid seeds (seeds 1..N).
#
# usage: tests/bench/fuzz_wire.sh   (needs root for namespaces; about 60 s)
# env:   IPK_BENCH_NET_BUILD    build dir with tests (default <repo>/build/bench-net: Release, configured here)
#        IPK_BENCH_FUZZ_N       packets per throughput run (default 1000000)
#        IPK_BENCH_FUZZ_RUNS    throughput runs per mode (default 3), median
#        IPK_BENCH_FUZZ_SEEDS   seeds per fragile target (default 5)
# Figures, not assertions: exits 0 whatever they are (2 when the build fails, 77 without namespaces).
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${IPK_BENCH_NET_BUILD:-$root/build/bench-net}
n=${IPK_BENCH_FUZZ_N:-1000000}
runs=${IPK_BENCH_FUZZ_RUNS:-3}
nseeds=${IPK_BENCH_FUZZ_SEEDS:-5}

if [ ! -f "$build/CMakeCache.txt" ]; then
	cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DIPK_BUILD_TESTS=ON >/dev/null || exit 2
fi
cmake --build "$build" -j2 --target net_fragile ipv4kit-cli >/dev/null || exit 2
tool=$build/tools/ipv4kit
frag=$build/tests/net_fragile

. "$root/tests/lib/netns.sh"
. "$root/tests/lib/fragile.sh"
command -v python3 >/dev/null || skip "python3 reads the reports"
netns_setup 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ipk-fuzzwire.XXXXXX") || exit 2
trap 'fragile_stop; netns_cleanup; rm -rf "$tmp"' EXIT
fragile_init "$frag" "$tmp"
fz() { ip netns exec "$NS1" "$tool" fuzz -i "$IF1" --target "$ADDR2" --json "$@" 2>/dev/null; }
field() { python3 -c 'import json,sys; R=json.load(open(sys.argv[1])); print(R[sys.argv[2]])' "$1" "$2"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "ipv4kit fuzz through a veth pair, $n packets per run, median of $runs ($(nproc) CPUs)"
printf '%-44s %12s\n' "mode (probes)" "packets/s"
for m in ip igmp-host igmp-router; do
	: >"$tmp/pps"
	for r in $(seq 1 "$runs"); do
		fz --mode $m --probe none --seed $r --count "$n" >"$tmp/r.json"
		field "$tmp/r.json" pps >>"$tmp/pps"
	done
	printf '%-44s %12.0f\n' "$m (none)" "$(median <"$tmp/pps")"
done
"$tmp/restart.sh" none
sleep 0.3
: >"$tmp/pps"
for r in $(seq 1 "$runs"); do
	fz --mode igmp-host --seed $r --count "$n" --probe-every 1000 >"$tmp/r.json"
	field "$tmp/r.json" pps >>"$tmp/pps"
done
printf '%-44s %12.0f\n' "igmp-host (igmp every 1000, userspace host)" "$(median <"$tmp/pps")"
fragile_stop

echo
echo "finding the fragile targets from the default valid seeds (probe every 1000 packets, 0.5 s wait)"
printf '%-8s %-12s %6s %10s %10s %10s %s\n' bug mode seed packets found_s total_s reproducer
for bug in mrc0 nrecs; do
	mode=igmp-host
	[ $bug = nrecs ] && mode=igmp-router
	for s in $(seq 1 "$nseeds"); do
		"$tmp/restart.sh" $bug
		sleep 0.3
		mkdir -p "$tmp/o"
		t0=$(date +%s.%N)
		fz --mode $mode --seed "$s" --count 10000000 --restart-cmd "$tmp/restart.sh $bug" \
			--out "$tmp/o" >"$tmp/f.json"
		t1=$(date +%s.%N)
		python3 - "$tmp/f.json" "$bug" "$mode" "$s" "$t0" "$t1" <<'EOF'
import json, sys
R = json.load(open(sys.argv[1]))
tot = float(sys.argv[6]) - float(sys.argv[5])
if not R['down']:
    print('%-8s %-12s %6s %10s %10s %10.1f not found' % (sys.argv[2], sys.argv[3], sys.argv[4], R['sent'], '-', tot))
else:
    rep = '%d packet(s): %s' % (len(R['packets']), R['packets'][0]['mutation']) if R['reproduced'] else 'not reproduced'
    print('%-8s %-12s %6s %10d %10.3f %10.1f %s' % (sys.argv[2], sys.argv[3], sys.argv[4], R['down_after'], R['found_s'], tot, rep))
EOF
	done
	fragile_stop
done
