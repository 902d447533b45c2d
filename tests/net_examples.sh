#!/usr/bin/env bash
# net_examples.sh - runs every tools/examples program (Go x/net/ipv4 documentation examples in C) in private namespaces and checks what it printed and what arrived.
#
# usage: bash tests/net_examples.sh TOOL SRCDIR [THIRD_PARTY_PCAPS]; the examples are next to TOOL
# (<build>/tools/example_<name>). Peers are a small Python script (sockets only) in the other
# namespace. Topology: NS1 veth1 198.18.k.1 -- veth2 198.18.k.2 (+ .12) NS2 (link A);
# NS1 vethb1 198.19.k.1 -- vethb2 198.19.k.2 NS2 (link B); NS2 vethc2 198.19.k.65 -- vethc3
# 198.19.k.66 NS3 (routed by NS2, for the route trace). Every wait is bounded.
set -u
tool=${1:?usage: net_examples.sh TOOL SRCDIR}
src=${2:?usage: net_examples.sh TOOL SRCDIR}
bin=$(cd "$(dirname "$tool")" && pwd)
. "$src/tests/lib/netns.sh"
command -v python3 >/dev/null || skip "python3 is needed for the peers"
netns_setup 2

k=$NETNS_SUBNET
B1=198.19.$k.1 B2=198.19.$k.2 C2=198.19.$k.65 C3=198.19.$k.66 A2B=198.18.$k.12
NS3=${NS1%-1}-3
ip netns add "$NS3" || skip "cannot create a third namespace"
NETNS_LIST+=("$NS3")
ip -n "$NS3" link set lo up
ip link add vethb1 netns "$NS1" type veth peer name vethb2 netns "$NS2" || skip "cannot create a veth pair"
ip link add vethc2 netns "$NS2" type veth peer name vethc3 netns "$NS3" || skip "cannot create a veth pair"
ip -n "$NS1" addr add "$B1/26" dev vethb1
ip -n "$NS2" addr add "$B2/26" dev vethb2
ip -n "$NS2" addr add "$C2/26" dev vethc2
ip -n "$NS3" addr add "$C3/26" dev vethc3
ip -n "$NS2" addr add "$A2B/24" dev veth2
for l in "$NS1 vethb1" "$NS2 vethb2" "$NS2 vethc2" "$NS3 vethc3"; do
	set -- $l
	ip -n "$1" link set "$2" up
done
ip -n "$NS1" route add "198.19.$k.64/26" via "$ADDR2"
ip -n "$NS3" route add default via "$C2"
ip netns exec "$NS2" sysctl -qw net.ipv4.ip_forward=1
for n in "$NS1" "$NS2" "$NS3"; do
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null
done
netns_wait_up

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ipk-examples.XXXXXX") || fail "mktemp"
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
peer=$tmp/peer.py
cat >"$peer" <<'PY'
import socket, struct, sys, time, select
IP_PKTINFO, IP_RECVTTL, IP_RECVTOS, IP_TTL, IP_TOS = 8, 12, 13, 2, 1

def ifidx(n): return socket.if_nametoindex(n)

def join(s, spec):
    g, ifn = spec.split('@')
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                 struct.pack('4s4si', socket.inet_aton(g), b'\0' * 4, ifidx(ifn)))

def out(*a):
    print(*a, flush=True)

def udp_sock(port, joins, src='0.0.0.0'):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((src, port))
    for j in joins: join(s, j)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    for o in (IP_PKTINFO, IP_RECVTTL, IP_RECVTOS): s.setsockopt(socket.IPPROTO_IP, o, 1)
    return s

def send(s, dst, port, text, ifn=None):
    if ifn:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, struct.pack('4s4si', b'\0'*4, b'\0'*4, ifidx(ifn)))
    s.sendto(text.encode(), (dst, port))

def recv(s, count, timeout):
    end = time.time() + timeout
    for _ in range(count):
        left = end - time.time()
        if left <= 0 or not select.select([s], [], [], left)[0]:
            out('timeout'); return
        data, anc, _, src = s.recvmsg(2048, 256)
        ttl = tos = ifi = -1; dst = '?'
        for lvl, typ, d in anc:
            if typ == IP_PKTINFO and len(d) >= 12:
                ifi, _, a = struct.unpack('=I4s4s', d[:12]); dst = socket.inet_ntoa(a)
            elif typ == IP_TTL: ttl = struct.unpack('=i', d[:4])[0]
            elif typ == IP_TOS: tos = d[0]
        out('from %s:%d to %s if %s ttl %d tos 0x%02x: %s' % (src[0], src[1], dst,
            socket.if_indextoname(ifi) if ifi > 0 else '?', ttl, tos, data.decode(errors='replace')))

cmd, a = sys.argv[1], sys.argv[2:]
if cmd == 'recv':    # recv PORT COUNT TIMEOUT [GROUP@IF...]
    s = udp_sock(int(a[0]), a[3:]); out('ready'); recv(s, int(a[1]), float(a[2]))
elif cmd == 'send':  # send SRC DST PORT TEXT IF|- REPEAT INTERVAL
    s = udp_sock(0, [], a[0])
    for i in range(int(a[5])):
        send(s, a[1], int(a[2]), a[3], None if a[4] == '-' else a[4]); time.sleep(float(a[6]))
elif cmd == 'sendrecv':  # sendrecv PORT COUNT TIMEOUT JOINS(comma|-) DST:PORT@IF:TEXT...
    s = udp_sock(int(a[0]), [] if a[3] == '-' else a[3].split(','))
    for spec in a[4:]:
        dp, rest = spec.split('@', 1); ifn, text = rest.split(':', 1); d, p = dp.split(':')
        send(s, d, int(p), text, None if ifn == '-' else ifn)
    recv(s, int(a[1]), float(a[2]))
elif cmd == 'tcp':   # tcp ADDR PORT
    c = socket.create_connection((a[0], int(a[1])), timeout=3); out('tcp got', c.recv(100).decode())
elif cmd == 'raw':   # raw PROTO COUNT TIMEOUT MATCH [GROUP@IF]
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, int(a[0]))
    for j in a[4:]: join(s, j)
    out('ready'); end = time.time() + float(a[2]); n = 0
    while n < int(a[1]):
        left = end - time.time()
        if left <= 0 or not select.select([s], [], [], left)[0]:
            out('timeout'); break
        p = s.recv(65535)
        if a[3].encode() not in p and a[3] != '-': continue
        n += 1
        hl = (p[0] & 15) * 4
        out('raw from %s to %s tos 0x%02x ttl %d proto %d len %d payload %s' % (socket.inet_ntoa(p[12:16]),
            socket.inet_ntoa(p[16:20]), p[1], p[8], p[9], len(p), p[hl:hl + 2].hex()))
PY

npass=0 nfail=0
ok() { echo "ok: $1"; npass=$((npass + 1)); }
bad() {
	echo "FAIL: $1: $2"
	for f in "$tmp"/out "$tmp"/peer "$tmp"/err; do [ -s "$f" ] && sed "s|^|    ${f##*/}: |" "$f"; done
	nfail=$((nfail + 1))
}
# wait_for FILE REGEX: up to 5 s
wait_for() {
	local i
	for i in $(seq 1 50); do grep -Eq "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}
# has FILE REGEX...: every regex matches a line
has() {
	local f=$1 r; shift
	for r in "$@"; do grep -Eq -- "$r" "$f" || { why="no line matching /$r/ in ${f##*/}"; return 1; }; done
}
hasnt() { ! grep -Eq -- "$2" "$1" || { why="unexpected /$2/ in ${1##*/}"; return 1; }; }
# ex NAME: example binary path, or fail the case
ex() { [ -x "$bin/example_$1" ] && echo "$bin/example_$1"; }
in1() { ip netns exec "$NS1" "$@"; }
in2() { ip netns exec "$NS2" "$@"; }
py2() { ip netns exec "$NS2" python3 "$peer" "$@"; }
reset() { : >"$tmp/out"; : >"$tmp/peer"; : >"$tmp/err"; why=""; }
# finish PID...: wait for background jobs (bounded by their own timeouts)
finish() { local p; for p in "$@"; do wait "$p" 2>/dev/null; done; }
esc() { printf '%s' "$1" | sed 's/\./\\./g'; }
a1=$(esc "$ADDR1") a2=$(esc "$ADDR2")

# 1. ExampleConn_markingTCP: the data segment leaves with TOS 0x28 and TTL 128
t=tcp_marking; reset
if e=$(ex $t); then
	py2 raw 6 1 5 HELLO-R-U-THERE-ACK >"$tmp/peer" 2>&1 &
	pp=$!
	wait_for "$tmp/peer" ready
	in1 "$e" "$ADDR1" 1024 5 >"$tmp/out" 2>"$tmp/err" &
	ep=$!
	wait_for "$tmp/out" listening
	py2 tcp "$ADDR1" 1024 >>"$tmp/err" 2>&1
	finish $ep $pp
	if has "$tmp/out" "tos 0x28 ttl 128, wrote HELLO-R-U-THERE-ACK" &&
		has "$tmp/peer" "raw from $a1 to $a2 tos 0x28 ttl 128 proto 6" &&
		has "$tmp/err" "tcp got HELLO-R-U-THERE-ACK"; then ok $t; else bad $t "$why"; fi
else bad $t "example_$t not built"; fi

# 2. ExamplePacketConn_servingOneShotMulticastDNS: unicast skipped, the group query answered
t=mdns_oneshot; reset
if e=$(ex $t); then
	in1 "$e" veth1 224.0.0.251 5353 5 >"$tmp/out" 2>"$tmp/err" &
	ep=$!
	wait_for "$tmp/out" joined
	py2 sendrecv 0 1 3 - "$ADDR1:5353@-:NOT-A-QUERY" "224.0.0.251:5353@veth2:QUERY" >"$tmp/peer" 2>&1
	finish $ep
	if has "$tmp/out" "skipped datagram from $a2 to $a1" \
		"answered query from $a2:[0-9]+ to 224\.0\.0\.251 on ifindex $(netns_ifindex "$NS1" veth1)" &&
		has "$tmp/peer" "from $a1:5353 to $a2 .*: FAKE-MDNS-ANSWERS"; then ok $t; else bad $t "$why"; fi
else bad $t "example_$t not built"; fi

# 3. doc.go Multicasting: joined on two interfaces; unicast answer TTL 16, one multicast per interface TTL 2
t=mcast_listener; reset
if e=$(ex $t); then
	in1 "$e" veth1 vethb1 239.1.1.1 1024 5 >"$tmp/out" 2>"$tmp/err" &
	ep=$!
	wait_for "$tmp/out" joined
	py2 sendrecv 1024 3 4 239.1.1.1@veth2,239.1.1.1@vethb2 "239.1.1.1:1024@vethb2:HELLO" >"$tmp/peer" 2>&1
	finish $ep
	if has "$tmp/out" "joined group: $(esc "$B2"):1024 -> 239\.1\.1\.1 on ifindex $(netns_ifindex "$NS1" vethb1)" \
		"answered" &&
		has "$tmp/peer" "from $(esc "$B1"):1024 to $(esc "$B2") if vethb2 ttl 16 tos 0x00: HELLO-FROM-IPV4KIT" \
		"from $a1:1024 to 239\.1\.1\.1 if veth2 ttl 2 .*HELLO-FROM-IPV4KIT" \
		"from $(esc "$B1"):1024 to 239\.1\.1\.1 if vethb2 ttl 2 .*HELLO-FROM-IPV4KIT"; then ok $t; else bad $t "$why"; fi
else bad $t "example_$t not built"; fi

# 4. doc.go More multicasting: G1, G2 on IF0 and G2 on IF1; G1 arriving on IF1 is not delivered
t=mcast_groups; reset
if e=$(ex $t); then
	in1 "$e" veth1 vethb1 239.1.1.248 239.1.1.249 1025 3 3 >"$tmp/out" 2>"$tmp/err" &
	ep=$!
	wait_for "$tmp/out" joined
	py2 sendrecv 0 0 0 - "239.1.1.248:1025@vethb2:G1-IF1" "239.1.1.248:1025@veth2:G1-IF0" \
		"239.1.1.249:1025@veth2:G2-IF0" "239.1.1.249:1025@vethb2:G2-IF1" >"$tmp/peer" 2>&1
	finish $ep
	if has "$tmp/out" "to 239\.1\.1\.248 on veth1 ttl 1: G1-IF0" "to 239\.1\.1\.249 on veth1 ttl 1: G2-IF0" \
		"to 239\.1\.1\.249 on vethb1 ttl 1: G2-IF1" && hasnt "$tmp/out" "G1-IF1"; then ok $t; else bad $t "$why"; fi
else bad $t "example_$t not built"; fi

# 5. doc.go: two listeners on 224.0.0.0:PORT join one group; both get the datagram
t=mcast_shared_port; reset
if e=$(ex $t); then
	in1 "$e" veth1 224.0.0.248 1026 3 >"$tmp/out" 2>"$tmp/err" &
	ep=$!
	wait_for "$tmp/out" "two listeners"
	py2 sendrecv 0 0 0 - "224.0.0.248:1026@veth2:SHARED" >"$tmp/peer" 2>&1
	finish $ep
	if has "$tmp/out" "listener 1: from $a2:[0-9]+ to 224\.0\.0\.248: SHARED" \
		"listener 2: from $a2:[0-9]+ to 224\.0\.0\.248: SHARED"; then ok $t; else bad $t "$why"; fi
else bad $t "example_$t not built"; fi

# 6. doc.go leave and rejoin: before, only the old group arrives; after, only the new one
t=mcast_rejoin; reset
if e=$(ex $t); then
	in1 "$e" veth1 224.0.0.248 224.0.0.250 1027 3 4 >"$tmp/out" 2>"$tmp/err" &
	ep=$!
	py2 send 0.0.0.0 224.0.0.248 1027 OLD veth2 80 0.05 >"$tmp/peer" 2>&1 &
	s1=$!
	py2 send 0.0.0.0 224.0.0.250 1027 NEW veth2 80 0.05 >>"$tmp/peer" 2>&1 &
	s2=$!
	finish $ep
	kill $s1 $s2 2>/dev/null; finish $s1 $s2
	if has "$tmp/out" "left 224\.0\.0\.248, joined 224\.0\.0\.250" &&
		[ "$(grep -c 'joined old: datagram to 224\.0\.0\.248$' "$tmp/out")" = 3 ] &&
		[ "$(grep -c 'joined new: datagram to 224\.0\.0\.250$' "$tmp/out")" = 3 ]; then ok $t
	else bad $t "${why:-expected 3 datagrams to the old group, then 3 to the new one}"; fi
else bad $t "example_$t not built"; fi

# 7. doc.go source-specific include: only the joined source arrives
t=ssm_include; reset
if e=$(ex $t); then
	in1 "$e" veth1 232.1.1.1 "$ADDR2" 1028 3 4 >"$tmp/out" 2>"$tmp/err" &
	ep=$!
	py2 send "$A2B" 232.1.1.1 1028 OTHER veth2 80 0.05 >"$tmp/peer" 2>&1 &
	s1=$!
	py2 send "$ADDR2" 232.1.1.1 1028 JOINED veth2 80 0.05 >>"$tmp/peer" 2>&1 &
	s2=$!
	finish $ep
	kill $s1 $s2 2>/dev/null; finish $s1 $s2
	if [ "$(grep -c "^from $a2 to 232\.1\.1\.1$" "$tmp/out")" = 3 ] && hasnt "$tmp/out" "from $(esc "$A2B")"; then ok $t
	else bad $t "${why:-expected 3 datagrams from $ADDR2}"; fi
else bad $t "example_$t not built"; fi

# 8. doc.go exclude mode: the excluded source is blocked, and arrives after IncludeSourceSpecificGroup
t=ssm_exclude; reset
if e=$(ex $t); then
	in1 "$e" veth1 239.3.3.3 "$A2B" 1029 3 4 >"$tmp/out" 2>"$tmp/err" &
	ep=$!
	py2 send "$A2B" 239.3.3.3 1029 EXCLUDED veth2 80 0.05 >"$tmp/peer" 2>&1 &
	s1=$!
	py2 send "$ADDR2" 239.3.3.3 1029 ALLOWED veth2 80 0.05 >>"$tmp/peer" 2>&1 &
	s2=$!
	finish $ep
	kill $s1 $s2 2>/dev/null; finish $s1 $s2
	if [ "$(grep -c "^excluding: from $a2$" "$tmp/out")" = 3 ] && has "$tmp/out" "^included: from $(esc "$A2B")$"; then ok $t
	else bad $t "${why:-expected 3 datagrams from $ADDR2 while excluding, then one from $A2B}"; fi
else bad $t "example_$t not built"; fi

# 9. ExamplePacketConn_tracingIPPacketRoute: NS2 answers hop 1 (time exceeded), NS3 hop 2 (echo reply)
t=trace_route; reset
if e=$(ex $t); then
	in1 timeout 20 "$e" "$C3" 5 1 >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc = 0 ] && has "$tmp/out" "^1	$a2 time-exceeded" "^2	$(esc "$C3") echo-reply" \
		"cm: ttl [0-9]+ src $(esc "$C3") dst $a1 ifindex $(netns_ifindex "$NS1" veth1)"; then ok $t
	else bad $t "${why:-exit $rc}"; fi
else bad $t "example_$t not built"; fi

# 10. ExampleRawConn_advertisingOSPFHello: the peer sees TOS 0xc0, TTL 1, protocol 89 to 224.0.0.5
t=ospf_hello; reset
if e=$(ex $t); then
	py2 raw 89 1 5 - 224.0.0.5@veth2 >"$tmp/peer" 2>&1 &
	pp=$!
	wait_for "$tmp/peer" ready
	in1 "$e" veth1 1 >"$tmp/out" 2>"$tmp/err"
	finish $pp
	if has "$tmp/out" "sent OSPF hello: 68 bytes to 224\.0\.0\.5 on veth1" &&
		has "$tmp/peer" "raw from $a1 to 224\.0\.0\.5 tos 0xc0 ttl 1 proto 89 len 68 payload 0201"; then ok $t
	else bad $t "$why"; fi
else bad $t "example_$t not built"; fi

echo "$npass passed, $nfail failed"
[ $nfail = 0 ]
