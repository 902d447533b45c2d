#!/usr/bin/env bash
# run.sh - one AFL++ campaign on a fuzz harness (ASan+UBSan, persistent mode), with a summary of execs, exec/s, edges and crashes; exit 1 on a crash.
# Usage: fuzz/run.sh HARNESS SECONDS [--mutator]
#   HARNESS   a name of fuzz/fuzz_<name>.c (packet, igmp, ip4rt, ...)
#   SECONDS   how long afl-fuzz runs (afl-fuzz -V)
#   --mutator load the structure-aware custom mutator (AFL_CUSTOM_MUTATOR_LIBRARY): $IPK_AFL_MUTATOR,
#             else build/afl-mutator/fuzz/libipk_afl_mutator.so, built here when missing
# Environment: IPK_FUZZ_OUT (output directory; default build/fuzz-afl/campaigns/HARNESS-UTCSTAMP),
# IPK_FUZZ_ARGS (more afl-fuzz arguments). Builds the preset fuzz-afl first (afl-clang-fast; Debian
# package afl++, installed by tools/deps.sh). Exit: 0 clean, 1 crash(es) found, 2 usage, 3 setup.
set -eu
usage() { echo "usage: fuzz/run.sh HARNESS SECONDS [--mutator]" >&2; echo "hint: fuzz/run.sh igmp 60" >&2; exit 2; }
[ $# -ge 2 ] && [ $# -le 3 ] || usage
h=$1 secs=$2 mut=0 tag=
if [ $# -eq 3 ]; then
	[ "$3" = --mutator ] || usage
	mut=1 tag=-mutator
fi
case $secs in '' | *[!0-9]* | 0) echo "run.sh: SECONDS must be a positive integer, not '$secs'" >&2; usage ;; esac
cd "$(dirname "$0")/.."
root=$PWD
[ -f "fuzz/fuzz_$h.c" ] || { echo "run.sh: no harness fuzz/fuzz_$h.c" >&2; usage; }
[ -d "fuzz/corpus/$h" ] || { echo "run.sh: no seeds in fuzz/corpus/$h" >&2; exit 3; }
for t in afl-clang-fast afl-fuzz; do
	command -v $t >/dev/null || { echo "run.sh: $t not found (install afl++: bash tools/deps.sh)" >&2; exit 3; }
done

cmake --preset fuzz-afl >/dev/null
cmake --build --preset fuzz-afl --target "fuzz_${h}_afl" >/dev/null
bin=$root/build/fuzz-afl/fuzz/fuzz_${h}_afl
export AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 # core_pattern may pipe to a handler here
export AFL_AUTORESUME=0
# what afl-fuzz requires of a sanitized target, plus: stop on the first UBSan report
export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:symbolize=0:print_stacktrace=0
if [ $mut -eq 1 ]; then
	so=${IPK_AFL_MUTATOR:-$root/build/afl-mutator/fuzz/libipk_afl_mutator.so}
	if [ -z "${IPK_AFL_MUTATOR:-}" ]; then
		# plain build: afl-fuzz cannot load an instrumented or ASan-linked library
		cmake -S . -B build/afl-mutator -DCMAKE_BUILD_TYPE=Release -DIPK_BUILD_TESTS=OFF \
			-DIPK_BUILD_TOOLS=OFF -DIPK_BUILD_FUZZERS=ON >/dev/null
		cmake --build build/afl-mutator --target ipk_afl_mutator >/dev/null
	fi
	[ -f "$so" ] || { echo "run.sh: no custom mutator at $so" >&2; exit 3; }
	export AFL_CUSTOM_MUTATOR_LIBRARY=$so
fi

out=${IPK_FUZZ_OUT:-$root/build/fuzz-afl/campaigns/$h-$(date -u +%Y%m%dT%H%M%SZ)$tag}
mkdir -p "$(dirname "$out")"
[ ! -e "$out" ] || { echo "run.sh: $out exists; choose another IPK_FUZZ_OUT" >&2; exit 3; }
echo "run.sh: $h for ${secs}s${AFL_CUSTOM_MUTATOR_LIBRARY:+ with $AFL_CUSTOM_MUTATOR_LIBRARY}, output in $out"
# -V: stop after SECONDS; a later exit also ends it (ctrl-c stops afl-fuzz cleanly)
# shellcheck disable=SC2086
afl-fuzz -V "$secs" -i "fuzz/corpus/$h" -o "$out" ${IPK_FUZZ_ARGS:-} -- "$bin" >"$out.log" 2>&1 || {
	echo "run.sh: afl-fuzz failed; the end of $out.log:" >&2
	tail -20 "$out.log" >&2
	exit 3
}

stats=$out/default/fuzzer_stats
[ -f "$stats" ] || { echo "run.sh: no $stats" >&2; exit 3; }
stat() { sed -n "s/^$1 *: *//p" "$stats"; }
crashes=$(find "$out/default/crashes" -type f -name 'id:*' | wc -l)
hangs=$(find "$out/default/hangs" -type f -name 'id:*' | wc -l)
# edges: distinct map entries (instrumented branches of the harness and the library) hit so far
printf 'harness %s%s: %s s, execs %s, exec/s %s, corpus %s, edges %s of %s, crashes %s, hangs %s\n' \
	"$h" "$tag" "$(stat run_time)" "$(stat execs_done)" "$(stat execs_per_sec)" \
	"$(stat corpus_count)" "$(stat edges_found)" "$(stat total_edges)" "$crashes" "$hangs"
if [ "$crashes" -gt 0 ]; then
	echo "run.sh: crashes in $out/default/crashes; replay one with $bin FILE (fuzz/FUZZING.md, Triage)" >&2
	exit 1
fi
