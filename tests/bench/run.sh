#!/usr/bin/env bash
# run.sh - build and run every ipv4kit benchmark (codec, Go x/net/ipv4, libnet, tcpdump) and print one Markdown table of medians and ratios.
#
# usage: tests/bench/run.sh            (from anywhere; about 1-2 minutes on a 2-core machine)
#        tests/bench/run.sh --udp-only (only the UDP-through-veth part: tests/bench/udp.sh, needs root)
#        tests/bench/run.sh --querier-only (only the querier tables: tests/bench/querier.sh)
#        tests/bench/run.sh --host-role-only (only the host role in process: ipk-host-bench)
#        tests/bench/run.sh --host-only (only the host emulator tables: tests/bench/host.sh, needs root)
# env:   IPK_BENCH_BUILD   build dir (default <repo>/build/bench, the `bench` preset)
#        IPK_BENCH_PACKETS frames in the generated capture (default 1000000)
#        IPK_BENCH_RUNS    timed runs per micro-benchmark (default 31, at most 64), IPK_BENCH_MS ms per run (2:
#                          short runs dodge preemption on a shared machine)
#        IPK_BENCH_CLI_RUNS runs of each whole-capture command (default 5)
#        IPK_BENCH_KEEP=1  keep the temporary directory (capture, raw results)
#        IPK_BENCH_NO_GO=1, IPK_BENCH_NO_LIBNET=1, IPK_BENCH_NO_TCPDUMP=1: leave that peer out (n/a)
#        IPK_BENCH_NO_UDP=1 skip the UDP datagrams-per-second section (udp.sh: IPK_BENCH_UDP_MS, _RUNS)
#        IPK_BENCH_NO_HARNESS=1 skip the pcap harness section (harness.sh: replay verify, replay send
#                          vs tcpreplay over veth, craft vs scapy wrpcap; about 1 min)
#        IPK_BENCH_NO_QUERIER=1 skip the querier section (querier.sh: ipk-querier-bench in process, then
#                          igmp_rx.sh end to end through a veth, needs root; about 30 s)
#        IPK_BENCH_NO_HOST_ROLE=1 skip the host role in process (ipk-host-bench: reports built per
#                          second, joins per second, memory per host; IPK_BENCH_HOST_RUNS runs, default 5)
#        IPK_BENCH_NO_HOST=1 skip the host emulator section (host.sh: ipv4kit host reports/s vs scapy
#                          sendp, joins against the Linux bridge, memory; needs root; about 1 min)
#        IPK_BENCH_NO_INSTALL=1 do not apt-get install the peers (Go, libnet, tcpreplay, scapy)
#        IPK_BENCH_CALLGRIND=1 also print instructions per op of every ipk-bench operation, counted
#                          with valgrind --tool=callgrind (stable where timings are noisy; +1 min)
# Figures, not assertions: the script exits 0 whatever the numbers are; it is not run by CI.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${IPK_BENCH_BUILD:-$root/build/bench}
npkts=${IPK_BENCH_PACKETS:-1000000}
runs=${IPK_BENCH_RUNS:-31}
ms=${IPK_BENCH_MS:-2}
cliruns=${IPK_BENCH_CLI_RUNS:-5}
bdir=$build/tests/bench

log() { printf '%s\n' "$*" >&2; }

# The peers, installed if missing (Debian 12, as root; IPK_BENCH_NO_INSTALL=1 skips this and missing
# peers print n/a).
if [ "${IPK_BENCH_NO_INSTALL:-0}" != 1 ] && [ "$(id -u)" -eq 0 ]; then
	bash "$root/tools/deps.sh" golang-go golang-golang-x-net-dev libnet1-dev tcpreplay python3-scapy \
		valgrind || log "run.sh: could not install every peer; missing ones print n/a"
fi

if [ "${1:-}" = --udp-only ]; then
	IPK_BENCH_BUILD=$build exec bash "$here/udp.sh"
fi
if [ "${1:-}" = --querier-only ]; then
	IPK_BENCH_BUILD=$build exec bash "$here/querier.sh"
fi
# The host role in process: ipk-host-bench prints its own Markdown table (medians of runs).
host_role() {
	cmake --build "$build" -j2 --target ipk-host-bench >/dev/null &&
		timeout 300 "$bdir/ipk-host-bench" "${IPK_BENCH_HOST_RUNS:-5}"
}
if [ "${1:-}" = --host-role-only ]; then
	[ -f "$build/CMakeCache.txt" ] || (cd "$root" && cmake --preset bench >/dev/null) || exit 2
	host_role
	exit
fi
if [ "${1:-}" = --host-only ]; then
	IPK_BENCH_BUILD=$build exec bash "$here/host.sh"
fi

# --- build -------------------------------------------------------------------------------------
if [ ! -f "$build/CMakeCache.txt" ]; then
	log "configuring $build (bench preset)"
	if [ "$build" = "$root/build/bench" ]; then
		(cd "$root" && cmake --preset bench >/dev/null) || exit 2
	else
		cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
			-DIPK_BUILD_TESTS=OFF -DIPK_BUILD_BENCH=ON >/dev/null || exit 2
	fi
fi
log "building in $build"
cmake --build "$build" -j2 --target ipk-bench ipk-mkcap ipv4kit-cli >/dev/null || {
	log "build failed: cmake --build $build -j2 --target ipk-bench ipk-mkcap ipv4kit-cli"; exit 2; }
have_libnet=0
if [ "${IPK_BENCH_NO_LIBNET:-0}" != 1 ] && cmake --build "$build" -j2 --target ipk-libnet-bench >/dev/null 2>&1 &&
	[ -x "$bdir/ipk-libnet-bench" ]; then
	have_libnet=1
else
	log "libnet benchmark not available (libnet1-dev missing?): peer column n/a"
fi
have_go=0
if [ "${IPK_BENCH_NO_GO:-0}" != 1 ] && command -v go >/dev/null 2>&1; then
	if (cd "$here/go" && GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= GOPROXY=off \
		GOCACHE=${GOCACHE:-$bdir/gocache} go build -o "$bdir/ipk-gobench" . ) >&2; then
		have_go=1
	else
		log "Go benchmark did not build (golang-golang-x-net-dev missing?): peer column n/a"
	fi
else
	log "go not installed (or IPK_BENCH_NO_GO=1): Go peer column n/a"
fi
have_tcpdump=0
[ "${IPK_BENCH_NO_TCPDUMP:-0}" != 1 ] && command -v tcpdump >/dev/null 2>&1 && have_tcpdump=1
cli=$build/tools/ipv4kit

load0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ipk-bench.XXXXXX") || exit 2
if [ "${IPK_BENCH_KEEP:-0}" = 1 ]; then
	log "keeping $tmp"
else
	trap 'rm -rf "$tmp"' EXIT
fi
res=$tmp/results.tsv
: >"$res"

# --- capture -----------------------------------------------------------------------------------
cap=$tmp/mix.pcap
"$bdir/ipk-mkcap" -n "$npkts" "$cap" 2>/dev/null || { log "ipk-mkcap failed"; exit 2; }

# --- micro-benchmarks --------------------------------------------------------------------------
log "ipk-bench ($runs runs x ${ms} ms per operation)"
"$bdir/ipk-bench" -r "$runs" -m "$ms" -p "$cap" >>"$res" || log "ipk-bench failed"
if [ $have_go = 1 ]; then
	log "ipk-gobench"
	"$bdir/ipk-gobench" -runs "$runs" -ms "$ms" >>"$res" || have_go=0
fi
if [ $have_libnet = 1 ]; then
	log "ipk-libnet-bench"
	"$bdir/ipk-libnet-bench" -r "$runs" -m "$ms" >>"$res" || have_libnet=0
fi

# --- whole-capture commands: median wall time of $cliruns runs, output to /dev/null -------------
# time_cmd NAME CMD...: records NAME<TAB>median seconds
time_cmd() {
	local name=$1; shift
	local t=() i t0 t1 rc
	for ((i = 0; i < cliruns; i++)); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		rc=$?
		t1=$(date +%s%N)
		if [ $rc -ge 2 ]; then
			log "$name: exit $rc: $*"
			return
		fi
		t+=($((t1 - t0)))
	done
	printf '%s\n' "${t[@]}" | sort -n | awk -v n="$name" '{ v[NR] = $1 }
		END { printf "%s\t%.6f\n", n, v[int((NR + 1) / 2)] / 1e9 }' >>"$res"
}
log "whole-capture runs ($cliruns each): tcpdump, ipv4kit decode"
if [ $have_tcpdump = 1 ]; then
	time_cmd tcpdump_v env TZ=UTC tcpdump -n -v -r "$cap"
fi
time_cmd decode_text "$cli" decode "$cap"
time_cmd decode_verbose "$cli" decode -v "$cap"
time_cmd decode_json "$cli" decode --json "$cap"
time_cmd decode_quiet "$cli" decode -q "$cap"
time_cmd pcap_floor "$bdir/ipk-bench" -R "$cap"

# --- table -------------------------------------------------------------------------------------
get() { awk -F'\t' -v k="$1" '$1 == k { print $2; exit }' "$res"; }
get3() { awk -F'\t' -v k="$1" '$1 == k { print $3; exit }' "$res"; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
ns() { [ -n "$1" ] && calc "%.2f ns" "$1" || printf 'n/a'; }
# ratio A B: A / B, or n/a
ratio() { [ -n "$1" ] && [ -n "$2" ] && calc "%.1fx" "$1 / $2" || printf 'n/a'; }
# le/ge X LIMIT: 1 if met, 0 if not, empty when X is unknown
le() { [ -n "$1" ] && awk -v a="$1" -v b="$2" 'BEGIN { print (a <= b) ? 1 : 0 }'; }
ge() { [ -n "$1" ] && awk -v a="$1" -v b="$2" 'BEGIN { print (a >= b) ? 1 : 0 }'; }
# met C...: yes if every known condition holds, no if one fails; "(partly n/a)" when some unknown
met() {
	local c all=yes unk=0 known=0
	for c in "$@"; do
		case $c in 1) known=1 ;; 0) all=no; known=1 ;; *) unk=1 ;; esac
	done
	if [ $known = 0 ]; then all=n/a
	elif [ $unk = 1 ] && [ $all = yes ]; then all="yes (peer n/a)"; fi
	printf '%s' "$all"
}
row() { printf '| %s | %s | %s | %s | %s | %s |\n' "$@"; }
pps() { [ -n "$1" ] && calc "%.2f M pkt/s" "$npkts / $1 / 1e6" || printf 'n/a'; }
rate() { [ -n "$1" ] && calc "%.6f" "$npkts / $1"; }
go_note() { local a; a=$(get3 "$1"); [ -n "$a" ] && printf ' (%s)' "$a"; }

p20=$(get parse20); p60=$(get parse60); gp20=$(get go_parse20); gp60=$(get go_parse60)
gph20=$(get go_parseheader20); gph60=$(get go_parseheader60)
m20=$(get marshal20); m60=$(get marshal60); gm20=$(get go_marshal20); gm60=$(get go_marshal60)
c1500=$(get csum1500); gbs1500=$(get3 csum1500)
dg=$(get v3dgram)
ln_v3=$(awk -F'\t' '$1 ~ /^libnet_v3dgram_/ { if (m == "" || $2 < m) m = $2 } END { print m }' "$res")
ln_ip=$(awk -F'\t' '$1 ~ /^libnet_ip20_/ { if (m == "" || $2 < m) m = $2 } END { print m }' "$res")
pf=$(get pcap_floor); td=$(get tcpdump_v); dt=$(get decode_text); dv=$(get decode_verbose); dj=$(get decode_json); dq=$(get decode_quiet)
r_td=$(rate "$td"); r_dt=$(rate "$dt"); r_dv=$(rate "$dv"); r_dj=$(rate "$dj"); r_dq=$(rate "$dq")
rx() { [ -n "$1" ] && [ -n "$2" ] && calc "%.4f" "$1 / $2"; }

echo
echo "ipv4kit benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//'), load average at start $load0"
echo "Medians: micro-benchmarks $runs runs x ${ms} ms; whole-capture commands $cliruns runs on $npkts frames (IGMPv2, IGMPv3, UDP+RA, UDP). ratio = peer time / ipv4kit time (or ipv4kit pkt/s / tcpdump pkt/s)."
echo
row "operation" "ipv4kit median" "peer median" "ratio" "target" "met?"
row "---" "---:" "---:" "---:" "---" "---"
row "20-byte header parse, strict + checksum" "$(ns "$p20")" "Go Header.Parse $(ns "$gp20")$(go_note go_parse20)" "$(ratio "$gp20" "$p20")" "<= 10 ns, >= 8x Header.Parse" \
	"$(met "$(le "$p20" 10)" "$(ge "$(rx "$gp20" "$p20")" 8)")"
row "20-byte header parse, strict + checksum" "$(ns "$p20")" "Go ParseHeader $(ns "$gph20")$(go_note go_parseheader20)" "$(ratio "$gph20" "$p20")" ">= 15x ParseHeader" \
	"$(met "$(ge "$(rx "$gph20" "$p20")" 15)")"
row "20-byte header parse, Go profile" "$(ns "$(get parse20_go)")" "Go Header.Parse $(ns "$gp20")" "$(ratio "$gp20" "$(get parse20_go)")" "-" "-"
row "60-byte header parse, strict (RA+RR validated)" "$(ns "$p60")" "Go Header.Parse $(ns "$gp60")$(go_note go_parse60)" "$(ratio "$gp60" "$p60")" "-" "-"
row "60-byte header parse, strict (RA+RR validated)" "$(ns "$p60")" "Go ParseHeader $(ns "$gph60")$(go_note go_parseheader60)" "$(ratio "$gph60" "$p60")" "-" "-"
row "20-byte header marshal (checksum computed)" "$(ns "$m20")" "Go Marshal $(ns "$gm20")$(go_note go_marshal20), no checksum" "$(ratio "$gm20" "$m20")" "-" "-"
row "20-byte header marshal (checksum computed)" "$(ns "$m20")" "libnet build_ipv4+coalesce $(ns "$ln_ip")" "$(ratio "$ln_ip" "$m20")" "-" "-"
row "60-byte header marshal (checksum computed)" "$(ns "$m60")" "Go Marshal $(ns "$gm60")$(go_note go_marshal60), no checksum" "$(ratio "$gm60" "$m60")" "-" "-"
for n in 20 1500 65535; do
	v=$(get csum$n); g=$(get3 csum$n)
	if [ "$n" = 1500 ]; then tgt=">= 8 GB/s"; ok=$(met "$(ge "$g" 8)"); else tgt="-"; ok="-"; fi
	row "checksum $n bytes" "$(ns "$v") ($([ -n "$g" ] && calc "%.2f" "$g" || echo n/a) GB/s)" "-" "-" "$tgt" "$ok"
done
row "options walk + typed decode, 40 bytes (RA, RR, EOL)" "$(ns "$(get optwalk)")" "-" "-" "-" "-"
row "options validate (Linux rules), 40 bytes" "$(ns "$(get optvalidate)")" "-" "-" "-" "-"
row "IGMPv3 report parse + record walk (4 rec x 4 src)" "$(ns "$(get v3parse)")" "-" "-" "-" "-"
row "IGMPv3 report build (4 rec x 4 src, checksum), one call" "$(ns "$(get v3build)")" "-" "-" "-" "-"
row "IGMPv3 report build, begin/add/end" "$(ns "$(get v3build_inc)")" "-" "-" "-" "-"
row "IPv4+RA+IGMPv3 report datagram build, both checksums" "$(ns "$dg")" "libnet build_igmp+options+ipv4+coalesce $(ns "$ln_v3")" "$(ratio "$ln_v3" "$dg")" "<= 40 ns, >= 10x libnet" \
	"$(met "$(le "$dg" 40)" "$(ge "$(rx "$ln_v3" "$dg")" 10)")"
row "in-process ipk_packet_decode, per frame of the mix" "$(ns "$(get decode)")" "-" "-" "-" "-"
row "in-process decode + fmt text / verbose / JSON, per frame" "$(ns "$(get fmt_text)") / $(ns "$(get fmt_verbose)") / $(ns "$(get fmt_json)")" "-" "-" "-" "-"
row "\`decode\` $npkts frames, text" "$(pps "$dt")" "tcpdump -n -v $(pps "$td")" "$(ratio "$r_dt" "$r_td")" ">= 5x tcpdump" "$(met "$(ge "$(rx "$r_dt" "$r_td")" 5)")"
row "\`decode -v\` $npkts frames, verbose text" "$(pps "$dv")" "tcpdump -n -v $(pps "$td")" "$(ratio "$r_dv" "$r_td")" "-" "-"
row "\`decode --json\` $npkts frames" "$(pps "$dj")" "tcpdump -n -v $(pps "$td")" "$(ratio "$r_dj" "$r_td")" ">= 3x tcpdump" "$(met "$(ge "$(rx "$r_dj" "$r_td")" 3)")"
row "\`decode -q\` $npkts frames, no output" "$(pps "$dq")" "-" "-" ">= 10 M pkt/s" "$(met "$(ge "$r_dq" 10000000)")"
row "libpcap read loop alone (pcap_next_ex), $npkts frames" "$(pps "$pf")" "-" "-" "floor under \`decode -q\`" "-"
echo
gov=n/a; [ $have_go = 1 ] && gov="$(go version | awk '{ print $3 }') golang.org/x/net/ipv4 (GOPATH /usr/share/gocode)"
lnv=$(get libnet_version); [ -n "$lnv" ] || lnv=n/a
tdv=n/a; [ $have_tcpdump = 1 ] && tdv=$(tcpdump --version 2>&1 | head -1)
echo "Peers: Go: $gov; libnet: $lnv (best of fresh build and ptag reuse, packet from libnet_pblock_coalesce); $tdv, run as TZ=UTC tcpdump -n -v -r FILE."
if [ "${IPK_BENCH_CALLGRIND:-0}" = 1 ] && command -v valgrind >/dev/null 2>&1; then
	# Ir(op run N times) - Ir(setup only), divided by N
	ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bdir/ipk-bench" -p "$cap" "$@" 2>&1 |
		awk '/Collected :/ { print $NF }'; }
	n=20000
	base=$(ir -f none -n 0)
	echo
	echo "Instructions per operation (valgrind --tool=callgrind, $n iterations, setup subtracted):"
	echo
	echo "| operation | instructions/op |"
	echo "| --- | ---: |"
	"$bdir/ipk-bench" -l | while IFS=$'\t' read -r name what; do
		v=$(ir -f "$name" -n $n)
		[ -n "$v" ] && [ -n "$base" ] && printf '| %s: %s | %s |\n' "$name" "$what" "$(calc "%.0f" "($v - $base) / $n")"
	done
fi
# --- UDP datagrams per second through a veth pair (udp.sh: namespaces, needs root) ------------
if [ "${IPK_BENCH_NO_UDP:-0}" != 1 ]; then
	log "UDP through veth (tests/bench/udp.sh; IPK_BENCH_NO_UDP=1 skips it)"
	IPK_BENCH_BUILD=$build bash "$here/udp.sh"
	case $? in
	0) ;;
	77) echo; echo "UDP benchmark skipped: network namespaces unavailable (needs root)." ;;
	*) echo; echo "UDP benchmark failed (rerun tests/bench/run.sh --udp-only)." ;;
	esac
fi
# --- pcap harness: verify, replay vs tcpreplay over veth, craft vs scapy (harness.sh) ----------
if [ "${IPK_BENCH_NO_HARNESS:-0}" != 1 ]; then
	log "pcap harness (tests/bench/harness.sh; IPK_BENCH_NO_HARNESS=1 skips it)"
	IPK_BENCH_BUILD=$build IPK_BENCH_CLI_RUNS=$cliruns timeout 300 bash "$here/harness.sh" ||
		{ echo; echo "pcap harness benchmark failed (rerun tests/bench/harness.sh)."; }
fi
# --- querier: records into the state table, in process and through the packet socket ---------
if [ "${IPK_BENCH_NO_QUERIER:-0}" != 1 ]; then
	log "querier (tests/bench/querier.sh; IPK_BENCH_NO_QUERIER=1 skips it)"
	IPK_BENCH_BUILD=$build timeout 300 bash "$here/querier.sh" ||
		{ echo; echo "querier benchmark failed (rerun tests/bench/run.sh --querier-only)."; }
fi
# --- host role: reports and joins per second in process (ipk-host-bench) -----------------------
if [ "${IPK_BENCH_NO_HOST_ROLE:-0}" != 1 ]; then
	log "host role (ipk-host-bench; IPK_BENCH_NO_HOST_ROLE=1 skips it)"
	echo
	host_role || { echo; echo "host role benchmark failed (rerun tests/bench/run.sh --host-role-only)."; }
fi
# --- host emulator: reports/s vs scapy, joins against the bridge, memory -----------------------
if [ "${IPK_BENCH_NO_HOST:-0}" != 1 ]; then
	log "host emulator (tests/bench/host.sh; IPK_BENCH_NO_HOST=1 skips it)"
	IPK_BENCH_BUILD=$build timeout 600 bash "$here/host.sh"
	case $? in
	0) ;;
	77) echo; echo "host emulator benchmark skipped: network namespaces unavailable (needs root)." ;;
	*) echo; echo "host emulator benchmark failed (rerun tests/bench/run.sh --host-only)." ;;
	esac
fi
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null). Timings on a shared machine are noisy; rerun: tests/bench/run.sh"
