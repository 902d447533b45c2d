#!/usr/bin/env bash
# harness.sh - pcap harness benchmark (issue 4): `replay verify` pkt/s, `replay send --topspeed` against tcpreplay --topspeed over a veth pair, `craft` against scapy wrpcap; one Markdown table.
#
# usage: tests/bench/harness.sh   (about 60 s, half of it scapy; the replay rows need root for namespaces; also run by run.sh)
# env:   IPK_BENCH_BUILD     build dir (default <repo>/build/bench, the `bench` preset)
#        IPK_BENCH_CLI_RUNS  runs of `replay verify` on the 1,000,000-frame capture (default 5), median
#        IPK_BENCH_VERIFY_N  frames of that capture (default 1000000, made by ipk-mkcap)
#        IPK_BENCH_REPLAY_N  datagrams per replay capture (default 200000), IPK_BENCH_REPLAY_RUNS runs
#                            of each tool per size, alternating (default 3), median
#        IPK_BENCH_CRAFT_N   packets written by craft and by scapy (default 100000), _CRAFT_RUNS runs of
#                            craft (3), _SCAPY_RUNS runs of scapy (1: about 25 s each at ~4 k pkt/s)
#        IPK_BENCH_NO_TCPREPLAY=1, IPK_BENCH_NO_SCAPY=1: leave that peer out (n/a)
# verify: `ipv4kit replay verify -q` wall time (process included) on the ipk-mkcap mix.
# replay: two namespaces joined by a veth pair (tests/lib/netns.sh, 198.18.0.0/15); the same UDP
# datagrams (64 or 512 bytes of IPv4, IDs counting up) crafted twice: a raw-IPv4 capture for
# `ipv4kit replay send --topspeed -i IF` (raw IP_HDRINCL socket, sendmmsg) and an Ethernet capture
# (the veth MACs) for `tcpreplay --topspeed -i IF` (Debian tcpreplay) and for `ipv4kit replay send
# --topspeed --link -i IF` (the same frames through a packet socket, as tcpreplay). Each tool's own
# rate (sent / its sending time); "received" is the peer veth's rx_packets delta over the sent count.
# craft: `ipv4kit craft -c N --inc-id ... -w FILE` wall time (process included) against scapy's
# building of the same N packets plus wrpcap(), timed inside python3 (import excluded); the two
# files are checked to hold the same datagrams (tcpdump -t -x of both).
# Figures, not assertions: exits 0 whatever the numbers are (2 when the build fails).
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${IPK_BENCH_BUILD:-$root/build/bench}
cliruns=${IPK_BENCH_CLI_RUNS:-5}
vn=${IPK_BENCH_VERIFY_N:-1000000}
rn=${IPK_BENCH_REPLAY_N:-200000}
rruns=${IPK_BENCH_REPLAY_RUNS:-3}
cn=${IPK_BENCH_CRAFT_N:-100000}
cruns=${IPK_BENCH_CRAFT_RUNS:-3}
sruns=${IPK_BENCH_SCAPY_RUNS:-1}
bdir=$build/tests/bench
cli=$build/tools/ipv4kit
# Debian's python3 (python3-scapy lives in its dist-packages), not a pyenv shim
py=/usr/bin/python3
[ -x "$py" ] || py=python3

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
cmake --build "$build" -j2 --target ipk-mkcap ipv4kit-cli >/dev/null || {
	log "build failed: cmake --build $build -j2 --target ipk-mkcap ipv4kit-cli"; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ipk-hbench.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
res=$tmp/res.tsv
: >"$res"
put() { printf '%s\t%s\n' "$1" "$2" >>"$res"; }
get() { awk -F'\t' -v k="$1" '$1 == k { print $2; exit }' "$res"; }
# median of the numbers on stdin (empty when none)
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
nowns() { date +%s%N; }

# --- verify ------------------------------------------------------------------------------------
log "verify: ipk-mkcap -n $vn, ipv4kit replay verify -q x $cliruns"
vcap=$tmp/mix.pcap
if "$bdir/ipk-mkcap" -n "$vn" "$vcap" >/dev/null 2>&1; then
	"$cli" replay verify -q "$vcap" >/dev/null 2>&1 # page cache warm, like every later run
	vrc=$?
	for ((i = 0; i < cliruns; i++)); do
		t0=$(nowns)
		"$cli" replay verify -q "$vcap" >/dev/null 2>&1
		t1=$(nowns)
		echo $((t1 - t0))
	done | median >"$tmp/v"
	[ "$vrc" = 0 ] || log "replay verify exited $vrc on the generated capture"
	v=$(cat "$tmp/v")
	[ -n "$v" ] && put verify_pps "$(awk -v n="$vn" -v t="$v" 'BEGIN { printf "%.0f", n / (t / 1e9) }')"
	put verify_rc "$vrc"
	rm -f "$vcap"
else
	log "ipk-mkcap failed"
fi

# --- craft -------------------------------------------------------------------------------------
log "craft: $cn packets, ipv4kit craft x $cruns, scapy wrpcap x $sruns"
src=198.18.0.1 dst=198.18.0.2
pl=$(printf '00%.0s' $(seq 36)) # 36 payload bytes: 64-byte datagrams
for ((i = 0; i < cruns; i++)); do
	t0=$(nowns)
	"$cli" craft -c "$cn" --inc-id --ts 1 ip src=$src dst=$dst id=1 udp sport=1024 dport=9 hex="$pl" \
		-w "$tmp/craft.pcap" --overwrite >/dev/null 2>&1 || { log "craft failed"; break; }
	t1=$(nowns)
	echo $((t1 - t0))
done | median >"$tmp/c"
c=$(cat "$tmp/c")
[ -n "$c" ] && put craft_pps "$(awk -v n="$cn" -v t="$c" 'BEGIN { printf "%.0f", n / (t / 1e9) }')"
have_scapy=0
if [ "${IPK_BENCH_NO_SCAPY:-0}" != 1 ] && "$py" -c 'import scapy.all' >/dev/null 2>&1; then
	have_scapy=1
	sv=$("$py" -c 'import scapy; print(scapy.__version__)' 2>/dev/null)
	timeout 150 "$py" - "$cn" "$sruns" "$tmp/scapy.pcap" "$src" "$dst" <<'EOF' >"$tmp/s" 2>"$tmp/s.err"
import sys, time
from scapy.all import IP, UDP, Raw, wrpcap
n, runs, out, src, dst = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
pl = bytes(36)
for _ in range(runs):
    t0 = time.perf_counter()
    pkts = [IP(src=src, dst=dst, id=(1 + i) & 0xffff) / UDP(sport=1024, dport=9) / Raw(pl) for i in range(n)]
    wrpcap(out, pkts)
    print(int((time.perf_counter() - t0) * 1e9))
EOF
	s=$(median <"$tmp/s")
	if [ -n "$s" ]; then
		put scapy_pps "$(awk -v n="$cn" -v t="$s" 'BEGIN { printf "%.0f", n / (t / 1e9) }')"
		# same datagrams? (timestamps left out; scapy's link type is raw IPv4 too)
		if command -v tcpdump >/dev/null 2>&1; then
			a=$(tcpdump -n -t -x -r "$tmp/craft.pcap" 2>/dev/null | md5sum)
			b=$(tcpdump -n -t -x -r "$tmp/scapy.pcap" 2>/dev/null | md5sum)
			[ "$a" = "$b" ] && put craft_same yes || put craft_same no
		fi
	else
		log "scapy run failed: $(head -3 "$tmp/s.err")"
	fi
	rm -f "$tmp/scapy.pcap"
fi
rm -f "$tmp/craft.pcap"

# --- replay over a veth pair (a subshell: netns.sh exits 77 when namespaces are unavailable) ---
have_tcpreplay=0
[ "${IPK_BENCH_NO_TCPREPLAY:-0}" != 1 ] && command -v tcpreplay >/dev/null 2>&1 && have_tcpreplay=1
log "replay: $rn datagrams of 64 and 512 bytes, ipv4kit replay send --topspeed (RawConn, and --link) vs tcpreplay --topspeed, $rruns runs each"
(
	. "$root/tests/lib/netns.sh"
	netns_setup 2
	mac() { ip -n "$1" -o link show "$2" | grep -o 'link/ether [^ ]*' | cut -d' ' -f2; }
	rx() { ip netns exec "$NS2" cat "/sys/class/net/$IF2/statistics/rx_packets" 2>/dev/null || echo 0; }
	m1=$(mac "$NS1" "$IF1") m2=$(mac "$NS2" "$IF2")
	for size in 64 512; do
		pl=$(printf '00%.0s' $(seq $((size - 28))))
		spec=(ip src="$ADDR1" dst="$ADDR2" id=1 udp sport=1024 dport=9 hex="$pl")
		"$cli" craft -c "$rn" --inc-id --ts 1 "${spec[@]}" -w "$tmp/r$size.pcap" --overwrite >/dev/null ||
			{ echo "craft_fail"; continue; }
		"$cli" craft -c "$rn" --inc-id --ts 1 --link ether --mac-src "$m1" --mac-dst "$m2" "${spec[@]}" \
			-w "$tmp/e$size.pcap" --overwrite >/dev/null || { echo "craft_fail"; continue; }
		for ((i = 0; i < rruns; i++)); do
			a=$(rx)
			out=$(ip netns exec "$NS1" timeout 30 "$cli" replay send --topspeed -q -i "$IF1" "$tmp/r$size.pcap" 2>&1)
			b=$(rx)
			# "sent N datagrams (B bytes) in S s: R pkt/s; ..."
			awk -v s=$size -v r=$((b - a)) '/^sent / { printf "ipk%s\t%s\t%s\t%s\n", s, $9, $2, r }' <<<"$out"
			a=$(rx)
			out=$(ip netns exec "$NS1" timeout 30 "$cli" replay send --topspeed --link -q -i "$IF1" "$tmp/e$size.pcap" 2>&1)
			b=$(rx)
			awk -v s=$size -v r=$((b - a)) '/^sent / { printf "lnk%s\t%s\t%s\t%s\n", s, $9, $2, r }' <<<"$out"
			if [ $have_tcpreplay = 1 ]; then
				a=$(rx)
				out=$(ip netns exec "$NS1" timeout 30 tcpreplay --topspeed -i "$IF1" "$tmp/e$size.pcap" 2>&1)
				b=$(rx)
				# "Actual: N packets (B bytes) sent in S seconds"
				awk -v s=$size -v r=$((b - a)) '/Actual:/ { printf "tcpr%s\t%s\t%s\t%s\n", s, $2 / $8, $2, r }' <<<"$out"
			fi
		done
		rm -f "$tmp/r$size.pcap" "$tmp/e$size.pcap"
	done
) >"$tmp/replay" 2>"$tmp/replay.err"
rrc=$?
for k in ipk64 lnk64 tcpr64 ipk512 lnk512 tcpr512; do
	# median rate, and the received fraction of that run's sends (summed over the runs)
	v=$(awk -F'\t' -v k=$k '$1 == k { print $2 }' "$tmp/replay" | median)
	[ -n "$v" ] && put "${k}_pps" "$v"
	f=$(awk -F'\t' -v k=$k '$1 == k { s += $3; r += $4 } END { if (s) printf "%.1f", 100 * r / s }' "$tmp/replay")
	[ -n "$f" ] && put "${k}_rx" "$f"
done
replay_note=
case $rrc in
0) ;;
77) replay_note="replay rows n/a: $(grep -m1 SKIP "$tmp/replay" "$tmp/replay.err" | sed 's/^[^:]*:SKIP: //')" ;;
*) replay_note="replay part exited $rrc: $(head -2 "$tmp/replay.err" | tr '\n' ' ')" ;;
esac
grep -q craft_fail "$tmp/replay" && replay_note="$replay_note craft of a replay capture failed."

# --- table -------------------------------------------------------------------------------------
row() { printf '| %s | %s | %s | %s | %s | %s |\n' "$@"; }
mpps() { [ -n "$1" ] && awk -v v="$1" 'BEGIN { printf "%.2f M pkt/s", v / 1e6 }' || printf 'n/a'; }
kpps() { [ -n "$1" ] && awk -v v="$1" 'BEGIN { printf "%.0f k pkt/s", v / 1e3 }' || printf 'n/a'; }
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }' || printf 'n/a'; }
# yes / no when both are known, else n/a
atleast() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { print (a >= b) ? "yes" : "no" }' || printf 'n/a'; }
rxn() { local f; f=$(get "$1_rx"); [ -n "$f" ] && printf ', %s%% received' "$f"; }

vp=$(get verify_pps)
echo
echo "pcap harness benchmark (issue 4), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
echo "verify: median of $cliruns runs on $vn frames; replay: median of $rruns runs of $rn datagrams per tool and size; craft: median of $cruns runs (scapy $sruns) of $cn packets. ratio = ipv4kit pkt/s / peer pkt/s."
echo
row "operation" "ipv4kit" "peer" "ratio" "target" "met?"
row "---" "---:" "---:" "---:" "---" "---"
vmet=n/a
[ -n "$vp" ] && vmet=$(atleast "$vp" 10000000)
[ "$(get verify_rc)" = 0 ] || vmet="$vmet (verify exit $(get verify_rc))"
row "\`replay verify -q\`, $vn frames (ipk-mkcap mix)" "$(mpps "$vp")" "-" "-" ">= 10 M pkt/s" "$vmet"
for size in 64 512; do
	a=$(get ipk${size}_pps) b=$(get tcpr${size}_pps)
	peer="n/a"
	[ $have_tcpreplay = 1 ] && peer="tcpreplay --topspeed $(kpps "$b")$(rxn tcpr$size)"
	row "\`replay send --topspeed\` over veth, $size-byte datagrams" "$(kpps "$a")$(rxn ipk$size)" "$peer" \
		"$(ratio "$a" "$b")" ">= tcpreplay pkt/s" "$(atleast "$a" "$b")"
	a=$(get lnk${size}_pps)
	row "\`replay send --topspeed --link\` over veth, $size-byte datagrams (Ethernet capture)" \
		"$(kpps "$a")$(rxn lnk$size)" "$peer" "$(ratio "$a" "$b")" ">= tcpreplay pkt/s" "$(atleast "$a" "$b")"
done
cp=$(get craft_pps) sp=$(get scapy_pps)
same=$(get craft_same)
row "\`craft -c $cn --inc-id ... -w\`, 64-byte UDP" "$(mpps "$cp")" "scapy wrpcap $(kpps "$sp")${same:+, same datagrams: $same}" \
	"$(ratio "$cp" "$sp")" "compared" "-"
echo
tv=n/a; [ $have_tcpreplay = 1 ] && tv=$(tcpreplay -V 2>&1 | head -1)
echo "Peers: $tv (Ethernet capture of the same datagrams); scapy ${sv:-n/a} ($py, packets built and written inside one process, import not timed)."
[ -n "$replay_note" ] && echo "$replay_note"
exit 0
