#!/bin/bash
# net_igmp_listen.sh - the querier's sockets against the Linux kernel as IGMP host: ipk_igmp_listen_* hears its v1/v2 reports, v2 leaves and v3 reports byte for byte (the same bytes a plain packet capture gets) without joining, never our own queries, where a raw IGMP socket hears none of them, on a bridge port and a bridge too; every ipk_igmp_tx_* path (raw from the interface address, raw from another address, link from 0.0.0.0) sends a query the peer captures exactly as built (TTL 1, RA, TOS 0xC0, source) and the kernel host answers; with loopback off our own kernel never hears our queries (docs/send-paths.md, "Querier").
# Usage: bash tests/net_igmp_listen.sh TOOL SRCDIR [THIRD_PARTY_PCAPS] (the build dir is two levels above TOOL).
tool=$1
src=$2
build=$(cd "$(dirname "$tool")/.." && pwd)
. "$src/tests/lib/netns.sh"

prog="$build/tests/net_igmp"
rx="$build/tests/net_linkrx"
net_require "$prog"
net_require "$rx"
netns_setup 2
tmp=$(mktemp -d)
trap 'kill $pids 2>/dev/null; netns_cleanup; rm -rf "$tmp"' EXIT
pids=
okf() { echo "ok $*"; NET_PASSED=$((NET_PASSED + 1)); }
badf() { echo "not ok $*"; NET_FAILED=$((NET_FAILED + 1)); }
check() { # check NAME COMMAND...: ok when the command succeeds
	local name=$1
	shift
	if "$@"; then okf "$name"; else badf "$name"; fi
}
mac() { ip -n "$1" -o link show "$2" | grep -o 'link/ether [^ ]*' | cut -d' ' -f2; }
M1=$(mac "$NS1" "$IF1") M2=$(mac "$NS2" "$IF2")
[ -n "$M1" ] && [ -n "$M2" ] || fail "no MAC addresses on the veth pair"
net=${ADDR1%.*}
OTHER=$net.9 S100=$net.100 S50=$net.50

# NS1 is the querier: its kernel must stay quiet (no link-local reports, nothing joined); NS2 is
# the kernel host, with short unsolicited-report intervals so retransmissions end quickly.
[ -e /proc/sys/net/ipv4/igmp_link_local_mcast_reports ] || skip "no igmp_link_local_mcast_reports sysctl"
ll=$(ip netns exec "$NS1" "$prog" llreports 0)
check "ipk_igmp_link_local_reports(0) in the querier's namespace: $ll" [ "$ll" = "old 1 now 0" ]
check "the host's namespace keeps its own value" \
	[ "$(ip netns exec "$NS2" cat /proc/sys/net/ipv4/igmp_link_local_mcast_reports)" = 1 ]
ip netns exec "$NS2" sysctl -qw "net.ipv4.conf.$IF2.igmpv2_unsolicited_report_interval=100" \
	"net.ipv4.conf.$IF2.igmpv3_unsolicited_report_interval=100" >/dev/null

# wait_file FILE: bounded wait (5 s) for a reader's ready file
wait_file() {
	for _ in $(seq 1 50); do [ -e "$1" ] && return 0; sleep 0.1; done
	return 1
}
count() { grep -c -- "$1" "$2"; }

# ---- captures for the whole run ----
# L: the listener under test (defaults); LO: the same with IPK_IGMP_RX_OUTGOING; R: a raw IGMP
# socket, for comparison;
# C1: every frame from the host's MAC as a plain packet socket sees it (the byte reference);
# C2: every frame from the querier's MAC on the host's side (what our sends put on the wire).
ip netns exec "$NS1" "$prog" listen "$IF1" 60 "$tmp/l.ready" >"$tmp/L" 2>&1 &
pids="$pids $!" lpid=$!
ip netns exec "$NS1" "$prog" listen "$IF1" 60 "$tmp/lo.ready" out >"$tmp/LO" 2>&1 &
pids="$pids $!" lopid=$!
ip netns exec "$NS1" "$prog" rawlisten "$IF1" 60 "$tmp/r.ready" >"$tmp/R" 2>&1 &
pids="$pids $!" rpid=$!
ip netns exec "$NS1" "$rx" "$IF1" "$M2" 1000 60 "$tmp/c1.ready" >"$tmp/C1" 2>&1 &
pids="$pids $!" c1pid=$!
ip netns exec "$NS2" "$rx" "$IF2" "$M1" 1000 60 "$tmp/c2.ready" >"$tmp/C2" 2>&1 &
pids="$pids $!" c2pid=$!
for f in l lo r c1 c2; do wait_file "$tmp/$f.ready" || fail "reader $f did not start: $(cat "$tmp/${f^^}")"; done

# ---- 1. the kernel host forced to v1, v2, then v3: joins and leaves ----
host() { ip netns exec "$NS2" "$prog" join "$IF2" "$@" >/dev/null || badf "join $*"; }
force() { ip netns exec "$NS2" sysctl -qw "net.ipv4.conf.$IF2.force_igmp_version=$1"; }
force 1
host 0.4 asm:239.1.1.1
sleep 0.4
force 2
host 0.4 asm:239.1.1.2
sleep 0.4
force 3 # behaves as 0: v3 unless an older querier was heard
host 0.6 asm:239.1.1.3 "ssm:$S100@232.1.1.1" "block:$S50@239.1.1.4"
sleep 0.6
force 0

# ---- 2. a general query from each send path; the host answers each with IS_EX for its group ----
ip netns exec "$NS2" "$prog" join "$IF2" 40 asm:239.2.2.2 >/dev/null &
pids="$pids $!" holdpid=$!
sleep 0.6 # its state-change reports and their retransmissions
: >"$tmp/built"
# query NAME PATH SRC: send one v3 GQ (MRC 1 s) and wait (bounded, 3 s) for the host's answer
query() {
	local before after
	before=$(count 'recs=is_ex:239.2.2.2:;' "$tmp/L")
	ip netns exec "$NS1" "$prog" query "$IF1" "$2" "$3" 3 10 >>"$tmp/built" 2>&1 ||
		badf "$1: the send failed: $(tail -1 "$tmp/built")"
	for _ in $(seq 1 30); do
		sleep 0.1
		after=$(count 'recs=is_ex:239.2.2.2:;' "$tmp/L")
		[ "$after" -gt "$before" ] && break
	done
	check "$1: the kernel host answered with is_ex 239.2.2.2" [ "$after" -gt "$before" ]
}
query "raw path, interface address" raw "$ADDR1"
query "raw path, another source" raw "$OTHER"
query "link path, source 0.0.0.0" link 0.0.0.0

# ---- 3. loopback: our own kernel never hears our queries (its compat mode would follow them) ----
querier_mode() { # querier_mode NS IF: V1/V2/V3 from /proc/net/igmp (the host's compatibility mode)
	ip netns exec "$1" awk -v d="$2" '$2 == d { print $NF }' /proc/net/igmp
}
check "our kernel starts in v3 mode ($(querier_mode "$NS1" "$IF1"))" [ "$(querier_mode "$NS1" "$IF1")" = V3 ]
ip netns exec "$NS1" "$prog" query "$IF1" raw "$ADDR1" 2 10 >>"$tmp/built" 2>&1 || badf "v2 query: $(tail -1 "$tmp/built")"
sleep 0.3
check "the host heard the v2 query: $(querier_mode "$NS2" "$IF2")" [ "$(querier_mode "$NS2" "$IF2")" = V2 ]
check "our kernel did not (loopback off): $(querier_mode "$NS1" "$IF1")" [ "$(querier_mode "$NS1" "$IF1")" = V3 ]
ip netns exec "$NS1" "$prog" query "$IF1" raw "$ADDR1" 2 10 loop >>"$tmp/built" 2>&1 || badf "v2 query, loop: $(tail -1 "$tmp/built")"
sleep 0.3
check "with loopback on it does: $(querier_mode "$NS1" "$IF1")" [ "$(querier_mode "$NS1" "$IF1")" = V2 ]
sleep 1.5 # the host's v2 answers (MRT 1 s)

kill -TERM "$lpid" "$lopid" "$rpid" "$c1pid" "$c2pid" 2>/dev/null
wait "$lpid" "$lopid" "$rpid" "$c1pid" "$c2pid" 2>/dev/null
kill "$holdpid" 2>/dev/null

# ---- what the listener heard ----
grep '^not ok' "$tmp/L" "$tmp/LO" && badf "a listener failed"
rxl=$(grep -c '^rx ' "$tmp/L")
# C1 frames that are IPv4 protocol 2, without the Ethernet header, as hex
tr -d ' ' <"$tmp/C1" | awk 'substr($0, 25, 4) == "0800" && substr($0, 47, 2) == "02" { print substr($0, 29) }' >"$tmp/c1.igmp"
sed -n 's/^rx .*hex=//p' "$tmp/L" >"$tmp/l.igmp"
if [ "$rxl" -ge 10 ] && cmp -s "$tmp/c1.igmp" "$tmp/l.igmp"; then
	okf "the listener heard all $rxl IGMP datagrams of the host, byte for byte as a packet capture"
else
	badf "listener ($rxl) and capture ($(wc -l <"$tmp/c1.igmp")) differ"
	diff "$tmp/c1.igmp" "$tmp/l.igmp" | head -6
fi
check "a raw IGMP socket (no joins) got none of the host's $rxl reports and leaves" \
	[ "$(grep -c "^raw src=$ADDR2 " "$tmp/R")" -eq 0 ]
check "but it did get our own looped v2 query (the only one sent with loopback on)" \
	[ "$(grep -c "^raw src=$ADDR1 dst=224.0.0.1 type=0x11" "$tmp/R")" -eq 1 ]
check "every datagram from the host's MAC, none of ours, none outgoing" \
	[ "$(grep '^rx ' "$tmp/L" | grep -vc "mac=$M2 ")" -eq 0 -a "$(count 'pkttype=4' "$tmp/L")" -eq 0 ]
check "every one: TTL 1, TOS 0xc0, Router Alert, codec findings 0" \
	[ "$(grep '^rx ' "$tmp/L" | grep -c 'ttl=1 tos=0xc0 ra=1 .*findings=0 ')" -eq "$rxl" ]
check "timestamps on CLOCK_MONOTONIC, within the read's second" [ "$(count 'ts=bad' "$tmp/L")" -eq 0 ]
has() { # has NAME PATTERN: the listener decoded at least one such message
	check "$1" grep -q -- "$2" "$tmp/L"
}
has "v1 report 239.1.1.1 (type 0x12, to the group)" "dst=239.1.1.1 .*type=0x12 group=239.1.1.1 "
check "v1: no leave" [ "$(grep 'type=0x17' "$tmp/L" | grep -c 'group=239.1.1.1 ')" -eq 0 ]
has "v2 report 239.1.1.2 (type 0x16, to the group)" "dst=239.1.1.2 .*type=0x16 group=239.1.1.2 "
has "v2 leave 239.1.1.2 (type 0x17, to 224.0.0.2)" "dst=224.0.0.2 .*type=0x17 group=239.1.1.2 "
has "v3 report to_ex 239.1.1.3 (to 224.0.0.22)" "dst=224.0.0.22 .*type=0x22 .*to_ex:239.1.1.3:;"
has "v3 report allow {S} 232.1.1.1" "allow:232.1.1.1:$S100;"
has "v3 report to_ex {S} 239.1.1.4 (join + block)" "to_ex:239.1.1.4:$S50;"
has "v3 leave to_in {} 239.1.1.3" "to_in:239.1.1.3:;"
has "v3 leave block {S} 232.1.1.1" "block:232.1.1.1:$S100;"
has "v2 reports answering the v2 query" "dst=239.2.2.2 .*type=0x16 group=239.2.2.2 "

# ---- what our sends put on the wire ----
mapfile -t built < <(sed -n 's/^built //p' "$tmp/built")
mapfile -t wire < <(tr -d ' ' <"$tmp/C2")
check "five queries built, five frames from our MAC on the wire, nothing else (our kernel is quiet)" \
	[ "${#built[@]}" -eq 5 -a "${#wire[@]}" -eq 5 ]
gmac=01005e000001${M1//:/}0800
for i in 0 1 2 3 4; do
	case $i in 2) want=${built[$i]} ;; *) want=$gmac${built[$i]} ;; esac # 2: the link path built the frame
	check "query $i: received exactly as built (${want:28:24}...)" [ "${wire[$i]}" = "$want" ]
done
# the same queries, decoded by the codec from the listener that also hears outgoing frames
out() { grep '^rx pkttype=4 ' "$tmp/LO" | sed -n "${1}p"; }
for q in "1 $ADDR1" "2 $OTHER" "3 0.0.0.0"; do
	set -- $q
	check "outgoing query $1 decoded: source $2, to 224.0.0.1, TTL 1, TOS 0xc0, RA, findings 0" \
		grep -q "src=$2 dst=224.0.0.1 ttl=1 tos=0xc0 ra=1 type=0x11 group=0.0.0.0 findings=0 " <<<"$(out "$1")"
done
check "the outgoing listener saw our 5 queries and the host's datagrams" \
	[ "$(count 'pkttype=4 ' "$tmp/LO")" -eq 5 -a "$(grep -c '^rx ' "$tmp/LO")" -eq $((rxl + 5)) ]
# ---- 4. a frame tagged for VLAN 100: not this interface's traffic (only a VLAN interface's) ----
rm -f "$tmp"/*.ready
ip netns exec "$NS1" "$prog" listen "$IF1" 10 "$tmp/p.ready" >"$tmp/VP" 2>&1 &
pids="$pids $!" ppid=$!
wait_file "$tmp/p.ready" || badf "the listener did not start"
ip netns exec "$NS2" "$prog" tagged "$IF2" "$ADDR2" 239.4.4.4 100 || badf "tagged send"
sleep 0.3
kill -TERM "$ppid" 2>/dev/null
wait "$ppid" 2>/dev/null
check "a v2 report sent tagged (VLAN 100) then untagged: only the untagged one heard" \
	[ "$(grep -c "type=0x16 group=239.4.4.4 " "$tmp/VP")" -eq 1 ]

# ---- 5. on a bridge port and on the bridge: the port hears the frames the bridge takes ----
ip -n "$NS1" link add brq type bridge mcast_snooping 0 || skip "cannot create a bridge"
ip -n "$NS1" link set "$IF1" master brq
ip -n "$NS1" link set brq up
rm -f "$tmp"/*.ready
ip netns exec "$NS1" "$prog" listen "$IF1" 10 "$tmp/p.ready" >"$tmp/P" 2>&1 &
pids="$pids $!" ppid=$!
ip netns exec "$NS1" "$prog" listen brq 10 "$tmp/b.ready" >"$tmp/B" 2>&1 &
pids="$pids $!" bpid=$!
wait_file "$tmp/p.ready" && wait_file "$tmp/b.ready" || badf "bridge listeners did not start"
host 0.3 asm:239.3.3.3
sleep 0.5
kill -TERM "$ppid" "$bpid" 2>/dev/null
wait "$ppid" "$bpid" 2>/dev/null
check "listening on a bridge port: the host's report for 239.3.3.3 heard (v2: it heard our v2 query)" grep -q "type=0x16 group=239.3.3.3 " "$tmp/P"
check "listening on the bridge itself: heard too" grep -q "type=0x16 group=239.3.3.3 " "$tmp/B"
# ---- 6. what the sysctl changes: a link-local membership on the querier's host ----
# (our kernel is in v2 mode since the looped v2 query: it reports with v2 reports)
llprobe() { # llprobe NAME EXPECTED_COUNT: the querier's host joins 224.0.0.251 for 0.3 s
	rm -f "$tmp/h.ready"
	ip netns exec "$NS2" "$prog" listen "$IF2" 10 "$tmp/h.ready" >"$tmp/H" 2>&1 &
	pids="$pids $!" hpid=$!
	wait_file "$tmp/h.ready" || badf "the host-side listener did not start"
	ip netns exec "$NS1" "$prog" join "$IF1" 0.3 asm:224.0.0.251 >/dev/null || badf "join 224.0.0.251"
	sleep 0.5
	kill -TERM "$hpid" 2>/dev/null
	wait "$hpid" 2>/dev/null
	local n
	n=$(grep -c "group=224.0.0.251 " "$tmp/H")
	if [ "$2" = 0 ]; then check "$1 ($n)" [ "$n" -eq 0 ]; else check "$1 ($n)" [ "$n" -gt 0 ]; fi
}
llprobe "reports 0: our host did not report its 224.0.0.251 membership" 0
ll=$(ip netns exec "$NS1" "$prog" llreports 1)
check "ipk_igmp_link_local_reports(1) puts the default back: $ll" [ "$ll" = "old 0 now 1" ]
llprobe "reports 1 (the default): it did" 1
finish
