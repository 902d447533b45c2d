#!/usr/bin/env bash
# net_replay.sh - `ipv4kit replay send` between two namespaces: the receiver's libpcap capture holds the same datagrams (modulo what Linux rewrites), --rate is kept, and --link sends an Ethernet capture's frames unchanged.
# usage: net_replay.sh TOOL SRCDIR [THIRD_PARTY_PCAPS]
set -u
tool=${1:?usage: net_replay.sh TOOL SRCDIR}
src=${2:?usage: net_replay.sh TOOL SRCDIR}
. "$src/tests/lib/netns.sh"
command -v tcpdump >/dev/null || skip "tcpdump is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"
netns_setup 2
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
NET_PASSED=0 NET_FAILED=0
okf() { echo "ok $*"; NET_PASSED=$((NET_PASSED + 1)); }
badf() { echo "not ok $*"; NET_FAILED=$((NET_FAILED + 1)); }

# the bundled capture, addressed to this pair: unicast destinations to $ADDR2, sources $ADDR1
"$tool" replay rewrite --src "$ADDR1" --dst-map "198.19.0.0/16=$ADDR2/32" \
	--dst-map "198.18.0.0/16=$ADDR2/32" "$src/pcaps/sample.pcap" "$tmp/send.pcap" >/dev/null ||
	fail "rewrite for the namespaces failed"

ip netns exec "$NS2" tcpdump -i "$IF2" -U -n -s 0 -w "$tmp/recv.pcap" "ip and src $ADDR1" \
	>/dev/null 2>"$tmp/tcpdump.err" &
tdpid=$!
for _ in $(seq 1 50); do grep -q 'listening' "$tmp/tcpdump.err" && break; sleep 0.1; done
start=$(date +%s.%N)
timeout 30 ip netns exec "$NS1" "$tool" replay send -q -i "$IF1" --rate 100 "$tmp/send.pcap" >"$tmp/send.out" 2>&1
rc=$?
end=$(date +%s.%N)
sleep 0.5
kill "$tdpid" 2>/dev/null
wait "$tdpid" 2>/dev/null
cat "$tmp/send.out"
sent=$(sed -n 's/^sent \([0-9]*\) datagrams.*/\1/p' "$tmp/send.out")
[ -n "$sent" ] && [ "$sent" -ge 30 ] && okf "replay sent $sent datagrams (exit $rc)" || badf "replay sent '${sent:-none}' (exit $rc)"
# rate mode: 100/s for the datagrams sent, within generous bounds on a shared machine
el=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
want=$(awk -v n="${sent:-0}" 'BEGIN { printf "%.3f", (n - 1) / 100 }')
if awk -v e="$el" -v w="$want" 'BEGIN { exit !(e >= w * 0.9 && e <= w * 2 + 1) }'; then okf "--rate 100: $el s for $sent datagrams"
else badf "--rate 100: $el s for $sent datagrams (want about $want)"; fi

# compare: every sent datagram arrives with the same bytes, except what Linux rewrites
# (header checksum, total length; ID 0 without DF), in order
python3 - "$tmp/send.pcap" "$tmp/recv.pcap" <<'PY' && okf "received datagrams identical to the capture (modulo checksum/length/ID)" || badf "received datagrams differ"
import struct, sys
def frames(path):
    d = open(path, 'rb').read()
    magic = struct.unpack('<I', d[:4])[0]
    e = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    off, out = 24, []
    while off + 16 <= len(d):
        _, _, cl, _ = struct.unpack(e + 'IIII', d[off:off + 16])
        out.append(d[off + 16:off + 16 + cl]); off += 16 + cl
    return out
def dgram(f):
    o = 12
    while f[o:o + 2] in (b'\x81\x00', b'\x88\xa8'): o += 4  # VLAN tags are not sent
    ip = f[o + 2:]
    if len(ip) < 20 or f[o:o + 2] != b'\x08\x00': return None
    tl = struct.unpack('>H', ip[2:4])[0]
    return ip[:tl] if 20 <= tl <= len(ip) else ip
def norm(b):
    b = bytearray(b); b[2:4] = b'\0\0'; b[10:12] = b'\0\0'
    if b[4:6] == b'\0\0' or (b[6] & 0x40) == 0: b[4:6] = b'\0\0'
    return bytes(b)
sent = [dgram(f) for f in frames(sys.argv[1])]
recv = [dgram(f) for f in frames(sys.argv[2])]
recv = [norm(r) for r in recv if r]
j, matched, missing = 0, 0, []
for i, s in enumerate(sent):
    if not s or (s[0] & 15) < 5: continue
    want = norm(s)
    k = j
    while k < len(recv) and recv[k][:len(want)] != want[:len(recv[k])]: k += 1
    if k < len(recv): matched += 1; j = k + 1
    else: missing.append(i + 1)
extra = [r.hex() for r in recv if not any(r[:len(norm(s))] == norm(s)[:len(r)] for s in sent if s)]
if extra: print("received but not sent:", extra)
print("matched %d datagrams in order; received %d; not received: %s" % (matched, len(recv), missing))
sys.exit(0 if matched >= 30 and matched == len(recv) else 1)
PY

# top speed with loops: everything goes, batched
out=$(timeout 30 ip netns exec "$NS1" "$tool" replay send -q -i "$IF1" --topspeed --loop 50 "$tmp/send.pcap" 2>&1)
echo "$out"
grep -q "of 50 loops" <<<"$out" && grep -q "^sent $((sent * 50)) datagrams" <<<"$out" && okf "--topspeed --loop 50" || badf "--topspeed --loop 50"

# --link: an Ethernet capture addressed to the peer's MAC goes out frame by frame through a
# packet socket, nothing rewritten (ID 0 with DF clear and a wrong IPv4 checksum included)
mac() { ip -n "$1" -o link show "$2" | grep -o 'link/ether [^ ]*' | cut -d' ' -f2; }
m1=$(mac "$NS1" "$IF1") m2=$(mac "$NS2" "$IF2")
spec=(ip src="$ADDR1" dst="$ADDR2" id=0 udp sport=1024 dport=9 hex=0011223344556677)
"$tool" craft -c 40 --inc-id --ts 1 --link ether --mac-src "$m1" --mac-dst "$m2" "${spec[@]}" \
	-w "$tmp/eth.pcap" --overwrite >/dev/null || fail "craft of the Ethernet capture failed"
"$tool" craft --ts 1 --link ether --mac-src "$m1" --mac-dst "$m2" ip src="$ADDR1" dst="$ADDR2" \
	id=7 csum=0x1234 udp sport=1024 dport=9 hex=ff -w "$tmp/eth.pcap" >/dev/null ||
	fail "craft of the bad-checksum frame failed"
"$tool" craft -c 3 --ts 1 "${spec[@]}" -w "$tmp/raw.pcap" --overwrite >/dev/null || fail "craft of a raw capture failed"
"$tool" replay send -q --link --topspeed "$tmp/eth.pcap" >/dev/null 2>&1
[ $? = 2 ] && okf "--link without -i: usage error" || badf "--link without -i is accepted"
out=$(timeout 30 ip netns exec "$NS1" "$tool" replay send -q --link -i "$IF1" --topspeed "$tmp/raw.pcap" 2>&1)
echo "$out"
grep -q "^sent 3 datagrams.* 0 failed, 0 frames skipped" <<<"$out" && okf "--link sends a raw-IPv4 capture's frames (Ethernet header built; tests/net_link.sh compares the bytes)" ||
	badf "--link on a raw-IPv4 capture"
for mode in "--topspeed" "--rate 200"; do
	ip netns exec "$NS2" tcpdump -i "$IF2" -U -n -s 0 -w "$tmp/lrecv.pcap" "ip and src $ADDR1" \
		>/dev/null 2>"$tmp/ltcpdump.err" &
	tdpid=$!
	for _ in $(seq 1 50); do grep -q 'listening' "$tmp/ltcpdump.err" && break; sleep 0.1; done
	rm -f "$tmp/ltcpdump.err"
	# shellcheck disable=SC2086
	out=$(timeout 30 ip netns exec "$NS1" "$tool" replay send -q --link -i "$IF1" $mode --loop 2 "$tmp/eth.pcap" 2>&1)
	rc=$?
	sleep 1.5 # libpcap hands over a ring block when it is full or after its 1 s timeout
	kill "$tdpid" 2>/dev/null
	wait "$tdpid" 2>/dev/null
	echo "$out"
	[ $rc = 0 ] && grep -q "^sent 82 datagrams.* 0 failed, 0 frames skipped.*2 of 2 loops" <<<"$out" &&
		okf "--link $mode --loop 2: 82 frames sent" || badf "--link $mode --loop 2 (exit $rc)"
	python3 - "$tmp/eth.pcap" "$tmp/lrecv.pcap" <<'PY' && okf "--link $mode: the peer received every frame identical" || badf "--link $mode: received frames differ"
import struct, sys
def frames(path):
    d = open(path, 'rb').read()
    e = '<' if struct.unpack('<I', d[:4])[0] in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    off, out = 24, []
    while off + 16 <= len(d):
        _, _, cl, _ = struct.unpack(e + 'IIII', d[off:off + 16])
        out.append(d[off + 16:off + 16 + cl]); off += 16 + cl
    return out
sent, recv = frames(sys.argv[1]), frames(sys.argv[2])
want = sent * 2
print("sent %d frames x 2 loops, received %d; identical: %s" % (len(sent), len(recv), recv == want))
sys.exit(0 if len(sent) == 41 and recv == want else 1)
PY
done
finish
