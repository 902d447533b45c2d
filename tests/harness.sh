#!/usr/bin/env bash
# harness.sh - `ipv4kit replay` verify/golden/rewrite from the command line over pcaps/ and pcaps/third-party (known malformed frames fail with their codes).
# usage: harness.sh TOOL SRCDIR [THIRD_PARTY_PCAPS]
set -u
tool=${1:?usage: harness.sh TOOL SRCDIR [SHARED]}
src=${2:?usage: harness.sh TOOL SRCDIR [SHARED]}
tp=${3:-$src/pcaps/third-party}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# verify FILE RC [PATTERN...]: exit status RC and every pattern in the output
verify() {
	local f=$1 want=$2 rc
	shift 2
	"$tool" replay verify -v "$f" >"$tmp/out" 2>&1
	rc=$?
	[ $rc -eq "$want" ] || { bad "verify $(basename "$f"): exit $rc, want $want"; cat "$tmp/out"; return; }
	local p
	for p in "$@"; do
		grep -qF -- "$p" "$tmp/out" || { bad "verify $(basename "$f"): no '$p' in:"; cat "$tmp/out"; return; }
	done
	ok
}

# --- the project's own captures
verify "$src/pcaps/sample.pcap" 1 \
	"sample.pcap: frame 21: IGMP_RECORDS (igmp at 72)" \
	"sample.pcap: frame 26: IP_CHECKSUM (ipv4 at 24, 0xbeef should be 0x2df7)" \
	"sample.pcap: frame 27: IGMP_CHECKSUM (igmp at 40, 0xdead should be 0xf9fb)" \
	"sample.pcap: frame 28: IGMP_QUERY_LEN" "40 frames: 36 passed, 4 failed" \
	"re-marshal: 40 identical, 0 differ"
n=$("$tool" replay verify -v "$src/pcaps/sample.pcap" | grep -c ': frame ')
[ "$n" -eq 4 ] && ok || bad "sample.pcap: $n failed frames listed, want 4"

# every other capture of the corpus verifies clean (pcaps/README.md); malformed.pcap fails on its
# 22 error frames, one code each, and its findings fail only with --strict
for cap in "$src"/pcaps/*.pcap "$src"/pcaps/*.pcapng; do
	case $(basename "$cap") in
	sample.pcap) ;;
	malformed.pcap) verify "$cap" 1 "37 frames: 15 passed, 22 failed" ;;
	*) verify "$cap" 0 "re-marshal:" ;;
	esac
done
"$tool" replay verify --strict -v "$src/pcaps/malformed.pcap" >"$tmp/out" 2>&1
[ $? -eq 1 ] && grep -q "37 frames: 2 passed, 35 failed" "$tmp/out" && ok ||
	{ bad "verify --strict malformed.pcap"; cat "$tmp/out"; }
# the unassigned IGMP type of igmp-messages.pcap is a finding: it fails only with --strict
"$tool" replay verify --strict "$src/pcaps/igmp-messages.pcap" >"$tmp/out" 2>&1
[ $? -eq 1 ] && grep -q "27 frames: 26 passed, 1 failed" "$tmp/out" &&
	grep -qF "frame 27: IGMP_UNKNOWN_TYPE (finding, igmp at 24)" "$tmp/out" && ok ||
	{ bad "verify --strict igmp-messages.pcap: the unknown type"; cat "$tmp/out"; }
"$tool" replay verify --strict -v "$src/pcaps/malformed.pcap" >"$tmp/out" 2>&1
# errors and findings are counted on separate lines; --strict names a failing finding as such
grep -q "^  errors: IP_VERSION 1, .*IGMP_CHECKSUM 1" "$tmp/out" && ! grep -q "^  errors: .*IGMP_TTL" "$tmp/out" &&
	grep -q "^  findings: IP_RESERVED_FLAG 1, .*IGMP_TTL 1" "$tmp/out" &&
	grep -qF "frame 32: IGMP_TTL (finding, igmp at 22)" "$tmp/out" && ok ||
	{ bad "verify: errors and findings lines"; cat "$tmp/out"; }

for cap in "$src"/pcaps/*.pcap "$src"/pcaps/*.pcapng; do
	[ -f "$cap" ] || continue
	name=$(basename "$cap"); name=${name%.*}
	[ -f "$src/tests/golden/$name.json" ] || continue
	if "$tool" replay golden "$cap" "$src/tests/golden/$name.json" >"$tmp/out" 2>&1; then ok
	else bad "golden $name"; head -40 "$tmp/out"; fi
done

# golden shows the frame and the differing keys
"$tool" replay rewrite --ttl 7 "$src/pcaps/sample.pcap" "$tmp/ttl7.pcap" >/dev/null || bad "rewrite --ttl"
"$tool" replay golden "$tmp/ttl7.pcap" "$src/tests/golden/sample.json" >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q '^frame 1:$' "$tmp/out" && grep -q '  ipv4.ttl: 1 -> 7' "$tmp/out"; then ok
else bad "golden diff after --ttl 7 (exit $rc)"; head -20 "$tmp/out"; fi
# a list empty in the expected file and not in the output: one line for the list, then the
# entries, never "-> missing"
grep -qF '  findings: [] -> 1 entry' "$tmp/out" && grep -qF '  findings[0].code: (none) -> "IGMP_TTL"' "$tmp/out" &&
	! grep -q 'missing\|unexpected' "$tmp/out" && ok || { bad "golden diff of a list"; head -20 "$tmp/out"; }
# the README's golden example is this output, word for word (run where the README runs it)
mkdir -p "$tmp/rd/pcaps" "$tmp/rd/tests/golden"
cp "$src/pcaps/sample.pcap" "$tmp/rd/pcaps/" && cp "$src/tests/golden/sample.json" "$tmp/rd/tests/golden/"
t=$(realpath "$tool")
(cd "$tmp/rd" && "$t" replay rewrite --ttl 7 --src-map 198.18.0.0/16=198.19.0.0/16 pcaps/sample.pcap out.pcap &&
	"$t" replay golden out.pcap tests/golden/sample.json) >"$tmp/readme.out" 2>&1
sed -n '/^\$ ipv4kit replay rewrite --ttl 7/,/^out.pcap: .* differ from/p' "$src/README.md" |
	grep -v '^\$' >"$tmp/readme.want"
{ head -n "$(($(wc -l <"$tmp/readme.want") - 2))" "$tmp/readme.out"; echo "..."; tail -1 "$tmp/readme.out"; } >"$tmp/readme.got"
[ -s "$tmp/readme.want" ] && diff "$tmp/readme.want" "$tmp/readme.got" >/dev/null && ok ||
	{ bad "README golden example differs from the real output"; diff "$tmp/readme.want" "$tmp/readme.got"; }
# an expected file that is not JSON: one error line naming it and its line, exit 2
"$tool" replay golden "$src/pcaps/sample.pcap" "$src/README.md" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/out")" -eq 1 ] && grep -qF "README.md: line 1 is not JSON" "$tmp/out" && ok ||
	{ bad "golden with a non-JSON expected file: exit $rc"; head -5 "$tmp/out"; }
# golden --update writes a file that then matches
"$tool" replay golden --update "$tmp/ttl7.pcap" "$tmp/ttl7.json" >/dev/null &&
	"$tool" replay golden "$tmp/ttl7.pcap" "$tmp/ttl7.json" >/dev/null && ok || bad "golden --update"

# rewrite keeps every checksum right: the rewritten sample fails exactly as the original did
"$tool" replay rewrite --src-map 198.18.0.0/16=10.1.0.0/16 --dst 192.0.2.1 --tos 0x10 --id +1000 \
	"$src/pcaps/sample.pcap" "$tmp/rw.pcap" >"$tmp/out" 2>&1 || bad "rewrite: $(cat "$tmp/out")"
verify "$tmp/rw.pcap" 1 "rw.pcap: frame 26: IP_CHECKSUM" "rw.pcap: frame 27: IGMP_CHECKSUM" \
	"40 frames: 36 passed, 4 failed" "udp 0 of 4 checked"
"$tool" decode "$tmp/rw.pcap" | grep -q '10.1.0.10 > 192.0.2.1' && ok || bad "rewrite: addresses not mapped"

# errors: not a capture (exit 2, one clear line), missing file, output left alone
echo "plain text" >"$tmp/text.pcap"
"$tool" replay verify "$tmp/text.pcap" >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/out")" -eq 1 ] && grep -q 'not a pcap or pcapng capture' "$tmp/out"; then ok
else bad "not-a-capture: exit $rc: $(cat "$tmp/out")"; fi
"$tool" replay rewrite --ttl 3 "$tmp/text.pcap" "$tmp/none.pcap" >/dev/null 2>&1
[ $? -eq 2 ] && [ ! -e "$tmp/none.pcap" ] && ok || bad "rewrite of a non-capture left output"
# a capture cut in the middle of a record: the same exit status (1, after the frames before it)
# and the same message naming the file and the frame from decode, verify, golden and rewrite;
# rewrite and golden --update leave nothing at their output
head -c 1000 "$src/pcaps/sample.pcap" >"$tmp/cut.pcap"
# reader_errors CAP WHAT: every tool exits 1 and names CAP and WHAT; nothing written
reader_errors() {
	local cap=$1 what=$2 rc name
	name=$(basename "$cap")
	for cmd in "decode" "replay verify" "replay golden --update" "replay rewrite --ttl 9"; do
		rm -f "$tmp/w.out"
		case $cmd in
		decode | "replay verify") $tool $cmd "$cap" >"$tmp/out" 2>&1 ;;
		*) $tool $cmd "$cap" "$tmp/w.out" >"$tmp/out" 2>&1 ;;
		esac
		rc=$?
		if [ $rc -eq 1 ] && grep -qF -- "$name: $what" "$tmp/out" && [ ! -e "$tmp/w.out" ]; then ok
		else bad "$cmd $name: exit $rc, want 1 and '$name: $what'"; cat "$tmp/out"; fi
	done
}
n=$("$tool" decode "$tmp/cut.pcap" 2>/dev/null | wc -l)
reader_errors "$tmp/cut.pcap" "frame $((n + 1)): the file ends inside the record (truncated capture)"
"$tool" replay verify "$tmp/cut.pcap" 2>/dev/null | grep -q "cut.pcap: $n frames: .*last record cut by the end of the file" &&
	ok || bad "verify of a cut capture: no summary of the $n frames before the cut"
cat "$tmp/cut.pcap" | "$tool" decode - >/dev/null 2>"$tmp/out"
[ $? -eq 1 ] && grep -qF -- "-: frame $((n + 1)): the file ends inside" "$tmp/out" && ok ||
	{ bad "decode - of a cut capture"; cat "$tmp/out"; }
# a record whose captured length exceeds its original length (frame 2: 70 > 66): refused
python3 - "$tmp/biglen.pcap" <<'PY'
import struct, sys
f = bytes(70)
out = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
for i, wire in enumerate((70, 66, 70)):
    out += struct.pack('<IIII', i + 1, 0, len(f), wire) + f
open(sys.argv[1], 'wb').write(out)
PY
reader_errors "$tmp/biglen.pcap" "frame 2: captured length 70 exceeds the original length 66"
# an IGMPv3 report cut by the snaplen inside the IGMP message and inside the IPv4 header:
# "truncated" (IP_TRUNCATED / IP_HDR_TRUNC) only, never IP_SHORT/IGMP_SHORT/IGMP_RECORDS; the same
# bytes as whole frames (caplen = len) are short datagrams with those errors
python3 - "$tmp/snap.pcap" "$tmp/short.pcap" <<'PY'
import struct, sys
def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
recs = b''.join(struct.pack('!BBH4s', 2, 0, 0, bytes([239, 1, 1, i])) for i in range(3))
m = struct.pack('!BBHHH', 0x22, 0, 0, 0, 3) + recs
m = m[:2] + struct.pack('!H', csum(m)) + m[4:]
h = struct.pack('!BBHHHBBH4s4s', 0x46, 0xc0, 24 + len(m), 1, 0, 1, 2, 0, bytes([10, 0, 0, 1]),
                bytes([224, 0, 0, 22])) + bytes([0x94, 4, 0, 0])
h = h[:10] + struct.pack('!H', csum(h)) + h[12:]
f = bytes.fromhex('01005e000016020000000001' '0800') + h + m
for path, snap in zip(sys.argv[1:], (True, False)):
    out = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
    for i, cut in enumerate((14 + 10, 14 + 24 + 4, 14 + 24 + 10)):
        out += struct.pack('<IIII', i + 1, 0, cut, len(f) if snap else cut) + f[:cut]
    open(path, 'wb').write(out)
PY
"$tool" decode "$tmp/snap.pcap" >"$tmp/out" 2>&1
if [ "$(grep -c '\[!IP_TRUNCATED\]$' "$tmp/out")" -eq 2 ] && grep -q '^1 .*\[!IP_HDR_TRUNC\]$' "$tmp/out" &&
	! grep -Eq 'IP_SHORT|IGMP_SHORT|IGMP_RECORDS' "$tmp/out"; then ok
else bad "snaplen cut inside IGMP / IPv4 header not reported as truncated only"; cat "$tmp/out"; fi
"$tool" decode -v "$tmp/snap.pcap" >"$tmp/out" 2>&1
grep -qF 'checksum 0x07f4 not checked (cut by the snaplen)' "$tmp/out" &&
	grep -qF 'records stop: the capture ends (cut by the snaplen)' "$tmp/out" && ! grep -q 'bad (should be' "$tmp/out" &&
	ok || { bad "decode -v of an IGMP message cut by the snaplen"; cat "$tmp/out"; }
verify "$tmp/snap.pcap" 0 "3 frames: 3 passed, 0 failed, 3 truncated"
"$tool" decode "$tmp/short.pcap" >"$tmp/out" 2>&1
grep -q '^1 .*IP_SHORT' "$tmp/out" && grep -q '^2 .*IGMP_SHORT' "$tmp/out" && grep -q '^3 .*IGMP_RECORDS' "$tmp/out" &&
	ok || { bad "short datagrams (caplen = len) lost their length errors"; cat "$tmp/out"; }
verify "$tmp/short.pcap" 1 "3 frames: 0 passed, 3 failed, 0 truncated"
# the reader decides from the stream, never from libpcap's wording
grep -n 'strstr' "$src"/src/pcap/*.c && bad "src/pcap matches libpcap's error text" || ok

# --- captures written by others: clean ones pass, malformed ones fail with their codes
if [ -d "$tp/tcpdump" ]; then
	T=$tp/tcpdump O=$tp/other
	for f in IGMP_V1 IGMP_V2 igmpv3-queries mtrace mrinfo_query PIM-SM_join_prune afs eapon1 \
		LINKTYPE_IPV4 LINKTYPE_RAW_ipv4 gso-ipv4 ipv4_tcp_http_xml; do
		verify "$T/$f.pcap" 0 "failed, "
	done
	verify "$T/rsvp-inf-loop-2.pcapng" 0 "1 passed"
	for f in igmp IGMPv3_Multihost IPv4Frag home-multicast-short ipv4-options igmpv3_report2 \
		multicast-igmp-version-membership-query-and-report; do
		[ "$f" = IGMPv3_Multihost ] && continue
		verify "$O/$f.pcap" 0 "0 failed"
	done
	verify "$O/IGMPv3_Multihost.pcap" 1 "79 frames: 68 passed, 11 failed" "IP_CHECKSUM 11"
	verify "$O/igmp-bad-checksum.pcap" 1 "frame 5: IGMP_CHECKSUM (igmp at 40"
	verify "$T/ipv4_invalid_hdr_length.pcap" 1 "frame 1: IP_IHL (ipv4 at 14)"
	verify "$T/ipv4_invalid_total_length.pcap" 1 "frame 1: IP_TRUNCATED (ipv4 at 16)"
	verify "$T/ipv4_invalid_total_length_2.pcap" 1 "frame 1: IP_TOTLEN_SHORT (ipv4 at 16)"
	verify "$T/ipv4_invalid_length.pcap" 1 "frame 1: IP_SHORT (ipv4 at 14)"
	verify "$T/bad-ipv4-version-pgm-heapoverflow.pcap" 1 "IP_VERSION (ipv4 at 14)"
	verify "$T/LINKTYPE_IPV4_invalid.pcap" 1 "frame 1: IP_VERSION (ipv4 at 0)"
	verify "$T/ipv4_tcp_http_xml_tso.pcap" 1 "IP_TOTLEN_ZERO (ipv4 at 16)"
	verify "$T/bigtcp-ipv4.pcap" 1 "IP_TOTLEN_ZERO"
	verify "$T/extract_read2_asan.pcap" 1 "IP_CHECKSUM (ipv4 at 10" "OPT_LEN (ipv4 at 26)"
	verify "$T/ip_ts_opts_asan.pcap" 1 "OPT_LEN"
	verify "$T/heapoverflow-in_checksum.pcap" 1 "IP_CHECKSUM"
	verify "$T/relts-0x80000000.pcap" 1 "IP_CHECKSUM"
	verify "$T/dns-badcookie.pcap" 1 "4 frames: 0 passed, 4 failed" "IP_CHECKSUM 4" "udp 4 of 4 checked"
	# truncated by the snaplen only: counted, passes
	verify "$T/ip_printroute_asan.pcap" 0 "1 passed, 0 failed, 1 truncated"
	# libpcap 1.10 refuses a pcapng whose interfaces differ in snaplen: its reason, the frame
	verify "$O/ipv4-malformed.pcap" 1 "ipv4-malformed.pcap: frame 1: an interface has a snapshot length"
	# a link type the codec does not decode (Frame Relay)
	verify "$T/icmp-icmp_print-oobr-2.pcap" 2 "is not one the codec decodes"
	# every capture at once: runs to the end, no crash, total line
	all=("$T"/*.pcap "$T"/*.pcapng "$O"/*.pcap)
	"$tool" replay verify -q "${all[@]}" >"$tmp/out" 2>&1
	rc=$?
	[ $rc -eq 2 ] && grep -q '^total: ' "$tmp/out" && ok || { bad "verify all third-party (exit $rc)"; tail -5 "$tmp/out"; }
else
	bad "no third-party captures at $tp"
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
