#!/usr/bin/env bash
# cli.sh - behaviour of the ipv4kit command: help, version, decode of files, live, hex, JSON, quiet, errors.
# usage: cli.sh TOOL SRCDIR THIRD_PARTY_PCAPS
set -u
tool=${1:?usage: cli.sh TOOL SRCDIR THIRD_PARTY_PCAPS}
src=${2:?}
tp=${3:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
# check NAME COND...: run a test expression
check() { local name=$1; shift; if "$@"; then ok; else bad "$name"; fi; }

# help and version
"$tool" --help >"$tmp/o" 2>&1; rc=$?
check "--help exits 0" [ $rc -eq 0 ]
check "--help lists decode" grep -q '^  decode ' "$tmp/o"
"$tool" decode --help >"$tmp/o" 2>&1; rc=$?
check "decode --help exits 0 and shows --json" [ $rc -eq 0 -a -n "$(grep -e --json "$tmp/o")" ]
"$tool" --version >"$tmp/o"; rc=$?
ver=$(sed -n 's/^project(ipv4kit VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
check "--version prints 'ipv4kit $ver'" [ $rc -eq 0 -a "$(cat "$tmp/o")" = "ipv4kit $ver" ]
"$tool" >/dev/null 2>&1; rc=$?
check "no command exits 2" [ $rc -eq 2 ]
"$tool" frobnicate >/dev/null 2>"$tmp/e"; rc=$?
check "unknown command exits 2 naming it" [ $rc -eq 2 -a -n "$(grep frobnicate "$tmp/e")" ]

# decode of a third-party capture: one line per frame, numbered
cap=$tp/tcpdump/IGMP_V2.pcap
"$tool" decode "$cap" >"$tmp/o"; rc=$?
n=$(wc -l <"$tmp/o")
check "decode IGMP_V2.pcap exits 0" [ $rc -eq 0 ]
check "decode IGMP_V2.pcap: 18 lines (got $n)" [ "$n" -eq 18 ]
check "decode lines start with frame numbers" [ "$(grep -c '^[0-9]* [0-9][0-9]:[0-9][0-9]:' "$tmp/o")" -eq 18 ]
check "decode shows a v2 leave" grep -q 'IGMP v2 leave 225.1.1.3' "$tmp/o"
"$tool" decode -v "$cap" >"$tmp/o"; rc=$?
check "decode -v prints header lines" [ $rc -eq 0 -a "$(grep -c '^    ipv4: version 4' "$tmp/o")" -eq 18 ]
"$tool" decode -c 3 "$cap" >"$tmp/o"
check "-c 3 stops after 3 packets" [ "$(wc -l <"$tmp/o")" -eq 3 ]
"$tool" decode "$tp/tcpdump/rsvp-inf-loop-2.pcapng" >"$tmp/o"; rc=$?
check "pcapng decodes" [ $rc -eq 0 -a "$(wc -l <"$tmp/o")" -eq 1 ]
# a malformed packet is a line with its findings, decoding goes on
"$tool" decode "$tp/tcpdump/ip_ts_opts_asan.pcap" "$cap" >"$tmp/o"; rc=$?
check "malformed packet printed with findings, exit 0" [ $rc -eq 0 -a -n "$(grep -F '[!IP_CHECKSUM]' "$tmp/o")" -a "$(wc -l <"$tmp/o")" -eq 19 ]

# errors: unreadable file, not a capture, bad usage
"$tool" decode "$tmp/does-not-exist.pcap" >/dev/null 2>"$tmp/e"; rc=$?
check "missing file exits 2" [ $rc -eq 2 ]
check "missing file message names the file" grep -q "does-not-exist.pcap" "$tmp/e"
check "missing file: one line of error" [ "$(wc -l <"$tmp/e")" -eq 1 ]
echo "hello, not a capture" >"$tmp/text.pcap"
"$tool" decode "$tmp/text.pcap" >/dev/null 2>"$tmp/e"; rc=$?
check "not-a-capture exits 2 naming the file" [ $rc -eq 2 -a -n "$(grep text.pcap "$tmp/e")" ]
"$tool" decode "$tmp/text.pcap" "$cap" >"$tmp/o" 2>/dev/null; rc=$?
check "bad file among good ones: others decoded, exit 2" [ $rc -eq 2 -a "$(wc -l <"$tmp/o")" -eq 18 ]
"$tool" decode -c x "$cap" >/dev/null 2>&1; rc=$?
check "-c x exits 2" [ $rc -eq 2 ]
"$tool" decode -v --json "$cap" >/dev/null 2>&1; rc=$?
check "-v with --json exits 2" [ $rc -eq 2 ]

# hex input: argument, stdin with a bad line (decoding goes on, exit 1 at the end)
v2r='46 00 00 20 00 00 40 00 01 02 00 00 c6 12 00 01 ef 01 02 03 94 04 00 00 16 00 f8 fa ef 01 02 03'
"$tool" decode --hex "$v2r" >"$tmp/o"; rc=$?
check "--hex decodes an IGMPv2 report" [ $rc -eq 0 -a -n "$(grep 'IGMP v2 report 239.1.2.3' "$tmp/o")" ]
printf '%s\n0011zz\n%s\n' "$v2r" "$(echo "$v2r" | tr ' ' ':')" | "$tool" decode --hex - >"$tmp/o" 2>"$tmp/e"; rc=$?
check "--hex - with a bad line exits 1" [ $rc -eq 1 ]
check "--hex - error names line 2 column 5" grep -q 'line 2, column 5' "$tmp/e"
check "--hex - goes on after the bad line (2 packets)" [ "$(wc -l <"$tmp/o")" -eq 2 ]
"$tool" decode --link ether --hex '01005e010203 020000000001 0800 '"$v2r" >"$tmp/o"; rc=$?
check "--link ether" [ $rc -eq 0 -a -n "$(grep 'IGMP v2 report' "$tmp/o")" ]
"$tool" decode --link ppp --hex 00 >/dev/null 2>&1; rc=$?
check "--link ppp exits 2" [ $rc -eq 2 ]

# JSON: every line parses, keys of the contract are there
"$tool" decode --json "$cap" "$tp/other/igmpv3_report2.pcap" "$tp/other/ipv4-options.pcap" \
	"$tp/tcpdump/ip_ts_opts_asan.pcap" >"$tmp/o"; rc=$?
check "--json exits 0" [ $rc -eq 0 ]
if python3 - "$tmp/o" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    for k in ("frame", "ts", "caplen", "len", "link", "errors", "findings"):
        assert k in o, k
    if "ipv4" in o:
        for k in ("version", "ihl", "hlen", "tos", "dscp", "ecn", "total_len", "id", "rf", "df", "mf",
                  "frag_off", "ttl", "proto", "checksum", "checksum_ok", "src", "dst", "options"):
            assert k in o["ipv4"], k
    if "igmp" in o:
        for k in ("version", "type", "name", "checksum", "checksum_ok", "max_resp_code", "max_resp_ds"):
            assert k in o["igmp"], k
    for e in o["errors"] + o["findings"]:
        assert set(e) == {"layer", "code", "offset", "message"}, e
        assert not e["message"].startswith("finding"), e
    n += 1
assert n > 20, n
PY
then ok; else bad "--json lines parse and carry the contract keys"; fi

# quiet: nothing on stdout, a summary on stderr
"$tool" decode -q "$cap" >"$tmp/o" 2>"$tmp/e"; rc=$?
check "-q exits 0 and prints nothing on stdout" [ $rc -eq 0 -a ! -s "$tmp/o" ]
check "-q summary counts packets and igmp" grep -q '^18 packets: igmp 18,' "$tmp/e"
check "-q summary counts codes, each named error or finding" grep -q '^  finding IGMP_NO_RA ' "$tmp/e"

# live capture on lo with a filter (needs CAP_NET_RAW)
"$tool" decode -i lo -c 1 'udp port ((' >/dev/null 2>"$tmp/e"; rc=$?
if grep -q "bad filter expression" "$tmp/e"; then
	check "bad filter exits 2" [ $rc -eq 2 ]
	check "bad filter message names the expression" grep -qF "'udp port (('" "$tmp/e"
	timeout 10 "$tool" decode -i lo -c 1 udp and dst port 47999 >"$tmp/o" 2>"$tmp/e" &
	pid=$!
	for i in 1 2 3 4 5 6 7 8 9 10; do
		sleep 0.3
		echo hi >/dev/udp/127.0.0.1/47999 2>/dev/null
		kill -0 $pid 2>/dev/null || break
	done
	wait $pid; rc=$?
	check "live -i lo -c 1 with a filter captures one UDP packet (rc $rc)" \
		[ $rc -eq 0 -a -n "$(grep '127.0.0.1.[0-9]* > 127.0.0.1.47999: UDP, length 3' "$tmp/o")" ]
else
	echo "skip: cannot capture on lo: $(cat "$tmp/e")"
	skip=$((skip + 1))
fi

echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
