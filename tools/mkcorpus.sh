#!/usr/bin/env bash
# mkcorpus.sh - regenerate the crafted captures of pcaps/ (IGMP RFC 1112/2236/3376, IPv4 options RFC 791, fragments, one frame per codec error code) with `ipv4kit craft` only; deterministic.
# usage: tools/mkcorpus.sh TOOL OUTDIR
#   TOOL    the ipv4kit binary (e.g. build/debug-asan/tools/ipv4kit)
#   OUTDIR  where to write igmp-messages.pcap igmp-codes.pcap ip-options.pcap fragments.pcapng
#           malformed.pcap igmpv3-fragments.pcap (usually pcaps/); then: bash tests/golden.sh TOOL . --update
# Fixed timestamps (--ts), addresses in 198.18.0.0/15 and 224/232/239 groups: running it twice gives
# byte-identical files. Each file is built in a temporary directory and moved into OUTDIR when whole.
# pcaps/README.md lists what every frame covers; keep it in step with this script.
set -eu
tool=${1:?usage: mkcorpus.sh TOOL OUTDIR}
out=${2:?usage: mkcorpus.sh TOOL OUTDIR}
[ -x "$tool" ] || { echo "mkcorpus: $tool is not executable" >&2; exit 2; }
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Every frame of every file gets its own second: frame n of a file is at BASE + n.
BASE=1700000000
file="" link="" fmt="" n=0

# begin NAME LINK [--pcapng]: start a new capture in $tmp
begin() {
	file=$tmp/$1 link=$2 fmt=${3:-} n=0
}
# c ARGS...: append one crafted packet to the current file
c() {
	n=$((n + 1))
	"$tool" craft -w "$file" --link "$link" $fmt --ts "$((BASE + n))" "$@" >/dev/null ||
		{ echo "mkcorpus: craft failed for frame $n of $(basename "$file"): $*" >&2; exit 1; }
}

H=198.18.0.10 # a host
R=198.18.0.1  # a router (querier)
U=198.19.0.1  # a unicast peer

# ---- igmp-messages.pcap (raw IPv4): every IGMP message type and version ----------------------------
begin igmp-messages.pcap raw
# v1 (RFC 1112)
c ip src=$R igmp1-query                                                   # 1 v1 general query
c ip src=$H igmp1-report group=239.1.1.1                                  # 2 v1 report
# v2 (RFC 2236)
c ip src=$R igmp2-query mrt=100                                           # 3 v2 general query
c ip src=$R igmp2-query group=239.1.1.1 mrt=10                            # 4 v2 group-specific query
c ip src=$H igmp2-report group=239.1.1.1                                  # 5 v2 report
c ip src=$H igmp2-leave group=239.1.1.1                                   # 6 v2 leave
# v3 queries (RFC 3376 4.1)
c ip src=$R igmp3-query mrc=100 qrv=2 qqic=125                            # 7 v3 general query
c ip src=$R igmp3-query group=239.1.1.1 mrc=10 s qrv=2 qqic=125           # 8 v3 group-specific, S set
c ip src=$R igmp3-query group=232.1.1.1 mrc=10 qrv=7 qqic=60 \
	src=198.18.0.20,198.18.0.21,198.18.0.22                                # 9 v3 group-and-source
c ip src=$R igmp3-query group=232.1.1.2 mrc=10 qrv=0 qqic=125 src=198.18.0.20 resv=5  # 10 QRV 0, resv bits
# v3 reports (RFC 3376 4.2): all six record types, sources, aux data, unknown type
c ip src=$H igmp3-report rec=is_in,232.1.1.1,198.18.0.20,198.18.0.21     # 11 MODE_IS_INCLUDE
c ip src=$H igmp3-report rec=is_ex,239.1.1.2                              # 12 MODE_IS_EXCLUDE {}
c ip src=$H igmp3-report rec=to_in,239.1.1.2                              # 13 CHANGE_TO_INCLUDE {} (leave)
c ip src=$H igmp3-report rec=to_ex,239.1.1.3                              # 14 CHANGE_TO_EXCLUDE {} (join)
c ip src=$H igmp3-report rec=allow,232.1.1.1,198.18.0.22                  # 15 ALLOW_NEW_SOURCES
c ip src=$H igmp3-report rec=block,232.1.1.1,198.18.0.20                  # 16 BLOCK_OLD_SOURCES
c ip src=$H igmp3-report rec=is_in,232.1.1.3,198.18.0.20 aux=01020304 \
	rec=is_ex,239.1.1.4,198.18.0.21,198.18.0.22 rec=to_in,239.1.1.5 \
	rec=to_ex,239.1.1.6 rec=allow,232.1.1.4,198.18.0.23 aux=0a0b0c0d0e0f1011 \
	rec=block,232.1.1.5,198.18.0.24                                         # 17 six records, aux data
c ip src=$H igmp3-report rec=9,239.1.1.7,198.18.0.20 rec=to_ex,239.1.1.8 # 18 unknown record type 9
c ip src=$H igmp3-report                                                  # 19 report with no records
# other IGMP types
c ip src=$R igmp type=0x13 code=3 trail=00000a0b                          # 20 DVMRP (probe)
c ip src=$R dst=224.0.0.13 igmp type=0x14 code=1 group=198.18.0.1         # 21 PIMv1
c ip src=$R dst=224.0.0.2 igmp type=0x1f code=10 group=239.1.1.1 \
	trail=c612000ac6130001c6120001ef000000                                  # 22 mtrace query (24 bytes)
c ip src=$R dst=$U igmp type=0x1e code=10 group=239.1.1.1 \
	trail=c612000ac6130001c6120001ef000000                                  # 23 mtrace response
c ip src=$R igmp type=0x30 code=20 trail=00000000                         # 24 MRD advertisement (RFC 4286)
c ip src=$H igmp type=0x31                                                # 25 MRD solicitation
c ip src=$R igmp type=0x32                                                # 26 MRD termination
c ip src=$R dst=224.0.0.1 igmp type=0x15                                  # 27 unassigned type 0x15

# ---- igmp-codes.pcap (Ethernet): MRC and QQIC values on both sides of 128 (RFC 3376 4.1.1/4.1.7) ---
begin igmp-codes.pcap ether
# MRC/QQIC given as values (float-coded by the codec): exact up to 127, then mant/exp form
for v in 0 1 127 128 129 200 255 1000 3000 31744; do
	c ip src=$R igmp3-query mrc=$v qqic=$v
done
# the raw code bytes around the switch and at the top (0x80 = 128, 0xff = 31744)
for code in 0x7f 0x80 0x81 0x8f 0xc0 0xfe 0xff; do
	c ip src=$R igmp3-query group=239.2.2.2 mrc-raw=$code qqic-raw=$code
done
# v2 MRT is a plain byte (no float coding); v1 code 0
for v in 127 128 200 255; do
	c ip src=$R igmp2-query mrt=$v
done

# ---- ip-options.pcap (raw IPv4): every IPv4 option kind (RFC 791, 1108, 2113, 4782, CIPSO draft) ----
begin ip-options.pcap raw
D="src=$H dst=$U"
c ip $D opt=nop opt=nop opt=nop opt=eol icmp-echo id=1 seq=1             # 1 NOP, EOL
c ip $D opt=ra udp sport=5000 dport=5001 payload=ra                       # 2 Router Alert 0
c ip $D opt=rr:3 icmp-echo id=1 seq=2                                     # 3 RR, 3 empty slots
c ip $D opt=rr:198.18.0.1,198.18.0.2,0.0.0.0:12 icmp-echo id=1 seq=3      # 4 RR, 2 of 3 slots filled
c ip $D opt=rr:198.18.0.1,198.18.0.2:12 icmp-echo id=1 seq=4              # 5 RR full (ptr past end)
c ip $D opt=ts:tsonly:4 icmp-echo id=1 seq=5                              # 6 TS tsonly, 4 slots
c ip $D opt=ts:tsaddr:2 icmp-echo id=1 seq=6                              # 7 TS tsaddr, 2 pairs
c ip $D opt=ts:prespec:198.18.0.1,198.18.0.2 icmp-echo id=1 seq=7         # 8 TS prespecified
c ip $D opt=ts:tsonly:2:3:13 icmp-echo id=1 seq=8                         # 9 TS tsonly full, overflow 3
c ip $D opt=ts:tsaddr:1:14:13 icmp-echo id=1 seq=9                        # 10 TS tsaddr full, overflow 14
c ip $D opt=lsrr:198.18.0.1,198.18.0.2,198.19.0.1 icmp-echo id=1 seq=10   # 11 LSRR
c ip $D opt=lsrr:198.18.0.1,198.18.0.2:8 icmp-echo id=1 seq=11            # 12 LSRR, second hop next
c ip $D opt=ssrr:198.18.0.1,198.18.0.2 icmp-echo id=1 seq=12              # 13 SSRR
c ip $D opt=sec icmp-echo id=1 seq=13                                     # 14 Security (RFC 791) unclassified
c ip $D opt=sec:0xd788:0x1234:0x0001:0xabcdef icmp-echo id=1 seq=14       # 15 Security, secret, fields set
c ip $D opt=sid:4660 udp sport=5000 dport=5001 payload=sid                # 16 Stream ID
c ip $D opt=cipso:3:01060000c000 icmp-echo id=1 seq=15                    # 17 CIPSO (DOI 3, tag 1)
c ip $D opt=qs:0:5:10:0x12345678 icmp-echo id=1 seq=16                    # 18 Quick-Start request
c ip $D opt=raw:9e040000 icmp-echo id=1 seq=17                            # 19 experimental kind 158 (RFC 4727)
c ip $D opt=raw:1a020000 icmp-echo id=1 seq=18                            # 20 unassigned kind 26 (len 2)
c ip $D opt=ra opt=rr:2 opt=ts:tsonly:2 opt=nop icmp-echo id=1 seq=19     # 21 several options together
c ip $D opt=nop opt=eol opt=raw:000000 icmp-echo id=1 seq=20              # 22 EOL then zero padding
c ip $D opt=rr:9 icmp-echo id=1 seq=21                                    # 23 40-byte option area (IHL 15)

# ---- fragments.pcapng (pcapng, raw IPv4): RFC 791 fragmentation cases --------------------------------
# A 48-byte UDP datagram (checksum 0: none), sent as three 16-byte fragments (offsets 0, 2, 4 in 8-byte
# units): the first holds the UDP header. Several datagrams (IDs) show the usual cases.
begin fragments.pcapng raw --pcapng
F="src=$H dst=$U proto=udp"
p1=13891389003000000102030405060708     # UDP 5001 > 5001, length 48, csum 0, then payload bytes 1..8
p2=090a0b0c0d0e0f101112131415161718
p3=191a1b1c1d1e1f202122232425262728
p1x=${p1}292a2b2c2d2e2f30               # 24 bytes: overlaps the next fragment by 8
c ip $F id=0x1001 mf frag=0 raw $p1                                       # 1 first (MF, offset 0)
c ip $F id=0x1001 mf frag=2 raw $p2                                       # 2 middle
c ip $F id=0x1001 frag=4 raw $p3                                          # 3 last
c ip $F id=0x1002 frag=4 raw $p3                                          # 4 out of order: last first
c ip $F id=0x1002 mf frag=0 raw $p1                                       # 5
c ip $F id=0x1002 mf frag=2 raw $p2                                       # 6
c ip $F id=0x1003 mf frag=0 raw $p1                                       # 7 duplicate: first twice
c ip $F id=0x1003 mf frag=0 raw $p1                                       # 8
c ip $F id=0x1003 mf frag=2 raw $p2                                       # 9
c ip $F id=0x1003 frag=4 raw $p3                                          # 10
c ip $F id=0x1004 mf frag=0 raw $p1x                                      # 11 overlapping: 24 bytes at 0
c ip $F id=0x1004 mf frag=2 raw $p2                                       # 12 16 bytes at 16 (overlap 8)
c ip $F id=0x1004 frag=4 raw $p3                                          # 13
c ip $F id=0x1005 mf frag=0 raw $p1                                       # 14 lost middle: first ...
c ip $F id=0x1005 frag=4 raw $p3                                          # 15 ... and last only
c ip src=$H dst=$U id=0x1006 mf frag=0 icmp-echo id=7 seq=1 payload=fragmented-echo! # 16 ICMP, MF, 24 bytes at 0
c ip src=$H dst=$U id=0x1006 proto=icmp frag=3 raw 0102030405060708       # 17 its last fragment
c ip src=$H dst=$U id=0x1007 df udp sport=5001 dport=5001 payload=whole # 18 DF, unfragmented (not a fragment)
c ip $F id=0x1008 mf frag=0 raw 1389138900300000                          # 19 tiny first fragment (8 bytes)
c ip $F id=0x1008 frag=1 raw 0102030405060708$p2$p3                       # 20 the other 40 at offset 1
c ip $F id=0x1009 frag=8189 raw $p3                                       # 21 last fragment ending at 65528

# ---- malformed.pcap (Ethernet): one frame per codec error code a packet can trigger (error.h) --------
# Frames 1-22 are errors (verify fails them), 23-24 are cut by the snaplen (verify counts them as
# truncated and passes them), 25-37 are findings (fail only with verify --strict). NOSPACE, INVAL,
# TOOLONG and LINK_TYPE cannot come from a packet (see pcaps/README.md).
begin malformed.pcap ether
D="src=$H dst=$U"
c ip $D version=6 raw 00                                                  # 1 IP_VERSION
c ip $D ihl=4 raw 00                                                      # 2 IP_IHL
c ip $D ihl=15 raw 00                                                     # 3 IP_HDR_TRUNC
c ip $D len=10 raw 00                                                     # 4 IP_TOTLEN_SHORT
c ip $D len=200 raw 00                                                    # 5 IP_TRUNCATED
c ip $D csum=0xbeef raw 00                                                # 6 IP_CHECKSUM
c ip $D len=0 raw 00                                                      # 7 IP_TOTLEN_ZERO
c ip $D opt=nop opt=nop opt=nop opt=raw:07 raw 00                         # 8 OPT_TRUNC
c ip $D opt=raw:0701 opt=nop opt=nop raw 00                               # 9 OPT_LEN
c ip $D opt=raw:94020000 raw 00                                           # 10 OPT_BAD_LEN
c ip $D opt=rr:198.18.0.1:2 raw 00                                        # 11 OPT_PTR
c ip $D opt=raw:070a0800000000000000 opt=nop opt=nop raw 00               # 12 OPT_SPACE
c ip $D opt=rr:1 opt=rr:1 raw 00                                          # 13 OPT_DUP
c ip $D opt=ts:tsonly:1:15:9 raw 00                                       # 14 OPT_TS_OVERFLOW
c ip $D opt=cipso:0:0104aabb raw 00                                       # 15 OPT_CIPSO_DOI
c ip $D opt=cipso:1:0100 raw 00                                           # 16 OPT_CIPSO_TAG
c ip src=$H dst=224.0.0.1 proto=igmp raw 11000000                         # 17 IGMP_SHORT
c ip src=$R igmp2-query trail=00                                          # 18 IGMP_QUERY_LEN
c ip src=$H igmp2-report group=239.1.1.1 csum=0xdead                      # 19 IGMP_CHECKSUM
c ip src=$R igmp3-query group=232.1.1.1 src=198.18.0.20 nsrcs=5           # 20 IGMP_SOURCES
c ip src=$H igmp3-report rec=allow,232.1.1.1,198.18.0.20 nrecs=3          # 21 IGMP_RECORDS
c ip $D proto=udp raw 0102                                                # 22 L4_SHORT
c ip $D raw 00 --snap 30                                                  # 23 IP_HDR_TRUNC (16 of 21 IP bytes: snaplen cut)
c ip $D raw 00 --snap 10                                                  # 24 LINK_SHORT (10 of 35 bytes)
c ip $D rf raw 00                                                         # 25 IP_RESERVED_FLAG
c ip $D frag=8191 raw 0000000000000000                                    # 26 IP_FRAG_OVERSIZE
c ip $D len=21 raw 00$(printf '%0120d' 0)                                 # 27 IP_LINK_PADDING (60 bytes)
c ip $D opt=eol opt=nop raw 00                                            # 28 OPT_AFTER_EOL
c ip $D opt=ts:2:1 raw 00                                                 # 29 OPT_TS_FLAG
c ip $D opt=ra:1 raw 00                                                   # 30 OPT_RA_VALUE
c ip src=$R igmp3-query src=198.18.0.20                                   # 31 IGMP_GQ_SOURCES
c ip src=$H ttl=2 igmp2-report group=239.1.1.1                            # 32 IGMP_TTL
c ip src=$H opt=none igmp2-report group=239.1.1.1                         # 33 IGMP_NO_RA
c ip src=$H dst=224.0.0.1 igmp2-leave group=239.1.1.1                     # 34 IGMP_DST
c ip src=$H mf igmp2-report group=239.1.1.1                               # 35 IGMP_FRAGMENT
c ip src=$H igmp2-report group=198.18.0.1                                 # 36 IGMP_GROUP
c ip src=$H igmp2-report group=239.1.1.1 trail=00000000                   # 37 IGMP_TRAILING

# ---- igmpv3-fragments.pcap (raw IPv4): an IGMPv3 report in three fragments ------------------------
# The report (two records of 30 sources: 264 bytes) is crafted whole, then cut into fragments of 104,
# 104 and 56 bytes, sent first, last, middle. Its checksum holds over the whole message only: see
# `ipv4kit decode --reassemble`.
begin igmpv3-fragments.pcap raw
s1=$(seq -s, -f '198.18.1.%g' 1 30)
s2=$(seq -s, -f '198.18.2.%g' 1 30)
msg=$("$tool" craft ip src=$H igmp3-report rec=is_in,232.1.1.1,"$s1" rec=allow,232.1.1.2,"$s2" --hex |
	tr -d ' \n')
msg=${msg:48} # the message without its 24-byte IPv4 header (Router Alert included)
G="src=$H dst=224.0.0.22 proto=igmp ttl=1 tos=0xc0 opt=ra id=0x2001"
c ip $G mf frag=0 raw "${msg:0:208}"                                      # 1 bytes 0-103, MF
c ip $G frag=26 raw "${msg:416}"                                          # 2 bytes 208-263, last
c ip $G mf frag=13 raw "${msg:208:208}"                                   # 3 bytes 104-207, MF

# ---- install: every file is complete before it replaces the old one --------------------------------
for f in igmp-messages.pcap igmp-codes.pcap ip-options.pcap fragments.pcapng malformed.pcap \
	igmpv3-fragments.pcap; do
	mv -f "$tmp/$f" "$out/$f"
	echo "mkcorpus: $out/$f ($(stat -c %s "$out/$f") bytes)"
done
