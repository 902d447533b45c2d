#!/usr/bin/env bash
# udp.sh - UDP datagrams per second through a veth pair between two private namespaces: ipv4kit (udp_bench.c) and Go x/net/ipv4 (go/udp) side by side, printed as a Markdown table.
#
# usage: tests/bench/udp.sh   (needs root for namespaces; about 45 s; also run by run.sh)
# env:   IPK_BENCH_BUILD   build dir (default <repo>/build/bench, the `bench` preset)
#        IPK_BENCH_UDP_MS  sender duration per run in ms (default 1000)
#        IPK_BENCH_UDP_RUNS runs per case, median reported (default 3)
#        IPK_BENCH_UDP_PIN=0 no CPU pinning and no RPS (the scheduler places both; use it when another
#                          job is busy on CPU 0 of a shared machine)
#        IPK_BENCH_NO_GO=1 leave Go out (n/a)
# One sender (NS1, CPU 0) runs flat out; the receiver (NS2, CPU 1) counts what it gets. Reported:
# the receiver's datagrams per second (first to last datagram) and the loss (1 - received/sent).
# Addresses come from 198.18.0.0/15 (tests/lib/netns.sh); the namespaces are removed on exit.
# Figures, not assertions: exits 0 whatever the numbers are (77 when namespaces are unavailable).
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${IPK_BENCH_BUILD:-$root/build/bench}
dur=${IPK_BENCH_UDP_MS:-1000}
runs=${IPK_BENCH_UDP_RUNS:-3}
bdir=$build/tests/bench
port=9000

log() { printf '%s\n' "$*" >&2; }

if [ ! -f "$build/CMakeCache.txt" ]; then
	log "configuring $build (bench preset)"
	if [ "$build" = "$root/build/bench" ]; then
		(cd "$root" && cmake --preset bench >/dev/null) || exit 2
	else
		cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
			-DIPK_BUILD_TESTS=OFF -DIPK_BUILD_BENCH=ON >/dev/null || exit 2
	fi
fi
cmake --build "$build" -j2 --target ipk-udp-bench >/dev/null || { log "build of ipk-udp-bench failed"; exit 2; }
have_go=0
if [ "${IPK_BENCH_NO_GO:-0}" != 1 ] && command -v go >/dev/null 2>&1; then
	if (cd "$here/go/udp" && GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= GOPROXY=off \
		GOCACHE=${GOCACHE:-$bdir/gocache} go build -o "$bdir/ipk-goudpbench" . ) >&2; then
		have_go=1
	else
		log "Go UDP benchmark did not build (golang-golang-x-net-dev missing?): Go column n/a"
	fi
fi

. "$root/tests/lib/netns.sh"
netns_setup 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ipk-udp.XXXXXX") || exit 2
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
res=$tmp/res.tsv
: >"$res"

# pin sender and receiver to different CPUs when there are two
# and steer the receive path (veth softirq) to the receiver's CPU with RPS: without it the sender's
# CPU also runs the whole receive stack and the receiver idles, so only the sender is measured
pin0=() pin1=() rps=off pinned=no
if [ "${IPK_BENCH_UDP_PIN:-1}" = 1 ] && command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
	pin0=(taskset -c 0) pin1=(taskset -c 1) pinned=yes
	ip netns exec "$NS2" sh -c "echo 2 >/sys/class/net/$IF2/queues/rx-0/rps_cpus" 2>/dev/null && rps="CPU 1"
fi

# one_run PROG MODE BATCH: prints "pps loss" (empty on failure)
one_run() {
	local prog=$1 mode=$2 batch=$3 i rp
	: >"$tmp/rx"
	ip netns exec "$NS2" timeout 60 "${pin1[@]}" "$prog" recv "$mode" "$batch" $port >"$tmp/rx" 2>>"$tmp/err" &
	rp=$!
	for i in $(seq 1 50); do grep -q ready "$tmp/rx" && break; sleep 0.1; done
	ip netns exec "$NS1" timeout 60 "${pin0[@]}" "$prog" send "$mode" "$batch" $port "$ADDR2" "$IF1" "$dur" \
		>"$tmp/tx" 2>>"$tmp/err"
	wait $rp
	awk 'FILENAME == ARGV[1] && $1 == "tx" { tx = $2 } FILENAME == ARGV[2] && $1 == "rx" { rx = $2; s = $3; bad = $4 }
		END { if (rx > 0 && s > 0 && tx > 0 && bad == 0) printf "%.0f %.4f\n", rx / s, 1 - rx / tx }' \
		"$tmp/tx" "$tmp/rx"
}
# Runs interleave ipv4kit and Go case by case, so both see the same load on a shared machine;
# the median of the runs of each case is reported.
ipk=$bdir/ipk-udp-bench gob=$bdir/ipk-goudpbench
raw=$tmp/raw.tsv
: >"$raw"
for ((r = 1; r <= runs; r++)); do
	for c in plain:1 cm:1 batch:8 batch:32 batch:64; do
		mode=${c%:*} b=${c#*:}
		key=$mode; [ "$mode" = batch ] && key=batch$b
		for lib in ipk go; do
			[ $lib = go ] && [ $have_go = 0 ] && continue
			prog=$ipk; [ $lib = go ] && prog=$gob
			log "udp: run $r/$runs ${lib}_$key"
			v=$(one_run "$prog" "$mode" "$b")
			[ -n "$v" ] && printf '%s_%s %s\n' $lib $key "$v" >>"$raw"
		done
	done
done
sort -k1,1 -k2,2n "$raw" | awk '{ k[NR] = $1; v[NR] = $2 " " $3 }
	END { for (i = 1; i <= NR; i = j) { for (j = i; j <= NR && k[j] == k[i]; j++) ; m = i + int((j - i - 1) / 2)
		split(v[m], a, " "); printf "%s\t%s\t%s\n", k[i], a[1], a[2] } }' >"$res"
[ -s "$tmp/err" ] && sed 's/^/udp bench: /' "$tmp/err" | sort -u | head -5 >&2

get() { awk -F'\t' -v k="$1" '$1 == k { print $2; exit }' "$res"; }
loss() { awk -F'\t' -v k="$1" '$1 == k { print $3; exit }' "$res"; }
fmt() { local v; v=$(get "$1"); [ -n "$v" ] && awk -v p="$v" -v l="$(loss "$1")" \
	'BEGIN { printf "%.3f M pkt/s (loss %.0f%%)", p / 1e6, l * 100 }' || printf 'n/a'; }
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }' || printf 'n/a'; }
ge() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { print (a / b >= t) ? "yes" : "no" }' || printf 'n/a'; }
row() { printf '| %s | %s | %s | %s | %s | %s |\n' "$@"; }

echo
echo "UDP through a veth pair, $(date -u +%Y-%m-%dT%H:%MZ), $(uname -r), $(nproc) cores, ${dur} ms per case, 64-byte payloads, median of $runs run(s); sender on CPU 0, receiver on CPU 1: $pinned; receive softirq (RPS): $rps."
echo "Rate = datagrams received per second at the receiver; loss = 1 - received / sent (the sender runs flat out)."
echo
row "operation" "ipv4kit" "Go x/net/ipv4" "ratio" "target" "met?"
row "---" "---:" "---:" "---:" "---" "---"
row "plain sendto/recvfrom (Go: WriteTo/ReadFrom, no control message)" "$(fmt ipk_plain)" "$(fmt go_plain)" \
	"$(ratio "$(get ipk_plain)" "$(get go_plain)")" "-" "-"
row "write with IP_PKTINFO / read parsing TTL + PKTINFO (Go: FlagTTL, FlagDst, FlagInterface)" "$(fmt ipk_cm)" \
	"$(fmt go_cm)" "$(ratio "$(get ipk_cm)" "$(get go_cm)")" ">= 2x Go" "$(ge "$(get ipk_cm)" "$(get go_cm)" 2)"
for b in 8 32 64; do
	tgt=- met=-
	if [ $b = 32 ]; then
		tgt=">= 3x ipv4kit single-call ($(ratio "$(get ipk_batch32)" "$(get ipk_cm)"))"
		met=$(ge "$(get ipk_batch32)" "$(get ipk_cm)" 3)
	fi
	row "batch of $b, same control messages (sendmmsg/recvmmsg; Go WriteBatch/ReadBatch)" "$(fmt ipk_batch$b)" \
		"$(fmt go_batch$b)" "$(ratio "$(get ipk_batch$b)" "$(get go_batch$b)")" "$tgt" "$met"
done
gov=n/a; [ $have_go = 1 ] && gov="$(go version | awk '{ print $3 }') golang.org/x/net/ipv4 (GOPATH /usr/share/gocode)"
echo
echo "Go: $gov. Rerun: tests/bench/udp.sh (or run.sh; IPK_BENCH_NO_UDP=1 skips this part)."
exit 0
