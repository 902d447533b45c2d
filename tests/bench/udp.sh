#!/usr/bin/env bash
# udp.sh - UDP datagrams per second through a veth pair between two private namespaces: ipv4kit (udp_bench.c) and Go x/net/ipv4 (go/udp) side by side, printed as a Markdown table.
#
# usage: tests/bench/udp.sh   (needs root for namespaces; about 75 s; also run by run.sh)
# env:   IPK_BENCH_BUILD   build dir (default <repo>/build/bench, the `bench` preset)
#        IPK_BENCH_UDP_MS  sender duration per run in ms (default 1000)
#        IPK_BENCH_UDP_RUNS runs per case, median reported (default 3)
#        IPK_BENCH_UDP_PIN=0 no CPU pinning and no RPS (the scheduler places both; use it when another
#                          job is busy on CPU 0 of a shared machine)
#        IPK_BENCH_NO_GO=1 leave Go out (n/a)
#        IPK_BENCH_UDP_DRAIN_N datagrams per drain round (default 40000), _DRAIN_ROUNDS rounds per
#                          receiver process (default 3), _DRAIN_PASSES processes per case (default 2)
#        IPK_BENCH_UDP_TX_N    datagrams per send-path run (default 48000, a multiple of 64)
# Table 1 (flat out): one sender (NS1, CPU 0) runs flat out; the receiver (NS2, CPU 1) counts what
# it gets. Reported: the receiver's datagrams per second (first to last datagram) and the loss
# (1 - received/sent). On a small VM the kernel's per-datagram veth cost caps every sender, so
# table 1 hardly shows the libraries; tables 2 and 3 measure each side alone:
# Table 2 (receive path, queue drain): the receiver's socket buffer is made big enough
# (SO_RCVBUFFORCE) for N datagrams; the same sender for both libraries (ipk-udp-bench fill:
# sendmmsg batches of 64 with IP_PKTINFO) fills it while the receiver sleeps on a control socket,
# then says "done"; the receiver (ipv4kit or Go, CPU 1) drains the queue with the mode under test
# and times it. Datagrams per receiver CPU-second of the drain (getrusage; wall rate beside it),
# median of the rounds. RPS is off for this table.
# Table 3 (send path): each library's sender sends N datagrams into a sink that never reads, with
# the receive softirq steered to the other CPU (RPS), so the sender's CPU time (getrusage, user +
# system, whole process) is the library + system call + UDP/IP output + veth transmit cost.
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

# ---- table 3: send path, sender CPU time per datagram (RPS still steers receive work to CPU 1) ----
txn=${IPK_BENCH_UDP_TX_N:-48000}
txn=$(( (txn + 63) / 64 * 64 ))
raw3=$tmp/raw3.tsv res3=$tmp/res3.tsv
: >"$raw3"
ip netns exec "$NS2" timeout 80 "${pin1[@]}" "$ipk" sink $((port + 2)) 75000 >"$tmp/sink" 2>>"$tmp/err" &
sinkpid=$!
for i in $(seq 1 50); do grep -q ready "$tmp/sink" && break; sleep 0.1; done
for ((r = 1; r <= runs; r++)); do
	for c in plain:1 cm:1 batch:8 batch:32 batch:64; do
		mode=${c%:*} b=${c#*:}
		key=$mode; [ "$mode" = batch ] && key=batch$b
		for lib in ipk go; do
			[ $lib = go ] && [ $have_go = 0 ] && continue
			prog=$ipk; [ $lib = go ] && prog=$gob
			log "udp send path: run $r/$runs ${lib}_$key"
			ip netns exec "$NS1" timeout 30 "${pin0[@]}" "$prog" txcpu "$mode" "$b" $((port + 2)) "$ADDR2" \
				"$IF1" "$txn" 2>>"$tmp/err" | awk -v k=${lib}_$key \
				'$1 == "txcpu" && $2 > 0 && $3 > 0 { printf "%s %.9f %.9f\n", k, $3 / $2, $4 / $2 }' >>"$raw3"
		done
	done
done
kill "$sinkpid" 2>/dev/null
wait "$sinkpid" 2>/dev/null
# median CPU seconds per datagram (and the wall seconds of that run)
sort -k1,1 -k2,2g "$raw3" | awk '{ k[NR] = $1; v[NR] = $2 " " $3 }
	END { for (i = 1; i <= NR; i = j) { for (j = i; j <= NR && k[j] == k[i]; j++) ; m = i + int((j - i - 1) / 2)
		split(v[m], a, " "); printf "%s\t%s\t%s\n", k[i], 1 / a[1], 1 / a[2] } }' >"$res3"

# ---- table 2: receive path, queue drain (RPS off: the fill runs whole on CPU 0 while CPU 1 sleeps) ----
[ "$rps" != off ] && ip netns exec "$NS2" sh -c "echo 0 >/sys/class/net/$IF2/queues/rx-0/rps_cpus" 2>/dev/null
dn=${IPK_BENCH_UDP_DRAIN_N:-40000} drounds=${IPK_BENCH_UDP_DRAIN_ROUNDS:-3} dpasses=${IPK_BENCH_UDP_DRAIN_PASSES:-2}
raw2=$tmp/raw2.tsv res2=$tmp/res2.tsv
: >"$raw2"
# one_drain KEY PROG MODE BATCH: one receiver process, $drounds rounds; appends "KEY cpu-rate wall-rate" per good
# round and "KEY short" per round that lost datagrams or saw wrong control messages
one_drain() {
	local key=$1 prog=$2 mode=$3 batch=$4 i rp
	: >"$tmp/drx"
	ip netns exec "$NS2" timeout 60 "${pin1[@]}" "$prog" drain "$mode" "$batch" $((port + 4)) "$dn" "$drounds" \
		>"$tmp/drx" 2>>"$tmp/err" &
	rp=$!
	for i in $(seq 1 100); do grep -q ready "$tmp/drx" && break; sleep 0.05; done
	ip netns exec "$NS1" timeout 60 "${pin0[@]}" "$ipk" fill $((port + 4)) "$ADDR2" "$IF1" "$dn" "$drounds" \
		2>>"$tmp/err"
	wait $rp
	awk -v k="$key" '$1 == "round" { if ($2 == $3 && $5 == 0 && $4 > 0 && $6 > 0) print k, $2 / $6, $2 / $4
		else print k, "short" }' "$tmp/drx" >>"$raw2"
}
# passes interleave ipv4kit and Go mode by mode, as table 1 does
for ((r = 1; r <= dpasses; r++)); do
	for c in plain:1 cm:1 batch:8 batch:32 batch:64; do
		mode=${c%:*} b=${c#*:}
		key=$mode; [ "$mode" = batch ] && key=batch$b
		for lib in ipk go; do
			[ $lib = go ] && [ $have_go = 0 ] && continue
			prog=$ipk; [ $lib = go ] && prog=$gob
			log "udp receive path (drain): pass $r/$dpasses ${lib}_$key"
			one_drain ${lib}_$key "$prog" "$mode" "$b"
		done
	done
done
# per key: median, min, max of the good rounds' per-CPU rates, median wall rate, short rounds
med() { # med COLUMN: key, median, min, max of that column over the good rounds
	awk -v c="$1" '$2 != "short" { print $1, $c }' "$raw2" | sort -k1,1 -k2,2g | awk '{ k[NR] = $1; v[NR] = $2 }
		END { for (i = 1; i <= NR; i = j) { for (j = i; j <= NR && k[j] == k[i]; j++) ;
			printf "%s\t%s\t%s\t%s\n", k[i], v[i + int((j - i - 1) / 2)], v[i], v[j - 1] } }'
}
med 3 >"$tmp/wall2"
awk '$2 == "short" { print $1 }' "$raw2" | sort | uniq -c | awk '{ print $2 "\t" $1 }' >"$tmp/short2"
med 2 | awk -F'\t' -v r="$tmp/short2" -v w="$tmp/wall2" 'BEGIN {
		while ((getline l < r) > 0) { split(l, a, "\t"); s[a[1]] = a[2] }
		while ((getline l < w) > 0) { split(l, a, "\t"); wall[a[1]] = a[2] } }
	{ printf "%s\t%s\t%d\n", $0, wall[$1], s[$1] }' >"$res2"
[ -s "$tmp/err" ] && sed 's/^/udp bench: /' "$tmp/err" | sort -u | head -5 >&2

get2() { awk -F'\t' -v k="$1" '$1 == k { print $2; exit }' "$res2"; }
fmt2() { local l; l=$(awk -F'\t' -v k="$1" '$1 == k { print; exit }' "$res2"); [ -n "$l" ] &&
	awk -F'\t' '{ printf "%.3f M/s per CPU-s (%.2f-%.2f; wall %.3f M/s%s)", $2 / 1e6, $3 / 1e6, $4 / 1e6, $5 / 1e6,
		$6 ? "; " $6 " short rounds" : "" }' <<<"$l" ||
	printf 'n/a'; }
get3() { awk -F'\t' -v k="$1" '$1 == k { print $2; exit }' "$res3"; }
fmt3() { local l; l=$(awk -F'\t' -v k="$1" '$1 == k { print; exit }' "$res3"); [ -n "$l" ] &&
	awk -F'\t' '{ printf "%.2f us CPU (%.3f M/s per CPU-s; wall %.3f M/s)", 1e6 / $2, $2 / 1e6, $3 / 1e6 }' <<<"$l" ||
	printf 'n/a'; }
# side_table GET FMT: the five rows of tables 2 and 3 with ratio and target columns
side_table() {
	local get=$1 fmt=$2 b tgt met
	row "operation" "ipv4kit" "Go x/net/ipv4" "ratio" "target" "met?"
	row "---" "---:" "---:" "---:" "---" "---"
	row "plain (recvfrom / sendto; Go: ReadFrom / WriteTo, no control message)" "$($fmt ipk_plain)" \
		"$($fmt go_plain)" "$(ratio "$($get ipk_plain)" "$($get go_plain)")" "-" "-"
	row "single call with control messages (ipk_sock_read parsing TTL + PKTINFO / ipk_sock_write with IP_PKTINFO; Go: ReadFrom / WriteTo with cm)" \
		"$($fmt ipk_cm)" "$($fmt go_cm)" "$(ratio "$($get ipk_cm)" "$($get go_cm)")" ">= 2x Go" \
		"$(ge "$($get ipk_cm)" "$($get go_cm)" 2)"
	for b in 8 32 64; do
		tgt=- met=-
		if [ $b = 32 ]; then
			tgt=">= 3x ipv4kit single-call ($(ratio "$($get ipk_batch32)" "$($get ipk_cm)"); Go's own: $(ratio "$($get go_batch32)" "$($get go_cm)"))"
			met=$(ge "$($get ipk_batch32)" "$($get ipk_cm)" 3)
		fi
		row "batch of $b, same control messages (ipk_sock_read_batch / _write_batch; Go ReadBatch / WriteBatch)" \
			"$($fmt ipk_batch$b)" "$($fmt go_batch$b)" "$(ratio "$($get ipk_batch$b)" "$($get go_batch$b)")" \
			"$tgt" "$met"
	done
}
echo
echo "Receive path, receiver-limited (queue drain): $dn datagrams of 64 bytes queued in the receiver's socket (SO_RCVBUFFORCE) by one and the same sender for both libraries (ipk-udp-bench fill: sendmmsg batches of 64, CPU 0) while the receiver sleeps; then the receiver (CPU 1) reads the queue dry with the mode under test, control messages checked (TTL 64, interface, destination). Rate = datagrams per receiver CPU-second during the drain (getrusage user + system around the drain; Go: all runtime threads), i.e. library + system-call cost per datagram alone, insensitive to other jobs on a shared machine; wall = datagrams / drain time. Ratio and targets use the per-CPU rate. Median of $((dpasses * drounds)) rounds ($dpasses receiver processes of $drounds, interleaved ipv4kit / Go; range min-max); a round that lost datagrams is left out and counted as short. RPS off for this table."
echo
side_table get2 fmt2
echo
echo "Send path: $txn datagrams of 64 bytes per run into a sink that never reads, sender on CPU 0, receive softirq on CPU 1 (RPS: $rps). CPU = user + system time of the sending process per datagram (getrusage around the send loop; Go: all runtime threads), median of $runs runs; M/s per CPU-s = 1 / CPU; ratio and targets use M/s per CPU-s. Go's single calls: WriteTo; the ipv4kit plain row is sendto(2)."
echo
side_table get3 fmt3
gov=n/a; [ $have_go = 1 ] && gov="$(go version | awk '{ print $3 }') golang.org/x/net/ipv4 (GOPATH /usr/share/gocode)"
echo
echo "Go: $gov. Rerun: tests/bench/udp.sh (or run.sh; IPK_BENCH_NO_UDP=1 skips this part)."
exit 0
