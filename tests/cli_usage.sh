#!/usr/bin/env bash
# cli_usage.sh - what a new user hits: one-line usage errors with a hint, ranges that match the checks, hex digits, stdin/stdout, -S, frag units, and interrupted writers leaving no temporary file.
# usage: cli_usage.sh TOOL SRCDIR [SHARED_PCAPS]
set -u
tool=${1:?usage: cli_usage.sh TOOL SRCDIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
check() { local name=$1; shift; if "$@"; then ok; else bad "$name"; fi; }

# usage CMD_PREFIX MESSAGE_REGEX ARGS...: exit 2, exactly two lines on stderr: "CMD_PREFIX: ..."
# matching MESSAGE_REGEX, then "try 'ipv4kit WORD --help'"; nothing on stdout
usage() {
	local prefix=$1 re=$2 rc cmd
	shift 2
	"$tool" "$@" >"$tmp/o" 2>"$tmp/e"
	rc=$?
	cmd=$(echo "$prefix" | cut -d' ' -f1-2)
	if [ $rc -ne 2 ] || [ "$(wc -l <"$tmp/e")" -ne 2 ] || [ -s "$tmp/o" ] ||
		! head -1 "$tmp/e" | grep -Eq "^$prefix: .*$re" ||
		[ "$(sed -n 2p "$tmp/e")" != "try '$cmd --help'" ]; then
		bad "usage error for '$*' (rc $rc): $(tr '\n' '|' <"$tmp/e")"
	else
		ok
	fi
}

# ---- one line and a hint, for every tool ----
usage "ipv4kit" "no command" 
usage "ipv4kit" "unknown command 'frob'" frob
usage "ipv4kit decode" "unknown option '-z'" decode -z x.pcap
usage "ipv4kit decode" "option '-c' needs a value" decode -c
usage "ipv4kit decode" "unknown option '--nope'" decode --nope x.pcap
usage "ipv4kit decode" "no input" decode
usage "ipv4kit decode" "-v and --json" decode -v --json x.pcap
usage "ipv4kit listen" "unknown option '-z'" listen -z
usage "ipv4kit listen" "not a multicast group" listen 198.18.0.1
usage "ipv4kit send" "no destination" send
usage "ipv4kit querier" "unknown option '--nope'" querier --nope
usage "ipv4kit querier" "option '--state' needs a value" querier -i lo --state
usage "ipv4kit querier" "--last-member-count: '0' is not a number from 1 to 255" querier -i lo --last-member-count 0
usage "ipv4kit querier" "no interface given" querier
usage "ipv4kit host" "no interface given" host --hosts 3
usage "ipv4kit host" "no host count given" host -i lo
usage "ipv4kit host" "--hosts: '65536' is not a number from 1 to 65535" host -i lo --hosts 65536
usage "ipv4kit host" "--join '0-5:239.1.1.1': column 1: host range '0-5' is not within 0-2" host -i lo --hosts 3 --join 0-5:239.1.1.1
usage "ipv4kit host" "column 13: bad source address '1.2.3'" host -i lo --hosts 3 --join 0:232.1.1.1@1.2.3
usage "ipv4kit host" "--profile: 'bsd' is not rfc or linux" host -i lo --hosts 1 --profile bsd
usage "ipv4kit fuzz" "no interface: give -i IFACE" fuzz
usage "ipv4kit fuzz" "no target: give --target ADDR" fuzz -i lo
usage "ipv4kit fuzz" "--target: '239.1.1.1' is not a unicast IPv4 address" fuzz -i lo --target 239.1.1.1
usage "ipv4kit fuzz" "--mode: 'x' is not ip, igmp-host or igmp-router" fuzz --mode x
usage "ipv4kit fuzz" "--probe igmp needs --mode igmp-host or igmp-router" fuzz -i lo --target 198.18.0.2 --probe igmp
usage "ipv4kit fuzz" "--probe: 'udp' is not icmp, igmp, tcp:PORT, cmd:CMD or none" fuzz --probe udp
usage "ipv4kit fuzz" "--probe tcp:PORT: '0' is not a number from 1 to 65535" fuzz --probe tcp:0
usage "ipv4kit fuzz" "--keep: '0' is not a number from 1 to 100000" fuzz --keep 0
usage "ipv4kit fuzz" "--from and --craft cannot be combined" fuzz -i lo --target 198.18.0.2 --from x.pcap --craft 'raw'
usage "ipv4kit fuzz" "--count and --duration cannot be combined" fuzz -i lo --target 198.18.0.2 -c 5 -d 1
usage "ipv4kit send" "unknown option '--nope'" send --nope=3 198.18.0.1
usage "ipv4kit send" "-S: '239.1.1.1' is not a unicast" send -S 239.1.1.1 198.18.0.1
usage "ipv4kit replay" "no mode" replay
usage "ipv4kit replay" "unknown mode 'frob'" replay frob
usage "ipv4kit replay verify" "no FILE" replay verify
usage "ipv4kit replay golden" "give FILE and EXPECTED" replay golden x.pcap
usage "ipv4kit replay rewrite" "option '--ttl' needs a value" replay rewrite --ttl
usage "ipv4kit replay send" "--speed, --rate and --topspeed" replay send --rate 5 --topspeed x.pcap
usage "ipv4kit craft" "no packet given" craft
usage "ipv4kit craft" "unknown option" craft --nope raw
usage "ipv4kit craft" "unknown ip field" craft ip bogus=1 raw
# a bad scenario line is named by file, line and column (exit 2, nothing sent)
printf '# churn\n\n0 0-1 join 239.1.1.1\n0.5 1 jion 239.1.1.1\n' >"$tmp/s1.txt"
printf '1 0 leave 239.1.1.1@198.18.0.9 # no sources on a leave\n' >"$tmp/s2.txt"
for s in "s1.txt:4:7: unknown action 'jion'" "s2.txt:1:11: leave takes a group without sources"; do
	"$tool" host -i lo --hosts 2 --scenario "$tmp/${s%%:*}" >"$tmp/o" 2>"$tmp/e"
	check "host --scenario: '$s'" [ $? -eq 2 -a ! -s "$tmp/o" -a "$(cat "$tmp/e")" = "ipv4kit host: $tmp/$s$(case $s in *jion*) echo " (join, leave, include, exclude, allow, block)";; esac)" ]
done

# ---- ranges: the message names the range the check enforces ----
usage "ipv4kit craft" "'-1' is not a number from 1 to" craft -c -1 raw
usage "ipv4kit craft" "'0' is not a number from 1 to" craft -c 0 raw
usage "ipv4kit send" "-r: '1e12' is not a number from 0.001 to" send -r 1e12 198.18.0.1
usage "ipv4kit send" "-r: '0.0000001' is not a number from 0.001 to" send -r 0.0000001 198.18.0.1
usage "ipv4kit send" "-b: '0' is not a number from 1 to 64" send -b 0 198.18.0.1
usage "ipv4kit send" "port: '0' is not a number from 1 to 65535" send 198.18.0.1:0
usage "ipv4kit listen" "-c: '0' is not a number from 1 to" listen -c 0 239.1.1.1
usage "ipv4kit listen" "-p: '0' is not a number from 1 to 65535" listen -p 0 239.1.1.1
usage "ipv4kit listen" "-t: '0' is not a number from 0.001 to" listen -t 0 239.1.1.1
usage "ipv4kit decode" "-c: '0' is not a number from 1 to" decode -c 0 x.pcap
usage "ipv4kit replay send" "--loop: '0' is not a number from 1 to" replay send --loop 0 x.pcap
usage "ipv4kit replay send" "--rate: '1e-9' is not a number from 0.001 to" replay send --rate 1e-9 x.pcap
# every value the message calls accepted is accepted: the bounds themselves
"$tool" craft -c 1 ip dst=198.18.0.1 raw >/dev/null 2>&1
check "craft -c 1 accepted" [ $? -eq 0 ]

# ---- hex ----
usage "ipv4kit decode" "--hex: column 4: odd number of hex digits" decode --hex 450
usage "ipv4kit decode" "not a hex digit \('g'\)" decode --hex 4g
usage "ipv4kit craft" "odd number of hex digits" craft ip dst=198.18.0.1 raw 450
printf '4500\n45 0\n' | "$tool" decode --hex - >/dev/null 2>"$tmp/e"
rc=$?
check "decode --hex -: bad line exits 1" [ $rc -eq 1 ]
check "decode --hex -: line 2 named, odd digits" grep -q 'hex line 2, column 5: odd number of hex digits' "$tmp/e"

# ---- craft -w - writes a capture to stdout; decode - reads one from stdin ----
"$tool" craft -c 3 -w - ip dst=198.18.0.1 udp dport=7 >"$tmp/stdout.pcap" 2>"$tmp/e"
rc=$?
check "craft -w - exits 0" [ $rc -eq 0 ]
check "craft -w - writes a pcap (magic a1b23c4d, native order)" \
	[ "$(od -An -tx4 -N4 "$tmp/stdout.pcap" | tr -d ' ')" = a1b23c4d ]
"$tool" decode - <"$tmp/stdout.pcap" >"$tmp/o" 2>"$tmp/e"
rc=$?
check "decode - reads stdin: 3 packets" [ $rc -eq 0 -a "$(grep -c 'UDP' "$tmp/o")" -eq 3 ]
"$tool" craft -c 2 --pcapng -w - ip dst=198.18.0.1 raw | "$tool" decode - >"$tmp/o" 2>&1
check "craft --pcapng -w - | decode -: 2 packets" [ "$(wc -l <"$tmp/o")" -eq 2 ]
usage "ipv4kit craft" "cannot go there too" craft -w - --hex ip dst=198.18.0.1 raw
"$tool" decode --help >"$tmp/o"
check "decode --help documents '-' (stdin)" grep -q "'-': a capture on stdin" "$tmp/o"
check "man page documents decode -" grep -q 'standard input' "${2:?}/tools/ipv4kit.1"

# ---- frag_off: frag= is 8-byte units, frag_off= bytes (as JSON frag_off) ----
a=$("$tool" craft ip dst=198.18.0.1 frag=100 raw --hex)
b=$("$tool" craft ip dst=198.18.0.1 frag_off=800 raw --hex)
check "frag=100 and frag_off=800 build the same packet" [ -n "$a" -a "$a" = "$b" ]
"$tool" craft ip dst=198.18.0.1 frag=100 raw -w "$tmp/f.pcap" --overwrite
check "JSON frag_off of frag=100 is 800 (bytes)" grep -q '"frag_off":800' <("$tool" decode --json "$tmp/f.pcap")
usage "ipv4kit craft" "multiple of 8" craft ip dst=198.18.0.1 frag_off=12 raw

# ---- opt=ts: as --help states it; MRC/QQIC that the float code cannot hold get a note ----
"$tool" craft --help >"$tmp/o"
check "craft --help: ts grammar" grep -q 'ts:MODE:SLOTS\[:OFLW\[:PTR\]\] ts:MODE:A,B\[:OFLW\[:PTR\]\]' "$tmp/o"
for o in ts:tsonly:4 ts:tsaddr:4 ts:prespec:198.18.0.1,198.18.0.2 ts:tsaddr:198.18.0.1:3 \
	ts:3:2 ts:tsonly:0:15:5 ts:15:1:0:255; do
	"$tool" craft ip dst=198.18.0.1 opt=$o raw >/dev/null 2>"$tmp/e"
	check "opt=$o accepted ($(cat "$tmp/e"))" [ $? -eq 0 ]
done
usage "ipv4kit craft" "tsonly slots hold no address" craft ip dst=198.18.0.1 opt=ts:tsonly:198.18.0.1 raw
usage "ipv4kit craft" "timestamp mode 'foo' is not tsonly, tsaddr, prespec or 0 to 15" \
	craft ip dst=198.18.0.1 opt=ts:foo:1 raw
usage "ipv4kit craft" "timestamp mode '16' is not" craft ip dst=198.18.0.1 opt=ts:16:1 raw
usage "ipv4kit craft" "'16' is not a number from 0 to 15" craft ip dst=198.18.0.1 opt=ts:tsonly:1:16 raw
usage "ipv4kit craft" "'10' is not a number from 0 to 9" craft ip dst=198.18.0.1 opt=ts:tsonly:10 raw
"$tool" craft igmp3-query mrc=1000 qqic=125 >"$tmp/o" 2>"$tmp/e"
check "mrc=1000: exit 0, note naming what is encoded" \
	[ $? -eq 0 -a "$(cat "$tmp/e")" = "ipv4kit craft: note: 'mrc=1000': 1000 cannot be coded exactly; encoded 0xaf = 992 (99.2 s)" ]
check "mrc=1000: the packet carries code 0xaf" grep -q ' 11 af ' "$tmp/o"
"$tool" craft igmp3-query mrc=127 qqic=200 >/dev/null 2>"$tmp/e"
check "exact mrc/qqic: no note" [ ! -s "$tmp/e" ]
"$tool" craft igmp3-query qqic=31000 >/dev/null 2>"$tmp/e"
check "qqic=31000: note with 30720 s" grep -q "encoded 0xfe = 30720 (30720 s)" "$tmp/e"

# ---- send -S with an address the host lacks names -S ----
if [ "$(cat /proc/sys/net/ipv4/ip_nonlocal_bind 2>/dev/null)" = 0 ] &&
	! ip -4 addr 2>/dev/null | grep -q ' 198\.18\.251\.7/'; then
	"$tool" send -S 198.18.251.7 198.18.0.1 >/dev/null 2>"$tmp/e"
	rc=$?
	check "send -S absent address: exit 2 naming -S ($(cat "$tmp/e"))" \
		[ $rc -eq 2 -a -n "$(grep -- '-S 198.18.251.7: .*not an address of this host' "$tmp/e")" ]
fi

# ---- interrupted writers leave no temporary file; the output is absent or complete ----
# wait_tmp GLOB: until a file matches (at most 10 s)
wait_tmp() {
	for _ in $(seq 200); do
		compgen -G "$1" >/dev/null && return 0
		sleep 0.05
	done
	return 1
}
for sig in INT TERM HUP; do
	d=$tmp/sig$sig
	mkdir "$d"
	"$tool" craft -c 100000000 -w "$d/big.pcap" ip dst=198.18.0.1 udp payload=x 2>"$d/e" &
	pid=$!
	wait_tmp "$d/big.pcap.tmp.*"
	kill -$sig $pid
	wait $pid
	rc=$?
	check "craft -w SIG$sig: exit 1 ($rc), no temporary file, no output: $(ls "$d" | tr '\n' ' ')" \
		[ $rc -eq 1 -a "$(ls "$d")" = e ]
	check "craft -w SIG$sig: says FILE was left as it was" grep -q 'interrupted: .*big.pcap left as it was' "$d/e"
done
# appending to an existing capture: on interrupt the old capture stays whole
d=$tmp/append
mkdir "$d"
"$tool" craft -c 2 -w "$d/old.pcap" ip dst=198.18.0.1 raw
cp "$d/old.pcap" "$d/ref.pcap"
"$tool" craft -c 100000000 -w "$d/old.pcap" ip dst=198.18.0.1 raw 2>/dev/null &
pid=$!
wait_tmp "$d/old.pcap.tmp.*"
kill -INT $pid
wait $pid
check "craft -w appending, interrupted: old capture unchanged, no temporary file" \
	[ "$(ls "$d" | tr '\n' ' ')" = "old.pcap ref.pcap " ] && cmp -s "$d/old.pcap" "$d/ref.pcap"
check "craft -w appending, interrupted: old capture unchanged" cmp -s "$d/old.pcap" "$d/ref.pcap"

# craft -i prints its summary when interrupted, like send (a private network namespace: lo only)
if unshare -n true 2>/dev/null; then
	unshare -n bash -c 'ip link set lo up && exec "$0" craft -i lo -c 100000 --interval 0.01 ip dst=127.0.0.1 udp dport=9' \
		"$tool" 2>"$tmp/e" &
	pid=$!
	# until the tool catches SIGINT (SigCgt bit 1), then let it send a while
	for _ in $(seq 200); do
		m=$(awk '/^SigCgt:/ {print $2}' /proc/$pid/status 2>/dev/null)
		[ "$(basename "$(readlink /proc/$pid/exe)")" = ipv4kit ] && [ -n "$m" ] &&
			[ $((0x$m >> 1 & 1)) -eq 1 ] && break
		sleep 0.05
	done
	sleep 0.3
	kill -INT $pid
	wait $pid
	rc=$?
	check "craft -i SIGINT: exit 0 ($rc) with the summary: $(cat "$tmp/e")" \
		[ $rc -eq 0 -a -n "$(grep -E '^ipv4kit craft: [1-9][0-9]* sent, 0 failed, interrupted$' "$tmp/e")" ]
else
	echo "skip: craft -i interrupt (no network namespaces)"
fi

# replay rewrite and golden --update: the library writes; the signal kills the process after the
# handler removed the temporary file
d=$tmp/lib
mkdir "$d"
"$tool" craft -c 300000 -w "$d/in.pcap" ip dst=198.18.0.1 udp payload=x
n_in=$("$tool" decode -q "$d/in.pcap" 2>&1 | sed -n 's/^\([0-9]*\) packets.*/\1/p')
"$tool" replay rewrite --ttl 9 "$d/in.pcap" "$d/out.pcap" >/dev/null &
pid=$!
wait_tmp "$d/out.pcap.tmp.*"
kill -INT $pid
wait $pid
rc=$?
check "rewrite SIGINT: no temporary file" [ -z "$(compgen -G "$d/out.pcap.tmp.*")" ]
if [ -e "$d/out.pcap" ]; then
	n=$("$tool" decode -q "$d/out.pcap" 2>&1 | sed -n 's/^\([0-9]*\) packets.*/\1/p')
	check "rewrite SIGINT: output complete ($n of $n_in)" [ "$n" = "$n_in" ]
else
	check "rewrite SIGINT: killed by the signal (rc $rc)" [ $rc -eq 130 ]
fi
"$tool" replay golden --update "$d/in.pcap" "$d/gold.json" >/dev/null &
pid=$!
wait_tmp "$d/gold.json.tmp.*"
kill -TERM $pid
wait $pid
rc=$?
check "golden --update SIGTERM: no temporary file" [ -z "$(compgen -G "$d/gold.json.tmp.*")" ]
if [ -e "$d/gold.json" ]; then
	check "golden --update SIGTERM: output complete" [ "$(wc -l <"$d/gold.json")" = "$n_in" ]
else
	check "golden --update SIGTERM: killed by the signal (rc $rc)" [ $rc -eq 143 ]
fi

echo "cli_usage: $pass passed, $fail failed"
[ $fail -eq 0 ]
