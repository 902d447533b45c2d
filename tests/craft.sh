#!/usr/bin/env bash
# craft.sh - `ipv4kit craft`: reference vectors (docs/igmp.md section 6), every IGMP message decoded back, IPv4 fields, options, overrides as findings, pcap/pcapng output, errors, RawConn send in a namespace.
# usage: craft.sh TOOL SRCDIR THIRD_PARTY_PCAPS
set -u
tool=${1:?usage: craft.sh TOOL SRCDIR THIRD_PARTY_PCAPS}
src=${2:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
check() { local name=$1; shift; if "$@"; then ok; else bad "$name"; fi; }

# hexof ARGS...: the craft --hex output
hexof() { "$tool" craft "$@" --hex 2>"$tmp/err"; }
# expect_hex NAME "HEX" ARGS...: craft --hex equals HEX exactly
expect_hex() {
	local name=$1 want=$2; shift 2
	local got
	got=$(hexof "$@")
	if [ "$got" = "$want" ]; then ok; else bad "$name: got '$got' want '$want' $(cat "$tmp/err")"; fi
}
# expect_msg NAME "HEX" ARGS...: the IGMP message (after the 24-byte header) equals HEX
expect_msg() {
	local name=$1 want=$2; shift 2
	local got
	got=$(hexof "$@" | cut -d' ' -f25-)
	if [ "$got" = "$want" ]; then ok; else bad "$name: got '$got' want '$want' $(cat "$tmp/err")"; fi
}
# jcheck NAME PYEXPR ARGS...: craft, decode --json, assert PYEXPR over d (the JSON object),
# codes (error codes) and found (finding codes)
jcheck() {
	local name=$1 expr=$2; shift 2
	local line
	if ! line=$(hexof "$@" | "$tool" decode --json --hex - 2>&1); then
		bad "$name: craft/decode failed: $line $(cat "$tmp/err")"
		return
	fi
	if python3 - "$line" "$expr" <<'EOF'; then ok; else bad "$name: $line"; fi
import json, sys
d = json.loads(sys.argv[1])
codes = [e["code"] for e in d.get("errors", [])]
found = [e["code"] for e in d.get("findings", [])]
ip = d.get("ipv4", {})
ig = d.get("igmp", {})
opts = ip.get("options", [])
sys.exit(0 if eval(sys.argv[2]) else 1)
EOF
}
# usage_err NAME TOKEN ARGS...: craft exits 2, one line naming TOKEN, then the --help hint
usage_err() {
	local name=$1 token=$2; shift 2
	"$tool" craft "$@" >/dev/null 2>"$tmp/e"; local rc=$?
	if [ $rc -eq 2 ] && head -1 "$tmp/e" | grep -qF "'$token'" && [ "$(wc -l <"$tmp/e")" -eq 2 ] &&
		[ "$(sed -n 2p "$tmp/e")" = "try 'ipv4kit craft --help'" ]; then ok
	else bad "$name: rc $rc: $(cat "$tmp/e")"; fi
}

# ---- help ----
"$tool" craft --help >"$tmp/o"; rc=$?
check "craft --help exits 0 with examples" [ $rc -eq 0 -a -n "$(grep 'igmp3-report rec=' "$tmp/o")" ]
"$tool" --help | grep -q '^  craft ' && ok || bad "ipv4kit --help lists craft"

# ---- reference vectors (docs/igmp.md section 6) ----
expect_hex "v2 report 239.1.1.1 from 192.168.1.10: IPv4+RA header and message" \
	"46 c0 00 20 00 00 40 00 01 02 32 63 c0 a8 01 0a ef 01 01 01 94 04 00 00 16 00 f9 fc ef 01 01 01" \
	ip src=192.168.1.10 igmp2-report group=239.1.1.1
expect_hex "v3 general query from 192.168.1.1: header and message" \
	"46 c0 00 24 00 00 40 00 01 02 42 69 c0 a8 01 01 e0 00 00 01 94 04 00 00 11 64 ec 1e 00 00 00 00 02 7d 00 00" \
	ip src=192.168.1.1 igmp3-query mrc=100 qrv=2 qqic=125
expect_msg "v1 general query" "11 00 ee ff 00 00 00 00" igmp1-query
expect_msg "v2 general query MRT=100" "11 64 ee 9b 00 00 00 00" igmp2-query mrt=100
expect_msg "v1 report 239.1.1.1" "12 00 fd fc ef 01 01 01" igmp1-report group=239.1.1.1
expect_msg "v2 leave 239.1.1.1" "17 00 f8 fc ef 01 01 01" igmp2-leave group=239.1.1.1
expect_msg "v3 report TO_EX({}) 239.1.1.1" "22 00 e9 fb 00 00 00 01 04 00 00 00 ef 01 01 01" \
	igmp3-report rec=to_ex,239.1.1.1
expect_msg "v3 G&S query 232.1.1.1 {10.0.0.1,10.0.0.2} MRC=10" \
	"11 0a ef 70 e8 01 01 01 02 7d 00 02 0a 00 00 01 0a 00 00 02" \
	igmp3-query group=232.1.1.1 mrc=10 qrv=2 qqic=125 src=10.0.0.1,10.0.0.2

# ---- every IGMP message, decoded back ----
igmpip='ip["ttl"]==1 and ip["tos"]==0xc0 and ip["df"]==1 and opts[0]["name"]=="RA" and ip["checksum_ok"] and ig["checksum_ok"] and codes==[] and found==[]'
jcheck "igmp1-query" "$igmpip and ig['version']==1 and ig['type']==0x11 and ip['dst']=='224.0.0.1'" igmp1-query
jcheck "igmp1-report" "$igmpip and ig['version']==1 and ig['type']==0x12 and ig['group']=='239.1.1.9' and ip['dst']=='239.1.1.9'" \
	igmp1-report group=239.1.1.9
jcheck "igmp2-query general" "$igmpip and ig['version']==2 and ig['max_resp_code']==50 and ig['group']=='0.0.0.0' and ip['dst']=='224.0.0.1'" \
	igmp2-query mrt=50
jcheck "igmp2-query group-specific" "$igmpip and ig['version']==2 and ig['max_resp_code']==10 and ig['group']=='239.2.2.2' and ip['dst']=='239.2.2.2'" \
	igmp2-query group=239.2.2.2 mrt=10
jcheck "igmp2-report" "$igmpip and ig['version']==2 and ig['type']==0x16 and ip['dst']=='239.3.3.3' and ip['src']=='198.18.0.10'" \
	ip src=198.18.0.10 igmp2-report group=239.3.3.3
jcheck "igmp2-leave" "$igmpip and ig['type']==0x17 and ig['group']=='239.3.3.3' and ip['dst']=='224.0.0.2'" \
	igmp2-leave group=239.3.3.3
jcheck "igmp3-query S QRV QQIC sources, MRC 200 coded" \
	"$igmpip and ig['version']==3 and ig['max_resp_code']==0x89 and ig['max_resp_ds']==200 and ig['s']==1 and ig['qrv']==5 and ig['qqic']==125 and ig['sources']==['198.18.0.1','198.18.0.2','198.18.0.3'] and ip['dst']=='232.1.1.1'" \
	igmp3-query group=232.1.1.1 mrc=200 s qrv=5 qqic=125 src=198.18.0.1,198.18.0.2 src=198.18.0.3
jcheck "igmp3-query MRC/QQIC both sides of 128" \
	"ig['max_resp_code']==127 and ig['max_resp_ds']==127 and ig['qqic']==0x8f and ig['qqi_s']==248 and codes==[] and found==[]" \
	igmp3-query mrc=127 qqic=255
jcheck "igmp3-query raw codes" "ig['max_resp_code']==0xff and ig['max_resp_ds']==31744 and ig['qqic']==0x80 and ig['qqi_s']==128" \
	igmp3-query mrc-raw=0xff qqic-raw=0x80
jcheck "igmp3-report records, sources, aux" \
	"$igmpip and ig['version']==3 and ip['dst']=='224.0.0.22' and [(r['name'],r['group'],r['sources'],r['aux_len']) for r in ig['records']]==[('to_ex','239.1.1.1',[],0),('allow','232.1.1.1',['198.18.0.9','198.18.0.10'],2),('block','232.1.1.2',['198.18.0.11'],0),('is_in','239.1.1.2',[],0),('is_ex','239.1.1.3',[],0),('to_in','239.1.1.4',[],0)]" \
	ip src=198.18.0.1 dst=224.0.0.22 ttl=1 tos=0xc0 df opt=ra igmp3-report rec=to_ex,239.1.1.1 \
	rec=allow,232.1.1.1,198.18.0.9,198.18.0.10 aux=0102030405060708 rec=block,232.1.1.2,198.18.0.11 \
	rec=is_in,239.1.1.2 rec=is_ex,239.1.1.3 rec=to_in,239.1.1.4
jcheck "igmp3-report record type by number, empty report" "len(ig['records'])==1 and ig['records'][0]['type']==9" \
	igmp3-report rec=9,239.1.1.1
jcheck "igmp3-report with no records" "ig['version']==3 and ig['records']==[] and codes==[] and found==[]" igmp3-report
jcheck "other IGMP type (DVMRP) to 224.0.0.4" "ig['type']==0x13 and ip['dst']=='224.0.0.4'" igmp type=0x13 code=3
# overrides show up as findings
jcheck "igmp csum override" "ig['checksum']==0xdead and not ig['checksum_ok'] and 'IGMP_CHECKSUM' in codes" \
	igmp2-report group=239.1.1.1 csum=0xdead
jcheck "igmp trailing bytes (checksummed)" "ig['checksum_ok'] and 'IGMP_TRAILING' in found and codes==[] and ip['total_len']==36" \
	igmp2-report group=239.1.1.1 trail=00000000
jcheck "v3 query nsrcs past the message" "'IGMP_SOURCES' in codes" igmp3-query src=10.0.0.1 nsrcs=5
jcheck "v3 report nrecs past the message" "'IGMP_RECORDS' in codes" igmp3-report rec=allow,239.1.1.1 nrecs=3
# overridden fields byte for byte, as scapy 2.5 writes them (IGMPv3/IGMPv3mq/IGMPv3mr with numsrc,
# numgrp, res2, mrcode, chksum given; UDP and ICMP over 198.18.0.1 > 198.19.0.1)
expect_msg "v3 report nrecs= resv=" "22 00 2e 06 be ef 00 07 01 00 00 00 ef 01 01 01" \
	igmp3-report rec=is_in,239.1.1.1 nrecs=7 resv=0xbeef
expect_msg "v3 query nsrcs= s" "11 64 34 ff e8 01 01 01 0a 7d 00 09 c6 12 00 01" \
	igmp3-query group=232.1.1.1 src=198.18.0.1 nsrcs=9 s
expect_msg "type= code= trail= (checksummed)" "16 05 f5 f5 ef 01 01 01 01 02 03" \
	igmp1-report group=239.1.1.1 type=0x16 code=5 trail=010203
expect_msg "igmp csum= as given" "17 00 de ad ef 01 01 01" igmp2-leave group=239.1.1.1 csum=0xdead
got=$(hexof ip src=198.18.0.1 dst=198.19.0.1 udp sport=1 dport=2 hex=73af | cut -d' ' -f21-)
check "udp checksum computed 0 is sent as ffff" [ "$got" = "00 01 00 02 00 0a ff ff 73 af" ]
got=$(hexof ip src=198.18.0.1 dst=198.19.0.1 icmp-echo id=1 seq=2 payload=abc | cut -d' ' -f21-)
check "icmp echo bytes" [ "$got" = "08 00 33 9a 00 01 00 02 61 62 63" ]
jcheck "general query with sources" "'IGMP_GQ_SOURCES' in found and codes==[]" igmp3-query src=10.0.0.1
jcheck "igmp ttl override" "ip['ttl']==2 and 'IGMP_TTL' in found and codes==[]" ip ttl=2 igmp2-report group=239.1.1.1
jcheck "igmp opt=none drops Router Alert" "opts==[] and ip['ihl']==5 and 'IGMP_NO_RA' in found and codes==[]" \
	ip opt=none igmp2-report group=239.1.1.1
jcheck "igmp dst override" "ip['dst']=='224.0.0.1' and 'IGMP_DST' in found and codes==[]" ip dst=224.0.0.1 igmp2-leave group=239.1.1.1
jcheck "igmp type/code override" "ig['type']==0x16 and ig['max_resp_code']==7" igmp1-report group=239.1.1.1 type=0x16 code=7
jcheck "igmp non-multicast group" "'IGMP_GROUP' in found and codes==[]" igmp2-report group=10.1.1.1

# ---- IPv4 fields (frag= is in 8-byte units as on the wire; JSON frag_off is in bytes) ----
jcheck "every ip field" \
	"ip['tos']==0x2b and ip['id']==4660 and ip['mf']==1 and ip['df']==0 and ip['frag_off']==800 and ip['ttl']==9 and ip['proto']==17 and ip['src']=='198.18.0.1' and ip['dst']=='198.19.0.1' and ip['checksum_ok']" \
	ip src=198.18.0.1 dst=198.19.0.1 tos=0x2b id=0x1234 mf frag=100 ttl=9 udp sport=5 dport=6
jcheck "dscp and ecn" "ip['dscp']==46 and ip['ecn']==1" ip dst=198.19.0.1 dscp=46 ecn=1 udp
jcheck "flags=rf,df" "ip['rf']==1 and ip['df']==1 and ip['mf']==0 and 'IP_RESERVED_FLAG' in found and codes==[]" \
	ip dst=198.19.0.1 flags=rf,df udp
jcheck "nodf on igmp" "ip['df']==0" ip nodf igmp2-report group=239.1.1.1
jcheck "proto by name" "ip['proto']==6" ip dst=198.19.0.1 proto=tcp raw hex=00010002
jcheck "ip csum override" "ip['checksum']==0xdead and not ip['checksum_ok'] and 'IP_CHECKSUM' in codes" \
	ip dst=239.1.1.1 csum=0xdead udp sport=1 dport=2 payload=hello
jcheck "ip len override: larger than the datagram" "ip['total_len']==99 and 'IP_TRUNCATED' in codes or 'IP_TRUNCATED' in str(d)" \
	ip dst=239.1.1.1 len=99 udp sport=1 dport=2 payload=hello
jcheck "ip len override: smaller than the datagram" "ip['total_len']==28 and d['caplen']==33" \
	ip dst=239.1.1.1 len=28 udp sport=1 dport=2 payload=hello
jcheck "ip ihl=4" "'IP_IHL' in codes" ip dst=239.1.1.1 csum=0xdead len=99 ihl=4 udp sport=1 dport=2 payload=hello
jcheck "ip ihl=7 with a 20-byte header" "'IP_TOTLEN_SHORT' in codes or 'IP_HDR_TRUNC' in codes or ip.get('ihl')==7" \
	ip dst=198.19.0.1 ihl=7 raw
jcheck "ip version=5" "ip['version']==5 and 'IP_VERSION' in codes" ip dst=198.19.0.1 version=5 udp
jcheck "fragment flag on igmp: the finding, the partial message not decoded" "'IGMP_FRAGMENT' in found and codes==[] and 'igmp' not in d" ip mf igmp2-report group=239.1.1.1

# ---- options ----
jcheck "rr:3 and ts:tsonly:4" \
	"[(o['name'],o['len']) for o in opts]==[('RR',15),('TS',20),('EOL',1)] and opts[1]['flag']==0 and ip['ihl']==14 and codes==[] and found==[]" \
	ip dst=198.19.0.1 opt=rr:3 opt=ts:tsonly:4 icmp-echo id=1 seq=2
jcheck "ra:5 rr:2 ts:tsaddr:2:3" \
	"opts[0]['value']==5 and opts[1]['addrs']==['0.0.0.0']*2 and opts[2]['flag']==1 and opts[2]['oflw']==3 and len(opts[2]['entries'])==2 and 'OPT_RA_VALUE' in found and codes==[]" \
	ip dst=198.19.0.1 opt=ra:5 opt=rr:2 opt=ts:tsaddr:2:3 udp
jcheck "lsrr ssrr sid nop sec" \
	"[o['name'] for o in opts]==['LSRR','SSRR','SID','NOP','SEC','EOL'] and opts[0]['addrs']==['1.2.3.4','5.6.7.8'] and opts[2]['stream_id']==7" \
	ip dst=198.19.0.1 opt=lsrr:1.2.3.4,5.6.7.8 opt=ssrr:9.9.9.9 opt=sid:7 opt=nop opt=sec
jcheck "ts prespec with addresses, pointer" "opts[0]['flag']==3 and [e['addr'] for e in opts[0]['entries']]==['1.1.1.1','2.2.2.2'] and opts[0]['ptr']==13" \
	ip dst=198.19.0.1 opt=ts:prespec:1.1.1.1,2.2.2.2:0:13
jcheck "rr pointer" "opts[0]['ptr']==8" ip dst=198.19.0.1 opt=rr:3:8
jcheck "raw option bytes (bad CIPSO length)" "opts[0]['type']==134 and 'OPT_BAD_LEN' in codes" ip dst=198.19.0.1 opt=raw:8603aa
jcheck "eol then nop: bytes after EOL" "'OPT_AFTER_EOL' in found and codes==[]" ip dst=198.19.0.1 opt=eol opt=nop udp

# ---- UDP, ICMP, raw ----
line=$(hexof ip src=198.18.0.1 dst=239.1.1.1 udp sport=40001 dport=5000 payload=hello)
python3 - "$line" <<'EOF' && ok || bad "udp checksum (pseudo-header) is correct: $line"
import sys
b = bytes.fromhex(sys.argv[1])
ihl = (b[0] & 15) * 4
u = b[ihl:]
ph = b[12:20] + bytes([0, 17]) + len(u).to_bytes(2, "big")
s = ph + u + (b"\0" if len(u) % 2 else b"")
t = sum(int.from_bytes(s[i:i + 2], "big") for i in range(0, len(s), 2))
while t >> 16:
    t = (t & 0xffff) + (t >> 16)
sys.exit(0 if t == 0xffff and u[8:] == b"hello" and u[0:2] == (40001).to_bytes(2, "big") else 1)
EOF
jcheck "udp csum and len override" "d['udp']['checksum']==0x1234 and d['udp']['len']==99" \
	ip dst=198.19.0.1 udp sport=1 dport=2 csum=0x1234 len=99
line=$(hexof ip dst=198.19.0.1 icmp-echo id=7 seq=9 payload=abc)
python3 - "$line" <<'EOF' && ok || bad "icmp echo checksum is correct: $line"
import sys
b = bytes.fromhex(sys.argv[1])
m = b[(b[0] & 15) * 4:]
m += b"\0" if len(m) % 2 else b""
t = sum(int.from_bytes(m[i:i + 2], "big") for i in range(0, len(m), 2))
while t >> 16:
    t = (t & 0xffff) + (t >> 16)
sys.exit(0 if t == 0xffff and m[0] == 8 and m[4:8] == bytes([0, 7, 0, 9]) else 1)
EOF
jcheck "icmp echo decoded" "d['icmp']['type']==8 and d['icmp']['id']==7 and d['icmp']['seq']==9 and ip['proto']==1" \
	ip dst=198.19.0.1 icmp-echo id=7 seq=9
jcheck "icmp echo reply" "d['icmp']['type']==0" ip dst=198.19.0.1 icmp-echo-reply
printf 'from a file' >"$tmp/payload.bin"
expect_hex "raw payload from hex, text and file" \
	"45 00 00 22 00 01 00 00 40 fd ed b6 c6 12 00 01 c6 13 00 01 de ad 21 66 72 6f 6d 20 61 20 66 69 6c 65" \
	ip src=198.18.0.1 dst=198.19.0.1 raw dead payload=! file="$tmp/payload.bin"

# ---- errors: exit 2, the bad token named, one line and a hint ----
usage_err "ttl out of range" "ttl=300" ip ttl=300 igmp1-query
usage_err "unknown ip field" "foo=1" ip foo=1 igmp1-query
usage_err "unknown option" "opt=bogus" ip opt=bogus igmp1-query
usage_err "options past 40 bytes" "opt=rr:9" ip dst=198.19.0.1 opt=rr:9 opt=rr:9 udp
usage_err "bad address" "src=1.2.3" ip src=1.2.3 igmp1-query
usage_err "bad record type" "rec=frob,239.1.1.1" igmp3-report rec=frob,239.1.1.1
usage_err "field of another payload" "mrc=5" igmp2-report group=239.1.1.1 mrc=5
usage_err "udp needs dst" "ip" udp sport=1
usage_err "report needs a group" "igmp2-report" igmp2-report
usage_err "field before any part" "ttl=1" ttl=1 igmp1-query
usage_err "two payloads" "udp" ip dst=1.2.3.4 icmp-echo udp
usage_err "ip after the payload" "ip" igmp1-query ip ttl=2
usage_err "bad hex" "hex=abc" ip dst=1.2.3.4 udp hex=abc
usage_err "unknown output option" "--frob" igmp1-query --frob
usage_err "-c 0" "-c" igmp1-query -c 0
usage_err "bad --link" "--link" igmp1-query --link ppp
usage_err "aux without a record" "aux=00000000" igmp3-report aux=00000000
usage_err "aux not whole words" "aux=010203" igmp3-report rec=allow,239.1.1.1 aux=010203
"$tool" craft igmp1-query -w "$tmp/nodir/x.pcap" >/dev/null 2>"$tmp/e"; rc=$?
check "-w into a missing directory: exit 2 naming the path" [ $rc -eq 2 -a -n "$(grep -F "$tmp/nodir/x.pcap" "$tmp/e")" ]
check "-w failure leaves nothing" [ ! -e "$tmp/nodir" ]

# ---- pcap / pcapng output ----
P=$tmp/out.pcap
"$tool" craft ip src=198.18.0.1 igmp2-report group=239.1.1.1 -w "$P" --ts 1700000000.25 && ok || bad "craft -w"
"$tool" craft ip src=198.18.0.1 igmp2-leave group=239.1.1.1 -w "$P" --ts 1700000001 -c 3 --inc-id --interval 0.5 && ok || bad "craft -w append"
"$tool" decode --json "$P" >"$tmp/o"; rc=$?
check "pcap: 4 packets after append" [ $rc -eq 0 -a "$(wc -l <"$tmp/o")" -eq 4 ]
python3 - "$tmp/o" <<'EOF' && ok || bad "pcap: types, ids, timestamps of appended packets: $(cat "$tmp/o")"
import json, sys
d = [json.loads(l) for l in open(sys.argv[1])]
assert [x["igmp"]["type"] for x in d] == [0x16, 0x17, 0x17, 0x17]
assert [x["ipv4"]["id"] for x in d] == [0, 0, 1, 2]
assert [round(x["ts"], 6) for x in d] == [1700000000.25, 1700000001.0, 1700000001.5, 1700000002.0]
assert all(x["ipv4"]["checksum_ok"] and x["errors"] == [] for x in d)
EOF
check "no temp file left beside the pcap" [ "$(ls "$tmp" | grep -c '^out.pcap')" -eq 1 ]
tcpdump -nn -r "$P" >"$tmp/td" 2>/dev/null; rc=$?
check "tcpdump reads the pcap" [ $rc -eq 0 -a "$(grep -c 'igmp' "$tmp/td")" -eq 4 ]
"$tool" craft igmp1-query -w "$P" --overwrite && ok || bad "craft --overwrite"
check "--overwrite replaces" [ "$(tcpdump -nn -r "$P" 2>/dev/null | wc -l)" -eq 1 ]
N=$tmp/out.pcapng
"$tool" craft igmp3-query -w "$N" --pcapng && "$tool" craft igmp3-report rec=allow,232.1.1.1,198.18.0.9 -w "$N" --pcapng &&
	ok || bad "craft --pcapng"
check "pcapng starts with a section header block" [ "$(head -c 4 "$N" | od -An -tx1 | tr -d ' ')" = "0a0d0d0a" ]
check "tcpdump reads the appended pcapng" [ "$(tcpdump -nn -r "$N" 2>/dev/null | grep -c igmp)" -eq 2 ]
check "decode reads the pcapng" [ "$("$tool" decode "$N" | grep -c 'IGMP v3')" -eq 2 ]
"$tool" craft igmp1-query -w "$N" >/dev/null 2>"$tmp/e"; rc=$?
check "appending pcap to a pcapng file is refused" [ $rc -eq 2 -a -n "$(grep -F 'is a pcapng file' "$tmp/e")" ]
check "refused append keeps the file" [ "$(tcpdump -nn -r "$N" 2>/dev/null | wc -l)" -eq 2 ]
if command -v tshark >/dev/null 2>&1; then
	n1=$(tshark -n -r "$P" -Y igmp 2>/dev/null | wc -l)
	n2=$(tshark -n -r "$N" -T fields -e igmp.version 2>/dev/null | tr '\n' ' ')
	check "tshark reads pcap and pcapng" [ "$n1" -eq 1 -a "$n2" = "3 3 " ]
else
	echo "tshark not installed: skipping the tshark checks"
fi
E=$tmp/eth.pcap
"$tool" craft ip src=198.18.0.1 igmp2-report group=239.129.2.3 --link ether -w "$E" && ok || bad "craft --link ether"
tcpdump -e -nn -r "$E" >"$tmp/td" 2>/dev/null
check "ether: multicast MAC for 239.129.2.3" grep -q '02:00:00:00:00:01 > 01:00:5e:01:02:03' "$tmp/td"
check "ether: decoded as ether" [ "$("$tool" decode --json "$E" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["link"], d["igmp"]["group"])')" = "ether 239.129.2.3" ]
"$tool" craft ip dst=198.19.0.1 udp --link ether --mac-dst 0a:0b:0c:0d:0e:0f --hex >"$tmp/o"
check "--mac-dst and ethertype in --hex" [ "$(cut -d' ' -f1-14 "$tmp/o")" = "0a 0b 0c 0d 0e 0f 02 00 00 00 00 01 08 00" ]
"$tool" craft ip dst=198.19.0.1 udp payload=0123456789 --snap 24 -w "$tmp/snap.pcap" && ok || bad "craft --snap"
"$tool" decode --json "$tmp/snap.pcap" >"$tmp/o"
check "--snap: caplen 24 of len 38" [ -n "$(grep '"caplen":24,"len":38' "$tmp/o")" ]
"$tool" craft igmp1-query -c 2 --hex >"$tmp/o"
check "-c 2 --hex prints two lines" [ "$(wc -l <"$tmp/o")" -eq 2 ]
"$tool" craft ip src=192.168.1.10 igmp2-report group=239.1.1.1 -v >"$tmp/o"
check "-v prints the decoded line" grep -q '192.168.1.10 > 239.1.1.1: IGMP v2 report 239.1.1.1 \[ttl 1, tos 0xc0, DF, RA\]' "$tmp/o"

# ---- RawConn send in a namespace, captured by tcpdump in the peer ----
(
	. "$src/tests/lib/netns.sh"
	netns_setup 2
	command -v tcpdump >/dev/null || skip "tcpdump is not installed"
	cap=$tmp/rx.pcap
	ip netns exec "$NS2" timeout 10 tcpdump -U -n -i "$IF2" -w "$cap" -c 4 'igmp or udp port 5000' \
		2>"$tmp/tde" &
	tpid=$!
	for _ in $(seq 50); do grep -q listening "$tmp/tde" 2>/dev/null && break; sleep 0.1; done
	ip netns exec "$NS1" "$tool" craft -i "$IF1" ip src="$ADDR1" igmp2-report group=239.1.1.1 -c 3 --interval 0.05 --inc-id ||
		fail "craft -i (igmp)"
	ip netns exec "$NS1" "$tool" craft -i "$IF1" ip src="$ADDR1" dst="$ADDR2" ttl=7 opt=rr:2 udp sport=4000 dport=5000 payload=crafted ||
		fail "craft -i (udp)"
	wait "$tpid" || fail "tcpdump did not see 4 packets: $(cat "$tmp/tde")"
	"$tool" decode --json "$cap" >"$tmp/rx.json" || fail "decode of the capture"
	python3 - "$tmp/rx.json" "$ADDR1" "$ADDR2" <<'EOF' || fail "received packets differ: $(cat "$tmp/rx.json")"
import json, sys
d = [json.loads(l) for l in open(sys.argv[1])]
a1, a2 = sys.argv[2], sys.argv[3]
ig = [x for x in d if "igmp" in x]
assert len(ig) == 3, len(ig)
for x in ig:
    ip = x["ipv4"]
    assert ip["src"] == a1 and ip["dst"] == "239.1.1.1" and ip["ttl"] == 1 and ip["tos"] == 0xc0
    assert ip["options"][0]["name"] == "RA" and x["igmp"]["type"] == 0x16 and x["errors"] == []
u = [x for x in d if "udp" in x][0]
assert u["ipv4"]["ttl"] == 7 and u["ipv4"]["options"][0]["name"] == "RR" and u["udp"]["dport"] == 5000
assert u["ipv4"]["src"] == a1 and u["ipv4"]["dst"] == a2
EOF
	echo "namespace send: ok"
	exit 0
)
rc=$?
case $rc in
0) ok ;;
77) echo "namespace part skipped" ;;
*) bad "RawConn send in a namespace" ;;
esac

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
