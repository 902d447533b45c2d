#!/bin/bash
# net_batch.sh - batch I/O (recvmmsg/sendmmsg) between two namespaces: 200 datagrams each way, per-message control messages, partial results, RawConn batches.
# Usage: bash tests/net_batch.sh TOOL SRCDIR SHARED_PCAPS (the build dir is two levels above TOOL).
tool=$1
src=$2
build=$(cd "$(dirname "$tool")/.." && pwd)
. "$src/tests/lib/netns.sh"

passed=0
failed=0
# run_checks PROGRAM ARGS...: run a helper (bounded by timeout), echo its lines, count ok / not ok.
run_checks() {
	local out rc okn badn
	out=$(timeout 40 "$@" 2>&1)
	rc=$?
	echo "$out"
	okn=$(grep -c '^ok ' <<<"$out")
	badn=$(grep -c '^not ok ' <<<"$out")
	passed=$((passed + okn))
	failed=$((failed + badn))
	if [ "$rc" -ne 0 ] && [ "$badn" -eq 0 ]; then
		echo "not ok $(basename "$1"): exited with status $rc"
		failed=$((failed + 1))
	fi
}
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
	exit $?
}

if [ ! -x "$build/tests/net_batch" ]; then
	echo "not ok setup: $build/tests/net_batch is not built"
	echo "0 passed, 1 failed"
	exit 1
fi
netns_setup 2
run_checks "$build/tests/net_batch" "$NS1" "$NS2" "$IF1" "$IF2" "$ADDR1" "$ADDR2"
finish
