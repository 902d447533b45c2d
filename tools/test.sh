#!/usr/bin/env bash
# test.sh - the README's second command (and CI's): install what is missing, build with ASan+UBSan and run the whole test suite, then build everything with clang in Release with -Werror (libFuzzer harnesses too), then the AFL++ harnesses.
set -eu
cd "$(dirname "$0")/.."
bash tools/deps.sh
cmake --preset debug-asan >/dev/null
cmake --build --preset debug-asan
ctest --preset debug-asan
# Zero warnings: clang Release with -Werror over the library, tools, examples, tests, fuzz
# replays and benchmarks (build only; the suite above already ran them).
cmake --preset release-clang >/dev/null
cmake --build --preset release-clang
# The AFL++ harnesses (afl-clang-fast, ASan+UBSan): build, replay every corpus through them, and a
# 10-second campaign that checks fuzz/run.sh end to end.
if command -v afl-clang-fast >/dev/null; then
	cmake --preset fuzz-afl >/dev/null
	cmake --build --preset fuzz-afl
	ctest --preset fuzz-afl
	bash fuzz/run.sh igmprt 10
fi
