#!/usr/bin/env bash
# net_fuzz.sh - `ipv4kit fuzz` finds the two deliberately fragile IGMP stacks of tests/net/fragile.c (a host that aborts on an IGMPv3 query with Max Resp Code 0, a router that aborts on a v3 report whose record count exceeds the records present) from valid seeds within a bounded number of packets, minimises each to a one-packet reproducer, and `ipv4kit replay send --link` of that reproducer stops a fresh target again.
# usage: net_fuzz.sh TOOL SRCDIR [THIRD_PARTY_PCAPS]   (root; exits 77 without namespaces)
set -u
tool=${1:?usage: net_fuzz.sh TOOL SRCDIR}
src=${2:?usage: net_fuzz.sh TOOL SRCDIR}
build=$(cd "$(dirname "$tool")/.." && pwd)
frag=$build/tests/net_fragile
. "$src/tests/lib/netns.sh"
. "$src/tests/lib/fragile.sh"
command -v python3 >/dev/null || skip "python3 is needed to read the report"
net_require "$frag"
netns_setup 2
tmp=$(mktemp -d)
trap 'fragile_stop; netns_cleanup; rm -rf "$tmp"' EXIT
fragile_init "$frag" "$tmp"

MAXPKT=200000
# fuzz_one BUG MODE DECODED: fuzz the fragile target with bug BUG from the default valid seeds;
# the reproducer's decode line must contain DECODED
fuzz_one() {
	local bug=$1 mode=$2 want=$3 out=$tmp/$1
	mkdir -p "$out"
	"$tmp/restart.sh" "$bug"
	timeout 50 ip netns exec "$NS1" "$tool" fuzz -i "$IF1" --target "$ADDR2" --mode "$mode" \
		--seed 7 --count $MAXPKT --probe-every 500 --probe-wait 0.2 \
		--restart-cmd "$tmp/restart.sh $bug" --out "$out" --json >"$out/report.json" 2>"$out/err"
	local rc=$?
	cat "$out/err"
	cat "$out/report.json"
	check "$bug: fuzz exits 1 (target down), got $rc" [ "$rc" -eq 1 ]
	check "$bug: found within $MAXPKT packets" pyq "$out/report.json" \
		"R['down'] and 0 < R['down_after'] <= $MAXPKT and R['seed'] == 7"
	check "$bug: the last packets were saved" pyq "$out/report.json" \
		"R['kept'] > 0 and R['kept_path'].endswith('.pcap')"
	check "$bug: reproduced after a restart and minimised to one packet" pyq "$out/report.json" \
		"R['reproduced'] and R['reproducer'] and len(R['packets']) == 1"
	check "$bug: the report names the mutation, and the packet is the bug's ($want)" \
		pyq "$out/report.json" "R['packets'][0]['mutation'] and '$want' in R['packets'][0]['decode']"
	local min
	min=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["reproducer"] or "")' \
		"$out/report.json" 2>/dev/null)
	check "$bug: the reproducer file exists" [ -f "$min" ] || return
	echo "# found in $(python3 -c 'import json,sys; R=json.load(open(sys.argv[1])); print(R["found_s"], "s,", R["down_after"], "packets")' "$out/report.json")"
	# the reproducer alone stops a fresh target; without it the target lives on
	"$tmp/restart.sh" "$bug"
	sleep 0.5
	local pid
	pid=$(cat "$tmp/pid")
	check "$bug: a fresh target runs" kill -0 "$pid"
	ip netns exec "$NS1" "$tool" replay send --link -i "$IF1" "$min" >/dev/null
	local i
	for i in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	check "$bug: replay send --link of the reproducer stops it" eval "! kill -0 $pid 2>/dev/null"
}

fuzz_one mrc0 igmp-host 'max resp 0.0s'
fuzz_one nrecs igmp-router '!IGMP_RECORDS'
finish
