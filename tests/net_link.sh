#!/bin/bash
# net_link.sh - every wire-level lie reaches the wire: `craft -i --link ether` and `replay send --link` frames are received byte for byte by the peer (IHL 0..4 and 15, wrong lengths and checksums, versions 0 and 6, odd sizes), while the raw IP_HDRINCL path shows the kernel refusing and rewriting the same headers, and UDP/raw sockets show the kernel-built header (docs/send-paths.md).
# Usage: bash tests/net_link.sh TOOL SRCDIR [THIRD_PARTY_PCAPS] (the build dir is two levels above TOOL).
tool=$1
src=$2
build=$(cd "$(dirname "$tool")/.." && pwd)
. "$src/tests/lib/netns.sh"

rx="$build/tests/net_linkrx"
net_require "$rx"
netns_setup 2
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
okf() { echo "ok $*"; NET_PASSED=$((NET_PASSED + 1)); }
badf() { echo "not ok $*"; NET_FAILED=$((NET_FAILED + 1)); }
mac() { ip -n "$1" -o link show "$2" | grep -o 'link/ether [^ ]*' | cut -d' ' -f2; }
M1=$(mac "$NS1" "$IF1") M2=$(mac "$NS2" "$IF2")
[ -n "$M1" ] && [ -n "$M2" ] || fail "no MAC addresses on the veth pair"

# listen N: the peer's reader in NS2 prints up to N frames from M1 (bounded: 10 s) into $tmp/rx
listen() {
	rm -f "$tmp/ready" "$tmp/rx"
	ip netns exec "$NS2" "$rx" "$IF2" "$M1" "$1" 10 "$tmp/ready" >"$tmp/rx" 2>"$tmp/rx.err" &
	rxpid=$!
	for _ in $(seq 1 50); do [ -e "$tmp/ready" ] && return 0; sleep 0.1; done
	badf "the reader did not start: $(cat "$tmp/rx.err")"
}
collect() { wait "$rxpid"; }
# same NAME FILE1 FILE2: the two files hold the same frames, in order
same() {
	if cmp -s "$2" "$3"; then okf "$1 ($(wc -l <"$2") frames byte for byte)"
	else badf "$1: sent and received differ"; diff "$2" "$3" | head -8; fi
}

U=(ip src="$ADDR1" dst="$ADDR2")
# Each lie: ip fields, then the payload. All are unicast to the peer except the IGMP ones.
lies=(
	"ihl=0 raw hex=00112233445566778899aabbccddeeff"
	"ihl=1 raw hex=00112233445566778899aabbccddeeff"
	"ihl=2 raw hex=00112233445566778899aabbccddeeff"
	"ihl=3 raw hex=00112233445566778899aabbccddeeff"
	"ihl=4 raw hex=00112233445566778899aabbccddeeff"
	"ihl=15 udp sport=1 dport=9 payload=no-options-here"
	"len=3 udp sport=1 dport=9 payload=short-total-length"
	"len=65535 udp sport=1 dport=9 payload=long-total-length"
	"csum=0xdead udp sport=1 dport=9 payload=bad-checksum"
	"version=0 udp sport=1 dport=9 payload=v0"
	"version=6 udp sport=1 dport=9 payload=v6"
	"version=15 ihl=15 len=0 csum=0 ttl=0 id=0 src=0.0.0.0 raw"
	"id=0 src=0.0.0.0 nodf udp sport=1 dport=9 payload=zero-id-and-source"
	"mf frag=8191 rf udp sport=1 dport=9 csum=0xbeef payload=odd"
	"raw hex=01"
	"raw"
)
# multicast lies: the frame goes to the group's MAC without --mac-dst
mlies=(
	"igmp2-report group=239.1.2.3 csum=0x1234"
	"igmp3-report rec=is_ex,239.9.9.9 nrecs=7 csum=0"
)

# ---- 1. craft -i IF --link ether: the peer receives exactly what craft printed ----
: >"$tmp/sent"
listen $((${#lies[@]} + ${#mlies[@]} + 2))
n=0
for l in "${lies[@]}"; do
	# shellcheck disable=SC2086
	timeout 10 ip netns exec "$NS1" "$tool" craft --hex -i "$IF1" --link ether --mac-dst "$M2" \
		"${U[@]}" $l >>"$tmp/sent" 2>"$tmp/err" || badf "craft --link ether $l: $(cat "$tmp/err")"
	n=$((n + 1))
done
for l in "${mlies[@]}"; do
	# shellcheck disable=SC2086
	timeout 10 ip netns exec "$NS1" "$tool" craft --hex -i "$IF1" --link ether ip src="$ADDR1" $l \
		>>"$tmp/sent" 2>"$tmp/err" || badf "craft --link ether $l: $(cat "$tmp/err")"
done
# odd sizes: the largest frame the veth takes (1514 bytes) and an odd one
for size in 1480 1001; do
	timeout 10 ip netns exec "$NS1" "$tool" craft --hex -i "$IF1" --link ether --mac-dst "$M2" \
		"${U[@]}" ihl=4 raw hex="$(head -c "$size" /dev/zero | tr '\0' 'a' | sed 's/a/5a/g')" \
		>>"$tmp/sent" 2>"$tmp/err" || badf "craft --link ether of $size bytes: $(cat "$tmp/err")"
done
collect
same "craft --link ether: each lie received as built" "$tmp/sent" "$tmp/rx"
# the source MAC is the interface's own; the IGMP frames went to the group MACs
src_mac=$(sed -n 1p "$tmp/sent" | cut -d' ' -f7-12 | tr ' ' ':')
[ "$src_mac" = "$M1" ] && okf "source MAC is $IF1's ($M1)" || badf "source MAC $src_mac, not $M1"
grep -q '^01 00 5e 01 02 03 ' "$tmp/rx" && grep -q '^01 00 5e 00 00 16 ' "$tmp/rx" &&
	okf "multicast destinations get the group MAC" || badf "no group MAC in the received IGMP frames"
# what cannot go out: one byte past the MTU (EMSGSIZE), a unicast without --mac-dst (usage)
ip netns exec "$NS1" "$tool" craft -i "$IF1" --link ether --mac-dst "$M2" "${U[@]}" raw \
	hex="$(head -c 1481 /dev/zero | tr '\0' 'a' | sed 's/a/5a/g')" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc = 1 ] && grep -q "too long" "$tmp/err" && okf "a frame past the MTU fails with exit 1: $(cat "$tmp/err" | head -1)" ||
	badf "frame past the MTU: exit $rc: $(cat "$tmp/err")"
ip netns exec "$NS1" "$tool" craft -i "$IF1" --link ether "${U[@]}" raw >/dev/null 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q -- "--mac-dst" "$tmp/err" && okf "unicast without --mac-dst is a usage error" ||
	badf "unicast without --mac-dst: exit $rc"

# ---- 2. the same lies through the raw IP_HDRINCL socket: refused or rewritten ----
refused=0
listen 4
for l in "ihl=0 raw hex=00" "ihl=4 raw hex=00112233" "ihl=15 udp payload=x" "version=15 ihl=15 len=0 raw"; do
	# shellcheck disable=SC2086
	timeout 10 ip netns exec "$NS1" "$tool" craft -i "$IF1" "${U[@]}" $l >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc = 1 ] && grep -q "Invalid argument" "$tmp/err" && grep -q "note: the kernel refuses" "$tmp/err" &&
		refused=$((refused + 1)) || badf "raw path accepted $l (exit $rc): $(cat "$tmp/err")"
done
[ $refused = 4 ] && okf "raw path: the kernel refuses IHL 0, 4 and 15 (past the data) with EINVAL"
rw=("len=3 csum=0xdead udp sport=1 dport=9 payload=rewritten" "id=0 src=0.0.0.0 nodf udp sport=1 dport=9 payload=filled"
	"version=6 udp sport=1 dport=9 payload=v6" "version=0 mf frag=100 ttl=0 udp sport=1 dport=9 csum=0xbeef payload=kept")
: >"$tmp/rsent"
for l in "${rw[@]}"; do
	# shellcheck disable=SC2086
	timeout 10 ip netns exec "$NS1" "$tool" craft --hex -i "$IF1" "${U[@]}" $l >>"$tmp/rsent" 2>"$tmp/err" ||
		badf "raw path: $l: $(cat "$tmp/err")"
	[ "$l" = "${rw[0]}" ] && grep -q "rewrites the total length, checksum" "$tmp/err" &&
		okf "raw path: craft notes that the kernel rewrites the total length and checksum"
	[ "$l" = "${rw[1]}" ] && grep -q "rewrites the zero ID, zero source" "$tmp/err" &&
		okf "raw path: craft notes that the kernel fills the zero ID and source"
done
collect
# received IPv4 bytes (after the 14-byte Ethernet header) against the bytes craft built
cut -d' ' -f15- "$tmp/rx" >"$tmp/rrecv"
mapfile -t S <"$tmp/rsent"
mapfile -t R <"$tmp/rrecv"
[ ${#R[@]} = 4 ] || badf "raw path: ${#R[@]} datagrams received, not 4"
# fields (byte offsets) as "a b": total length 2-3, ID 4-5, checksum 10-11, source 12-15
fld() { local -a b; read -ra b <<<"$1"; echo "${b[*]:$2:$3}"; }
if [ ${#R[@]} = 4 ]; then
	n0=$(wc -w <<<"${R[0]}")
	[ "$(fld "${S[0]}" 2 2)" = "00 03" ] && [ "$(fld "${R[0]}" 2 2)" = "$(printf '%02x %02x' $((n0 >> 8)) $((n0 & 255)))" ] &&
		okf "raw path: total length 3 arrives as $n0 (rewritten)" || badf "raw path: total length $(fld "${R[0]}" 2 2)"
	[ "$(fld "${S[0]}" 10 2)" = "de ad" ] && [ "$(fld "${R[0]}" 10 2)" != "de ad" ] &&
		okf "raw path: checksum 0xdead arrives as 0x$(fld "${R[0]}" 10 2 | tr -d ' ') (recomputed)" ||
		badf "raw path: checksum $(fld "${R[0]}" 10 2)"
	[ "$(fld "${R[1]}" 4 2)" != "00 00" ] && [ "$(fld "${R[1]}" 12 4)" = "$(fld "${S[0]}" 12 4)" ] &&
		okf "raw path: zero ID and zero source are filled in ($(fld "${R[1]}" 4 2), $ADDR1)" ||
		badf "raw path: ID $(fld "${R[1]}" 4 2), source $(fld "${R[1]}" 12 4)"
	[ "${R[2]}" = "${S[2]}" ] && [ "${R[3]}" = "${S[3]}" ] &&
		okf "raw path: version 6 and 0, MF, fragment offset, TTL 0, UDP checksum go out unchanged" ||
		badf "raw path: version/fragment/TTL headers changed"
fi

# ---- 3. replay send --link: every frame of a raw-IPv4 capture, an Ethernet header put in front ----
# the capture: the lies as raw IPv4 (DLT_RAW); expected: the same datagrams in the Ethernet frames
# craft builds (broadcast for unicast, the group MAC for multicast); version 6 goes as IPv6
rm -f "$tmp/raw.pcap"
: >"$tmp/expect"
for l in "${lies[@]}"; do
	# shellcheck disable=SC2086
	"$tool" craft --ts 1 "${U[@]}" $l -w "$tmp/raw.pcap" >/dev/null || badf "craft -w $l"
	# shellcheck disable=SC2086
	line=$("$tool" craft --hex --link ether --mac-src "$M1" --mac-dst ff:ff:ff:ff:ff:ff "${U[@]}" $l)
	case "$l" in version=6*) line="${line:0:36}86 dd${line:41}" ;; esac
	echo "$line" >>"$tmp/expect"
done
for l in "${mlies[@]}"; do
	# shellcheck disable=SC2086
	"$tool" craft --ts 1 ip src="$ADDR1" $l -w "$tmp/raw.pcap" >/dev/null || badf "craft -w $l"
	# shellcheck disable=SC2086
	"$tool" craft --hex --link ether --mac-src "$M1" ip src="$ADDR1" $l >>"$tmp/expect"
done
count=$(wc -l <"$tmp/expect")
listen "$count"
out=$(timeout 20 ip netns exec "$NS1" "$tool" replay send -q --link -i "$IF1" --topspeed "$tmp/raw.pcap" 2>&1)
rc=$?
collect
echo "$out"
[ $rc = 0 ] && grep -q "^sent $count datagrams.* 0 failed, 0 frames skipped" <<<"$out" &&
	okf "replay send --link sent all $count frames, none skipped" || badf "replay send --link (exit $rc)"
same "replay send --link: raw-IPv4 capture received with built Ethernet headers" "$tmp/expect" "$tmp/rx"

# an Ethernet capture keeps its frames; --mac-dst replaces the destination of each
"$tool" craft --ts 1 --link ether --mac-src "$M1" --mac-dst 02:00:00:00:00:99 "${U[@]}" ihl=3 len=1 \
	raw hex=0102 -w "$tmp/eth.pcap" >/dev/null || badf "craft of the Ethernet capture"
line=$("$tool" craft --hex --link ether --mac-src "$M1" --mac-dst "$M2" "${U[@]}" ihl=3 len=1 raw hex=0102)
listen 1
out=$(timeout 20 ip netns exec "$NS1" "$tool" replay send -q --link -i "$IF1" --mac-dst "$M2" "$tmp/eth.pcap" 2>&1)
collect
[ "$(cat "$tmp/rx")" = "$line" ] && okf "replay send --link --mac-dst: the Ethernet frame arrives readdressed, the rest as captured" ||
	badf "replay send --link --mac-dst: got '$(cat "$tmp/rx")'"
"$tool" replay send --mac-dst "$M2" "$tmp/eth.pcap" >/dev/null 2>&1
[ $? = 2 ] && okf "--mac-dst without --link is a usage error" || badf "--mac-dst without --link accepted"

# ---- 4. the kernel-built paths of docs/send-paths.md: UDP socket and raw socket without IP_HDRINCL ----
if command -v python3 >/dev/null; then
	listen 5
	timeout 10 ip netns exec "$NS1" python3 - "$ADDR2" <<'PY' || badf "the UDP/raw sender failed"
import socket, sys
d = sys.argv[1]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.sendto(b'udp', (d, 9))                                             # plain
u.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 3)
u.setsockopt(socket.IPPROTO_IP, socket.IP_OPTIONS, b'\x94\x04\x00\x00') # Router Alert
u.sendto(b'udp-ra', (d, 9))
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, 2)                 # IGMP, no IP_HDRINCL
r.sendto(bytes([0x16, 0, 0xde, 0xad, 239, 1, 2, 3]), (d, 0))          # wrong IGMP checksum
r.sendto(b'y' * 1600, (d, 0))                                         # past the MTU
PY
	collect
	python3 - "$tmp/rx" <<'PY' && okf "UDP and raw sockets: headers built by the kernel (DF, ID, checksum), payload checksums kept, long datagrams fragmented" ||
import sys
f = [bytes.fromhex(l.replace(' ', '')) for l in open(sys.argv[1])]
ip = [x[14:] for x in f]
def csum(b):
    s = sum(b[i] << 8 | b[i + 1] for i in range(0, len(b), 2))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return s
bad = []
if len(ip) != 5: bad.append('%d frames, not 5' % len(ip))
else:
    for i, h in enumerate(ip):
        if csum(h[:(h[0] & 15) * 4]) != 0xffff: bad.append('frame %d: header checksum' % i)
        if h[4:6] == b'\0\0': bad.append('frame %d: zero ID' % i)
    if ip[0][0] != 0x45 or ip[0][6] & 0x40 == 0 or ip[0][8] != 64: bad.append('UDP: not 45, DF, TTL 64')
    if ip[1][0] != 0x46 or ip[1][20:24] != bytes([0x94, 4, 0, 0]) or ip[1][8] != 3: bad.append('UDP: options/TTL')
    if ip[2][20:24] != bytes([0x16, 0, 0xde, 0xad]): bad.append('raw: IGMP checksum changed')
    if ip[3][6] & 0x20 == 0 or ip[4][6] & 0x20 or (ip[4][6] & 0x1f) << 8 | ip[4][7] == 0: bad.append('raw: not fragmented')
if bad: print('\n'.join(bad))
sys.exit(1 if bad else 0)
PY
		badf "UDP and raw sockets: kernel-built headers differ from docs/send-paths.md"
else
	echo "# python3 missing: the UDP/raw-socket checks are left out"
fi
finish
