#!/usr/bin/env bash
# reasm.sh - `decode --reassemble` and `replay verify --reassemble` over real and crafted fragments,
# cross-checked with scapy's defragment when scapy is installed.
# usage: reasm.sh TOOL SRCDIR THIRD_PARTY_PCAPS
set -u
tool=${1:?usage: reasm.sh TOOL SRCDIR THIRD_PARTY_PCAPS}
src=${2:?}
tp=${3:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
check() { local name=$1; shift; if "$@"; then ok; else bad "$name"; fi; }
has() { grep -q -- "$2" "$1"; }
hasnt() { ! grep -q -- "$2" "$1"; }
nlines() { wc -l <"$1" | tr -d ' '; }

nfs=$tp/other/IPv4Frag.pcap      # an NFS reply over UDP in three fragments (PcapPlusPlus)
igmp=$src/pcaps/igmpv3-fragments.pcap
frags=$src/pcaps/fragments.pcapng

# -- decode: every frame as without --reassemble, then the datagram, marked, with its frames
"$tool" decode --json "$nfs" >"$tmp/plain" || bad "decode $nfs"
"$tool" decode --reassemble --json "$nfs" >"$tmp/j"; rc=$?
check "decode --reassemble exits 0" [ $rc -eq 0 ]
check "frames are printed as without --reassemble" \
	cmp -s <(head -3 "$tmp/j" | sed 's/"findings":\[\]//') <(sed 's/"findings":\[\]//' "$tmp/plain")
check "one line per frame and one for the datagram" [ "$(nlines "$tmp/j")" = 4 ]
tail -1 "$tmp/j" >"$tmp/last"
check "the datagram is marked with the frames it came from" \
	has "$tmp/last" '"frame":3,"ts":[0-9.]*,"reassembled":{"frames":\[1,2,3\],"fragments":3,"complete":true}'
check "the datagram has MF 0, offset 0, total length 4080 and a good header checksum" \
	has "$tmp/last" '"total_len":4080,"id":40073,"rf":0,"df":0,"mf":0,"frag_off":0,.*"checksum":19491,"checksum_ok":true'
check "its UDP header is decoded (NFS reply, 4060 bytes)" \
	has "$tmp/last" '"udp":{"sport":2049,"dport":1023,"len":4060'
check "its UDP checksum holds (no UDP_CHECKSUM)" hasnt "$tmp/last" UDP_CHECKSUM
"$tool" decode --reassemble "$nfs" >"$tmp/t"
check "text: the datagram line names its frames" \
	has "$tmp/t" '^3 [0-9:.]* reassembled (frames 1,2,3) 192.168.0.254.2049 > 192.168.0.2.1023: UDP, length 4052'
"$tool" decode -q --reassemble "$nfs" 2>"$tmp/e" >/dev/null
check "-q counts the datagram" has "$tmp/e" '^reassembled 1 datagrams, 0 dropped'

# -- a wrong UDP checksum shows only after reassembly: flip one payload byte of the last fragment
python3 - "$nfs" "$tmp/bad.pcap" <<'EOF' 2>/dev/null || cp "$nfs" "$tmp/bad.pcap"
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
b[-1] ^= 0xff   # the last byte of the last frame: UDP payload, not covered by the IP checksum
open(sys.argv[2], 'wb').write(b)
EOF
if ! cmp -s "$nfs" "$tmp/bad.pcap"; then
	"$tool" decode --reassemble --json "$tmp/bad.pcap" >"$tmp/j"
	check "a changed payload byte: UDP_CHECKSUM on the reassembled datagram only" \
		[ "$(grep -c UDP_CHECKSUM "$tmp/j")" = 1 -a -n "$(tail -1 "$tmp/j" | grep UDP_CHECKSUM)" ]
	"$tool" replay verify --reassemble "$tmp/bad.pcap" >"$tmp/v"; rc=$?
	check "verify --reassemble fails it (exit 1, udp checked)" \
		[ $rc -eq 1 -a -n "$(grep 'reassembled 1 datagrams (udp checksums checked 1), 0 given up; 1 failed' "$tmp/v")" ]
	check "verify names the frames of the failed datagram" \
		has "$tmp/v" 'frame 3: reassembled datagram (frames 1,2,3): UDP_CHECKSUM'
	"$tool" replay verify "$tmp/bad.pcap" >"$tmp/v"; rc=$?
	check "verify without --reassemble cannot see it (exit 0)" [ $rc -eq 0 ]
fi

# -- verify: the datagram is checked like a frame
"$tool" replay verify --reassemble "$nfs" >"$tmp/v"; rc=$?
check "verify --reassemble passes the NFS capture" [ $rc -eq 0 ]
check "verify --reassemble checks the reassembled UDP checksum" \
	has "$tmp/v" 'reassembled 1 datagrams (udp checksums checked 1), 0 given up; 0 failed'

# -- an IGMPv3 report in three fragments, out of order: valid only once reassembled
"$tool" decode --reassemble --json "$igmp" >"$tmp/j"; rc=$?
check "igmp: exit 0 and 4 lines" [ $rc -eq 0 -a "$(nlines "$tmp/j")" = 4 ]
tail -1 "$tmp/j" >"$tmp/last"
check "igmp: reassembled from frames 1,2,3 at frame 3" \
	has "$tmp/last" '^{"frame":3,.*"reassembled":{"frames":\[1,3,2\]\|^{"frame":3,.*"reassembled":{"frames":\[1,2,3\]'
check "igmp: the report's checksum holds after reassembly" \
	has "$tmp/last" '"igmp":{"version":3,"type":34,.*"checksum_ok":true'
check "igmp: both records with all 30 sources each" \
	[ "$(grep -o '"198\.18\.[12]\.[0-9]*"' "$tmp/last" | sort -u | wc -l)" = 60 ]
check "igmp: the reassembled report has no error or finding" hasnt "$tmp/last" '"code":'
"$tool" replay verify --reassemble "$igmp" >"$tmp/v"
check "igmp: verify --reassemble passes the datagram" \
	has "$tmp/v" 'reassembled 1 datagrams (udp checksums checked 0), 0 given up; 0 failed'

# -- findings: duplicate, overlap with other bytes, too big, incomplete at the end
"$tool" decode --reassemble "$frags" >"$tmp/t"; rc=$?
check "fragments: exit 0" [ $rc -eq 0 ]
check "fragments: 5 datagrams reassembled" [ "$(grep -c ' reassembled (frames' "$tmp/t")" = 5 ]
check "fragments: frame 8 is a duplicate" has "$tmp/t" '^8 .*REASM_DUP'
check "fragments: frame 12 overlaps with other bytes and drops ID 4100" \
	has "$tmp/t" '^12 .*reassembly dropped: 198.18.0.10 > 198.19.0.1 id 4100 proto 17 (frames 11,12; 24 bytes held) \[?REASM_OVERLAP_DIFF\]'
check "fragments: frame 21 cannot fit in 65535 bytes" has "$tmp/t" '^21 .*REASM_TOOBIG'
check "fragments: the lost middle of ID 4101 is reported at the end" \
	has "$tmp/t" '^21 .*reassembly dropped: .* id 4101 proto 17 (frames 14,15; 32 bytes held) \[?REASM_INCOMPLETE\]'
check "fragments: the duplicate's datagram completes with 4 frames" \
	has "$tmp/t" '^10 .*reassembled (frames 7,8,9,10)'
"$tool" decode --reassemble --json "$frags" >"$tmp/j"
check "fragments: a dropped datagram in JSON" \
	has "$tmp/j" '"reassembled":{"frames":\[14,15\],"fragments":2,"complete":false,"src":"198.18.0.10","dst":"198.19.0.1","id":4101,"proto":17,"bytes":32},"errors":\[\],"findings":\[{"layer":"ipv4","code":"REASM_INCOMPLETE"'
"$tool" replay verify --reassemble "$frags" >"$tmp/v"; rc=$?
check "fragments: verify --reassemble counts them, exit 0 (findings)" \
	[ $rc -eq 0 -a -n "$(grep 'reassembled 5 datagrams (udp checksums checked 0), 3 given up; 0 failed' "$tmp/v")" ]
"$tool" replay verify --strict --reassemble "$frags" >"$tmp/v"; rc=$?
check "fragments: --strict fails the findings (exit 1)" \
	[ $rc -eq 1 -a -n "$(grep 'frame 21: dropped datagram (frames 14,15): REASM_INCOMPLETE' "$tmp/v")" ]

# -- timeouts follow the capture's clock: 31 s between two fragments of one datagram
if "$tool" craft ip src=198.18.0.10 dst=198.19.0.1 id=7 mf frag=0 raw 0001020304050607 \
	-w "$tmp/late.pcap" --link raw --ts 1700000000 >/dev/null &&
	"$tool" craft ip src=198.18.0.10 dst=198.19.0.1 id=7 frag=1 raw 08 \
		-w "$tmp/late.pcap" --link raw --ts 1700000031 >/dev/null; then
	"$tool" decode --reassemble "$tmp/late.pcap" >"$tmp/t"
	check "timeout: reported when frame 2 arrives 31 s later, before it" \
		[ "$(sed -n 2p "$tmp/t" | grep -c 'reassembly dropped: .*(frames 1; 8 bytes held) \[?REASM_TIMEOUT\]')" = 1 ]
	check "timeout: the late fragment starts anew and ends incomplete" \
		has "$tmp/t" '^2 .*(frames 2; 1 bytes held) \[?REASM_INCOMPLETE\]'
else
	bad "craft could not write the timeout capture"
fi

# -- cross-check with scapy's defragment: the same datagram, field by field
if /usr/bin/python3 -c 'import scapy.all' 2>/dev/null; then
	for cap in "$nfs" "$igmp"; do
		name=$(basename "$cap")
		/usr/bin/python3 - "$cap" "$tmp/scapy.pcap" <<'EOF' >/dev/null 2>&1 || bad "scapy: $name"
import logging, sys
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IP, PcapWriter, defragment, rdpcap
pk = rdpcap(sys.argv[1])
ids = {q[IP].id for q in pk if IP in q and (q[IP].flags.MF or q[IP].frag)}
out = PcapWriter(sys.argv[2], linktype=101, sync=True)
for p in defragment(pk):
    if IP in p and not p[IP].flags.MF and p[IP].frag == 0 and p[IP].id in ids:
        out.write(IP(bytes(p[IP])))
out.close()
EOF
		"$tool" decode --json "$tmp/scapy.pcap" >"$tmp/s" 2>/dev/null
		"$tool" decode --reassemble --json "$cap" | grep '"reassembled"' >"$tmp/o"
		# the same line but for frame, ts and the reassembled mark
		strip() { sed -e 's/^{"frame":[0-9]*,"ts":[0-9.]*,\("reassembled":{[^}]*},\)\{0,1\}//' "$1"; }
		check "scapy: $name reassembles to the same datagram" \
			[ -s "$tmp/s" -a "$(nlines "$tmp/s")" = "$(nlines "$tmp/o")" -a \
			"$(strip "$tmp/s")" = "$(strip "$tmp/o")" ]
	done
else
	echo "reasm: scapy not installed (apt-get install python3-scapy): cross-check skipped"
fi

echo "reasm: $pass passed, $fail failed"
[ $fail -eq 0 ]
