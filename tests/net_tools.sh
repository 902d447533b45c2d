#!/usr/bin/env bash
# net_tools.sh - `ipv4kit listen` and `ipv4kit send` between two namespaces: ASM/SSM/exclude joins, TTL/TOS/PKTINFO, batch, rate, filter, errors.
# usage: net_tools.sh TOOL SRCDIR THIRD_PARTY_PCAPS   (root; exits 77 without namespaces)
set -u
tool=${1:?usage: net_tools.sh TOOL SRCDIR THIRD_PARTY_PCAPS}
src=${2:?}
. "$src/tests/lib/netns.sh"
command -v python3 >/dev/null || skip "python3 is needed to check the JSON output"

pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
check() { local name=$1; shift; if "$@"; then ok; else bad "$name"; fi; }
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit $?
}

tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT

# pycheck FILE EXPR: EXPR (python) over L, the JSON objects of FILE, one per line
pycheck() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
L = [json.loads(x) for x in open(sys.argv[1]) if x.strip()]
ok = eval(sys.argv[2], {"L": L})
if not ok:
    sys.stderr.write("  expression: %s\n  objects: %s\n" % (sys.argv[2], L[:4]))
sys.exit(0 if ok else 1)
EOF
}
# expect_usage NAME PATTERN ARGS...: exit 2 and PATTERN in stderr
expect_usage() {
	local name=$1 pat=$2 rc
	shift 2
	"$tool" "$@" >"$tmp/o" 2>"$tmp/e"
	rc=$?
	if [ $rc -eq 2 ] && grep -qF -- "$pat" "$tmp/e"; then
		ok
	else
		bad "$name: exit $rc, stderr: $(head -c 300 "$tmp/e")"
	fi
}

# ---- argument errors (no socket is opened for these) ----
"$tool" --help >"$tmp/o" 2>&1
check "--help lists listen and send" grep -q '^  listen ' "$tmp/o"
check "--help lists send" grep -q '^  send ' "$tmp/o"
"$tool" listen --help >"$tmp/o" 2>&1
check "listen --help exits 0 and explains !SOURCE" [ $? -eq 0 -a -n "$(grep -F '239.1.1.1!198.18.0.5' "$tmp/o")" ]
"$tool" send --help >"$tmp/o" 2>&1
check "send --help exits 0 and shows --batch" [ $? -eq 0 -a -n "$(grep -e --batch "$tmp/o")" ]
expect_usage "listen unicast group" "10.1.2.3 is not a multicast group" listen 10.1.2.3
expect_usage "listen bad group" "bad group address '239.1.1.300'" listen 239.1.1.1 239.1.1.300
expect_usage "listen @source on unicast" "sources can only be given for a multicast group" listen 10.0.0.1@198.18.0.1
expect_usage "listen multicast source" "source 224.0.0.5 is not a unicast address" listen 232.1.1.1@224.0.0.5
expect_usage "listen empty source" "no source address after '@'" listen 232.1.1.1@
expect_usage "listen @ and !" "either @SOURCE (include) or !SOURCE (exclude)" listen '232.1.1.1@198.18.0.1!198.18.0.2'
expect_usage "listen unknown interface" "unknown interface 'nosuchif0'" listen -i nosuchif0 239.1.1.1
expect_usage "listen -c 0" "-c: '0' is not a number from 1 to 4294967295" listen -c 0 239.1.1.1
expect_usage "listen -t x" "-t: 'x' is not a number from 0.001 to" listen -t x 239.1.1.1
expect_usage "listen bad filter" "bad filter expression" listen -f 'src hostt 1.2.3.4' 239.1.1.1
expect_usage "send bad port" "'70000' is not a number from 1 to 65535" send 239.1.1.1:70000
expect_usage "send bad dest" "bad destination address '239.1.1'" send 239.1.1:5000
expect_usage "send --ttl 300" "--ttl: '300' is not a number from 0 to 255" send --ttl 300 239.1.1.1
expect_usage "send -b 65" "-b: '65' is not a number from 1 to 64" send -b 65 239.1.1.1
expect_usage "send --loop unicast" "--loop applies to multicast destinations only" send --loop 198.18.0.1
expect_usage "send -s and --payload" "-s and --payload cannot be combined" send -s 10 --payload x 239.1.1.1
expect_usage "send unknown interface" "unknown interface 'nosuchif0'" send -i nosuchif0 239.1.1.1
expect_usage "send no destination" "no destination" send -c 1

# ---- namespaces ----
netns_setup 2
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
ADDR1B="198.18.$NETNS_SUBNET.11"    # a second source address in NS1
ip -n "$NS1" addr add "$ADDR1B/24" dev "$IF1"
P=5001
n1() { ip netns exec "$NS1" "$tool" "$@"; }

# listen_bg NAME ARGS...: start `ipv4kit listen ARGS` in NS2, wait (bounded) until it has joined
listen_bg() {
	local name=$1 i
	shift
	ip netns exec "$NS2" "$tool" listen "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	eval "pid_$name=$!"
	for i in $(seq 1 50); do
		grep -q 'listening on' "$tmp/$name.err" 2>/dev/null && return 0
		kill -0 "$(eval echo \$pid_$name)" 2>/dev/null || break
		sleep 0.1
	done
	bad "listen $name did not start: $(cat "$tmp/$name.err")"
	return 1
}
# listen_wait NAME: exit code of the listener (each one stops by its own -t)
listen_wait() {
	wait "$(eval echo \$pid_$1)"
}

# 1. any-source join: TTL (multicast TTL), TOS, destination and interface from control messages
listen_bg asm -i "$IF2" -p $P -c 5 -t 5 --json 239.1.2.3
n1 send -i "$IF1" --ttl 5 --tos 0x28 -c 5 239.1.2.3:$P 2>"$tmp/snd_asm.err"
check "send -c 5 exits 0" [ $? -eq 0 ]
check "send reports 5 sent, 0 failed" grep -q '5 sent, 0 failed to 239.1.2.3:5001' "$tmp/snd_asm.err"
listen_wait asm
check "listen -c 5 exits 0 when the count is reached" [ $? -eq 0 ]
check "asm: 5 datagrams" pycheck "$tmp/asm.out" 'len(L) == 5'
check "asm: ttl 5 and tos 0x28 from IP_TTL/IP_TOS cmsgs" pycheck "$tmp/asm.out" 'all(o["ttl"] == 5 and o["tos"] == 0x28 for o in L)'
check "asm: dst = group (IP_PKTINFO), dport" pycheck "$tmp/asm.out" 'all(o["dst"] == "239.1.2.3" and o["dport"] == 5001 for o in L)'
check "asm: ifname = $IF2, ifindex matches" pycheck "$tmp/asm.out" "all(o['ifname'] == '$IF2' and o['ifindex'] == $(netns_ifindex "$NS2" "$IF2") for o in L)"
check "asm: src = $ADDR1, len 64, seq 1..5" pycheck "$tmp/asm.out" "all(o['src'] == '$ADDR1' and o['len'] == 64 for o in L) and [o['seq'] for o in L] == [1, 2, 3, 4, 5] and [o['frame'] for o in L] == [1, 2, 3, 4, 5]"
check "asm: listener summary on stderr" grep -q '5 datagrams received in .* (count reached)' "$tmp/asm.err"

# 2. text output, --payload, the default multicast TTL 1
listen_bg text -i "$IF2" -p $P -c 1 -t 5 239.1.2.3
n1 send -i "$IF1" --payload hello 239.1.2.3:$P 2>/dev/null
listen_wait text
check "text: exit 0" [ $? -eq 0 ]
check "text: one line with interface, addresses, ttl 1, seq and preview" \
	grep -qE "^1 [0-9:.]{15} $IF2 $ADDR1\.[0-9]+ > 239\.1\.2\.3\.5001: UDP, length 15 \[ttl 1, tos 0x00\] seq 1 \"ipk seq=1 hello\"$" "$tmp/text.out"

# 3. source-specific join: only the joined source arrives (the other is sent first)
listen_bg ssm -i "$IF2" -p $P -c 3 -t 5 --json "232.1.2.3@$ADDR1"
n1 send -i "$IF1" -S "$ADDR1B" -c 3 232.1.2.3:$P 2>/dev/null
n1 send -i "$IF1" -S "$ADDR1" -c 3 232.1.2.3:$P 2>/dev/null
listen_wait ssm
check "ssm: exit 0" [ $? -eq 0 ]
check "ssm: 3 datagrams, all from $ADDR1" pycheck "$tmp/ssm.out" "len(L) == 3 and all(o['src'] == '$ADDR1' and o['dst'] == '232.1.2.3' for o in L)"

# 4. exclusion: 239.1.2.4!ADDR1B blocks ADDR1B; a second any-source listener on the same port
#    (SO_REUSEADDR) is the control and gets both sources
listen_bg excl -i "$IF2" -p $P -c 3 -t 5 --json "239.1.2.4!$ADDR1B"
listen_bg ctl -i "$IF2" -p $P -c 6 -t 5 --json 239.1.2.4
n1 send -i "$IF1" -S "$ADDR1B" -c 3 239.1.2.4:$P 2>/dev/null
n1 send -i "$IF1" -S "$ADDR1" -c 3 239.1.2.4:$P 2>/dev/null
listen_wait excl
check "exclude: exit 0" [ $? -eq 0 ]
check "exclude: 3 datagrams, none from $ADDR1B" pycheck "$tmp/excl.out" "len(L) == 3 and all(o['src'] == '$ADDR1' for o in L)"
listen_wait ctl
check "exclude control: second listener on the port got both sources" pycheck "$tmp/ctl.out" "len(L) == 6 and sorted(set(o['src'] for o in L)) == sorted(['$ADDR1', '$ADDR1B'])"

# 5. batch: -b 8 -c 64 through sendmmsg, all arrive in order
listen_bg batch -i "$IF2" -p $P -c 64 -t 5 --json 239.1.2.5
n1 send -i "$IF1" -b 8 -c 64 -s 200 239.1.2.5:$P 2>"$tmp/snd_batch.err"
check "batch: send exits 0" [ $? -eq 0 ]
check "batch: 8 sendmmsg calls reported" grep -q '64 sent, 0 failed .* 8 sendmmsg calls' "$tmp/snd_batch.err"
listen_wait batch
check "batch: listen exit 0" [ $? -eq 0 ]
check "batch: 64 datagrams of 200 bytes, seq 1..64" pycheck "$tmp/batch.out" "[o['seq'] for o in L] == list(range(1, 65)) and all(o['len'] == 200 for o in L)"

# 6. rate: 20 datagrams at 40/s take about 0.475 s (lenient bounds on a shared machine)
listen_bg rate -i "$IF2" -p $P -c 20 -t 8 --json 239.1.2.5
t0=$(date +%s.%N)
n1 send -i "$IF1" -r 40 -c 20 239.1.2.5:$P 2>"$tmp/snd_rate.err"
t1=$(date +%s.%N)
listen_wait rate
check "rate: 20 arrive" pycheck "$tmp/rate.out" 'len(L) == 20'
check "rate: send took 0.35..3 s ($(python3 -c "print(round($t1 - $t0, 3))") s)" python3 -c "import sys; sys.exit(not (0.35 <= $t1 - $t0 <= 3.0))"
check "rate: arrivals spread 0.3..2.5 s" pycheck "$tmp/rate.out" '0.3 <= L[-1]["ts"] - L[0]["ts"] <= 2.5'
check "rate: reported rate 30..50 pkt/s ($(grep -o '[0-9.]* pkt/s' "$tmp/snd_rate.err"))" \
	python3 -c "import re, sys; r = float(re.search(r'([0-9.]+) pkt/s', open('$tmp/snd_rate.err').read()).group(1)); sys.exit(not (30 <= r <= 50))"

# rate with batches: 40/s in batches of 8 is 5 sendmmsg calls 0.2 s apart
n1 send -i "$IF1" -r 40 -b 8 -c 40 239.1.2.5:$P 2>"$tmp/snd_rate8.err"
check "rate -b 8: 40 sent in 5 calls, reported 30..50 pkt/s ($(cat "$tmp/snd_rate8.err"))" \
	python3 -c "import re, sys; t = open('$tmp/snd_rate8.err').read(); r = float(re.search(r'([0-9.]+) pkt/s, 5 sendmmsg', t).group(1)); sys.exit(not (30 <= r <= 50 and '40 sent, 0 failed' in t))"

# send errors: no route to the destination -> exit 1, the error named
n1 send -c 2 198.19.0.1:$P 2>"$tmp/snd_unreach.err"
check "send without a route: exit 1" [ $? -eq 1 ]
check "send without a route: '0 sent, 2 failed' and the error" grep -q -e '0 sent, 2 failed' "$tmp/snd_unreach.err"
check "send without a route: first error named" grep -q 'first error at seq 1: Network is unreachable' "$tmp/snd_unreach.err"

# send -c 0 runs until SIGINT, then reports
# (timeout bounds it and passes the SIGINT it gets on to the tool)
timeout -s KILL 10 ip netns exec "$NS1" "$tool" send -i "$IF1" -c 0 -r 100 239.1.2.5:$P 2>"$tmp/snd_int.err" &
spid=$!
# signal the tool itself once it runs (timeout forks it; 'ip netns exec' execs into it), so the
# signal cannot land before the tool is there to catch it
cpid=""
for i in $(seq 1 100); do
	cpid=$(pgrep -P $spid -x ipv4kit)
	[ -n "$cpid" ] && break
	sleep 0.05
done
sleep 0.3
kill -INT ${cpid:-$spid}
wait $spid
check "send -c 0: SIGINT ends it with exit 0 and a report" [ $? -eq 0 -a -n "$(grep -E '[1-9][0-9]* sent, 0 failed .*, interrupted' "$tmp/snd_int.err")" ]

# 7. unicast: TTL and TOS on a unicast destination, no group
listen_bg uni -p $P -c 2 -t 5 --json
n1 send --ttl 7 --tos 0x10 -c 2 "$ADDR2:$P" 2>/dev/null
listen_wait uni
check "unicast: exit 0" [ $? -eq 0 ]
check "unicast: ttl 7, tos 0x10, dst $ADDR2 on $IF2" pycheck "$tmp/uni.out" "len(L) == 2 and all(o['ttl'] == 7 and o['tos'] == 0x10 and o['dst'] == '$ADDR2' and o['ifname'] == '$IF2' for o in L)"

# 8. --filter: a tcpdump expression as classic BPF on the UDP socket
listen_bg filt -i "$IF2" -p $P -c 3 -t 5 --json -f "src host $ADDR1 and ip[1] == 0x28" 239.1.2.6
n1 send -i "$IF1" -S "$ADDR1B" --tos 0x28 -c 3 239.1.2.6:$P 2>/dev/null
n1 send -i "$IF1" -S "$ADDR1" -c 3 239.1.2.6:$P 2>/dev/null
n1 send -i "$IF1" -S "$ADDR1" --tos 0x28 -c 3 239.1.2.6:$P 2>/dev/null
listen_wait filt
check "filter: exit 0" [ $? -eq 0 ]
check "filter: only $ADDR1 with tos 0x28" pycheck "$tmp/filt.out" "len(L) == 3 and all(o['src'] == '$ADDR1' and o['tos'] == 0x28 for o in L)"

# 9. nothing arrives: -t ends with exit 3 and says so
ip netns exec "$NS2" "$tool" listen -i "$IF2" -p $P -t 0.5 239.1.2.7 >"$tmp/o" 2>"$tmp/e"
check "timeout with nothing: exit 3" [ $? -eq 3 ]
check "timeout with nothing: '0 datagrams received'" grep -q '0 datagrams received in .* (timeout)' "$tmp/e"

# 10. SIGINT leaves the groups: membership visible while running, gone after
listen_bg sig -i "$IF2" -p $P -t 10 239.1.2.8 "232.1.2.8@$ADDR1"
check "membership of 239.1.2.8 on $IF2 while listening" grep -q . <(ip -n "$NS2" maddr show dev "$IF2" | grep -w 239.1.2.8)
kill -INT "$pid_sig"
listen_wait sig
check "SIGINT with nothing received: exit 3" [ $? -eq 3 ]
check "SIGINT: reported as interrupted" grep -q '(interrupted)' "$tmp/sig.err"
check "SIGINT: groups left" [ -z "$(ip -n "$NS2" maddr show dev "$IF2" | grep -w -e 239.1.2.8 -e 232.1.2.8)" ]

# 11. a join the kernel refuses is reported naming the group (same group listed twice)
ip netns exec "$NS2" "$tool" listen -i "$IF2" -p $P -t 0.2 239.1.2.9 239.1.2.9 >"$tmp/o" 2>"$tmp/e"
check "double join: exit 2 naming the group" [ $? -eq 2 -a -n "$(grep "'239.1.2.9': join on $IF2" "$tmp/e")" ]

finish
