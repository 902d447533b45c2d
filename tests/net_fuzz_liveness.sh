#!/usr/bin/env bash
# net_fuzz_liveness.sh - `ipv4kit fuzz` liveness and determinism: one seed gives one packet sequence, a target that does not answer is refused before anything is sent, a target that stops answering mid-run is reported with the last packets saved (and not called reproduced when replaying them after a restart does not stop it again), and the Linux kernel in a namespace survives bounded ip and igmp-host runs, which report so.
# usage: net_fuzz_liveness.sh TOOL SRCDIR [THIRD_PARTY_PCAPS]   (root; exits 77 without namespaces)
set -u
tool=${1:?usage: net_fuzz_liveness.sh TOOL SRCDIR}
src=${2:?usage: net_fuzz_liveness.sh TOOL SRCDIR}
build=$(cd "$(dirname "$tool")/.." && pwd)
frag=$build/tests/net_fragile
. "$src/tests/lib/netns.sh"
. "$src/tests/lib/fragile.sh"
command -v python3 >/dev/null || skip "python3 is needed to read the report"
net_require "$frag"
netns_setup 2
tmp=$(mktemp -d)
LPID=
cleanup() {
	fragile_stop
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null
	netns_cleanup
	rm -rf "$tmp"
}
trap cleanup EXIT
fragile_init "$frag" "$tmp"
fz() { timeout 50 ip netns exec "$NS1" "$tool" fuzz -i "$IF1" --target "$ADDR2" "$@"; }

# ---- determinism: -w writes what a run sends ----
for m in ip igmp-host igmp-router; do
	fz --mode $m --seed 99 --count 3000 -w "$tmp/a.pcap" 2>/dev/null
	fz --mode $m --seed 99 --count 3000 -w "$tmp/b.pcap" 2>/dev/null
	fz --mode $m --seed 100 --count 3000 -w "$tmp/c.pcap" 2>/dev/null
	check "$m: one seed, one sequence" cmp -s "$tmp/a.pcap" "$tmp/b.pcap"
	check "$m: another seed, another sequence" eval "! cmp -s $tmp/a.pcap $tmp/c.pcap"
	n=$("$tool" decode "$tmp/a.pcap" | wc -l)
	check "$m: -w wrote 3000 packets ($n)" [ "$n" -eq 3000 ]
done
fz --mode igmp-host --seed 5 --count 10 -w "$tmp/s.pcap" 2>"$tmp/s.err"
check "the seed is printed" grep -q "seed 5 (--seed 5 repeats this run)" "$tmp/s.err"

# ---- nobody answers: refused before fuzzing ----
fz --mode igmp-host --probe-wait 0.2 --count 1000 >"$tmp/o" 2>"$tmp/e"
rc=$?
check "no answer to the first probe: exit 2 ($rc)" [ "$rc" -eq 2 ]
check "no answer to the first probe: says so" grep -q "does not answer the igmp probe before fuzzing" "$tmp/e"
check "no answer to the first probe: nothing on stdout" [ ! -s "$tmp/o" ]

# ---- the target stops answering mid-run (killed from outside, not by a packet) ----
for restart in no yes; do
	fragile_stop
	"$tmp/restart.sh" none
	first=$(cat "$tmp/pid")
	( sleep 1.5; kill "$first" 2>/dev/null ) &
	killer=$!
	mkdir -p "$tmp/out-$restart"
	args=(--mode igmp-host --seed 3 --rate 5000 --duration 20 --probe-every 250 --probe-wait 0.2
		--keep 300 --out "$tmp/out-$restart" --json)
	[ $restart = yes ] && args+=(--restart-cmd "$tmp/restart.sh none")
	fz "${args[@]}" >"$tmp/r.json" 2>"$tmp/r.err"
	rc=$?
	wait "$killer"
	cat "$tmp/r.json"
	check "stopped target (restart $restart): exit 1 ($rc)" [ "$rc" -eq 1 ]
	check "stopped target (restart $restart): reported down with probe failures" pyq "$tmp/r.json" \
		"R['down'] and R['probe_failures'] >= 2 and R['down_after'] > 0"
	check "stopped target (restart $restart): the last 300 packets saved" pyq "$tmp/r.json" \
		"R['kept'] == 300 and R['kept_path'].endswith('.pcap')"
	kp=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["kept_path"])' "$tmp/r.json" 2>/dev/null)
	n=$("$tool" decode "$kp" 2>/dev/null | wc -l)
	check "stopped target (restart $restart): $kp holds 300 frames ($n)" [ "$n" -eq 300 ]
	if [ $restart = yes ]; then
		check "replaying the kept packets does not stop it: not reproduced, no reproducer" pyq \
			"$tmp/r.json" "R['restarted'] and not R['reproduced'] and R['reproducer'] is None"
	else
		check "no --restart-cmd: not minimised" pyq "$tmp/r.json" \
			"not R['restarted'] and R['reproducer'] is None"
	fi
	fragile_stop
done

# ---- the Linux kernel in NS2 survives bounded runs ----
fz --mode ip --seed 11 --count 20000 --probe-every 1000 --json >"$tmp/k.json" 2>"$tmp/k.err"
rc=$?
cat "$tmp/k.json"
check "kernel, ip mode: exit 0 ($rc)" [ "$rc" -eq 0 ]
check "kernel, ip mode: 20000 sent, probed every 1000, alive at the end" pyq "$tmp/k.json" \
	"not R['down'] and R['sent'] == 20000 and R['probes'] >= 20 and R['probe'] == 'icmp'"
fz --mode ip --seed 12 --count 5000 --hdrincl --probe-every 1000 --json >"$tmp/h.json" 2>"$tmp/h.err"
rc=$?
check "kernel, ip mode through IP_HDRINCL: exit 0, alive ($rc)" pyq "$tmp/h.json" \
	"not R['down'] and R['sent'] + R['failed'] == 5000 and R['sent'] > 0"
# a kernel host with a membership: mutated queries, ICMP probes
ip netns exec "$NS2" "$tool" listen -i "$IF2" -q -t 40 239.1.2.3 >/dev/null 2>&1 &
LPID=$!
sleep 0.5
fz --mode igmp-host --probe icmp --seed 13 --count 20000 --probe-every 1000 --json >"$tmp/g.json" 2>"$tmp/g.err"
rc=$?
cat "$tmp/g.json"
check "kernel, igmp-host mode: exit 0 ($rc)" [ "$rc" -eq 0 ]
check "kernel, igmp-host mode: alive after 20000 mutated queries" pyq "$tmp/g.json" \
	"not R['down'] and R['sent'] == 20000 and R['mode'] == 'igmp-host'"
kill "$LPID" 2>/dev/null
LPID=
finish
