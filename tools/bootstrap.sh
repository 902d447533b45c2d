#!/usr/bin/env bash
# bootstrap.sh - the README's first command: install what is missing, build (release), decode the bundled capture.
set -eu
cd "$(dirname "$0")/.."
bash tools/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
echo "== ipv4kit decode -v pcaps/sample.pcap" >&2
./build/release/tools/ipv4kit decode -v pcaps/sample.pcap
