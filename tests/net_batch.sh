#!/bin/bash
# net_batch.sh - batch I/O (recvmmsg/sendmmsg) between two namespaces: 200 datagrams each way, per-message control messages, partial results, RawConn batches.
# Usage: bash tests/net_batch.sh TOOL SRCDIR THIRD_PARTY_PCAPS (the build dir is two levels above TOOL).
tool=$1
src=$2
build=$(cd "$(dirname "$tool")/.." && pwd)
. "$src/tests/lib/netns.sh"

net_require "$build/tests/net_batch"
netns_setup 2
run_checks "$build/tests/net_batch" "$NS1" "$NS2" "$IF1" "$IF2" "$ADDR1" "$ADDR2"
finish
