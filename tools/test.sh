#!/usr/bin/env bash
# test.sh - the README's second command (and CI's): install what is missing, build with ASan+UBSan and run the whole test suite, then build everything with clang in Release with -Werror.
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
