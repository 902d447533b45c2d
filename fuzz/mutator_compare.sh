#!/usr/bin/env bash
# mutator_compare.sh - edges covered by each libFuzzer harness after the same number of executions without and with the structure-aware mutator (fuzz_<h> against fuzz_<h>_mut), one markdown table row per harness.
# Usage: fuzz/mutator_compare.sh [RUNS [SEEDS [HARNESS...]]]
#   RUNS     executions per run (libFuzzer -runs; default 200000)
#   SEEDS    runs per harness and variant, libFuzzer -seed=1..SEEDS (default 3)
#   HARNESS  default: every harness with a _mut twin (igmp igmprt ip4rt ipopt packet, those present)
# IPK_COMPARE_ONE=1: start from one valid seed per harness instead of the whole seed corpus
# (a v3 group-and-source query for igmp, igmprt, ip4rt and packet; RA+TS+NOP for ipopt).
# Builds build/fuzz-mut (clang, ASan+UBSan, IPK_FUZZ_MUTATOR=ON); each run starts from a scratch
# copy of fuzz/corpus/HARNESS and runs under nice -n 19. Edges: libFuzzer's final "cov:" (inline
# 8-bit counters of the instrumented library and harness hit so far), features "ft:".
set -eu
runs=${1:-200000}
seeds=${2:-3}
shift $(($# < 2 ? $# : 2))
case $runs$seeds in *[!0-9]*) echo "usage: fuzz/mutator_compare.sh [RUNS [SEEDS [HARNESS...]]]" >&2; exit 2 ;; esac
cd "$(dirname "$0")/.."
command -v clang >/dev/null || { echo "mutator_compare.sh: needs clang (libFuzzer)" >&2; exit 3; }
b=build/fuzz-mut
CC=clang cmake -S . -B $b -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIPK_BUILD_FUZZERS=ON -DIPK_FUZZ_MUTATOR=ON \
	-DIPK_BUILD_TESTS=OFF -DIPK_BUILD_TOOLS=OFF -DIPK_SANITIZE=ON >/dev/null
hs=()
for h in ${*:-igmp igmprt ip4rt ipopt packet}; do
	[ -f "fuzz/fuzz_$h.c" ] || continue
	nice -n 19 cmake --build $b -j2 --target "fuzz_$h" "fuzz_${h}_mut" >/dev/null
	hs+=("$h")
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS=detect_leaks=0
# one run: prints "edges features seconds"
one() {
	rm -rf "$tmp/c"
	mkdir "$tmp/c"
	if [ -n "${IPK_COMPARE_ONE:-}" ]; then
		case $2 in
		igmp | igmprt) cp "fuzz/corpus/$2/v3-gs-query-3src" "$tmp/c/" ;;
		ip4rt | packet) cp "fuzz/corpus/$2/igmp-v3-gs-query-3src" "$tmp/c/" ;;
		ipopt) cp fuzz/corpus/ipopt/mix-ra-ts-nop "$tmp/c/" ;;
		esac
	else
		find "fuzz/corpus/$2" -maxdepth 1 -type f ! -name 'crash-*' -exec cp {} "$tmp/c/" \;
	fi
	local t0 t1 line
	t0=$(date +%s.%N)
	line=$(nice -n 19 "$b/fuzz/$1" -runs="$runs" -seed="$3" "$tmp/c" 2>&1 | grep -E '^#[0-9]+[[:space:]]+DONE' | tail -1)
	t1=$(date +%s.%N)
	[ -n "$line" ] || { echo "mutator_compare.sh: $1 -seed=$3 did not finish" >&2; exit 1; }
	echo "$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$line") $(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$line") $(awk "BEGIN { print $t1 - $t0 }")"
}
# mean, min-max of a list of numbers
summ() { tr ' ' '\n' <<<"$1" | awk 'NF { s += $1; if (n == 0 || $1 < lo) lo = $1; if ($1 > hi) hi = $1; n++ }
	END { printf "%.0f (%d-%d)", s / n, lo, hi }'; }
echo "| harness | runs x seeds | edges without | edges with | features without | features with | seconds without / with |"
echo "|---|---|---|---|---|---|---|"
for h in "${hs[@]}"; do
	e0= e1= f0= f1= s0=0 s1=0
	for s in $(seq 1 "$seeds"); do
		read -r e f t <<<"$(one "fuzz_$h" "$h" "$s")"
		e0+=" $e" f0+=" $f" s0=$(awk "BEGIN { print $s0 + $t }")
		read -r e f t <<<"$(one "fuzz_${h}_mut" "$h" "$s")"
		e1+=" $e" f1+=" $f" s1=$(awk "BEGIN { print $s1 + $t }")
	done
	printf '| %s | %s x %s | %s | %s | %s | %s | %.1f / %.1f |\n' "$h" "$runs" "$seeds" "$(summ "$e0")" \
		"$(summ "$e1")" "$(summ "$f0")" "$(summ "$f1")" "$s0" "$s1"
done
