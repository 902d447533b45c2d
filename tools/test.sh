#!/usr/bin/env bash
# test.sh - the README's second command: install what is missing, build with ASan+UBSan, run the whole test suite.
set -eu
cd "$(dirname "$0")/.."
bash tools/deps.sh
cmake --preset debug-asan >/dev/null
cmake --build --preset debug-asan
ctest --preset debug-asan
