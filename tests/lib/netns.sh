# netns.sh - sourced by network tests: private namespaces joined by veth, 198.18.0.0/15 only, always cleaned up.
#
#   . "$src/tests/lib/netns.sh"
#   netns_setup 2            # namespaces $NS1 $NS2, veth pair, $NS1 has 198.18.<k>.1/24 on $IF1,
#                            # $NS2 198.18.<k>.2/24 on $IF2 (k differs per run), lo up, multicast routes
#   netns_setup 3            # adds $NS3 with 198.18.<k>.3/24 on a bridge shared by all three
#   ip netns exec "$NS1" ...
#   pass / fail "msg" / skip "msg"   # exit 0 / 1 / 77 (CTest SKIP_RETURN_CODE); cleanup runs on any exit
#
# Rules (docs/architecture.md, "Tests on a network"): only namespaces this file creates (names
# ipk-<pid>-<n>), addresses in 198.18.0.0/15, never the host's own interfaces; every wait is bounded.

NETNS_LIST=()
NETNS_LINKS=()

netns_cleanup() {
	local n
	for n in "${NETNS_LIST[@]}"; do
		ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$n" 2>/dev/null
	done
	NETNS_LIST=()
}
trap netns_cleanup EXIT
trap 'exit 130' INT TERM

skip() {
	echo "SKIP: $*"
	exit 77
}
fail() {
	echo "FAIL: $*"
	exit 1
}
pass() {
	echo "1 passed, 0 failed"
	exit 0
}

# netns_setup N (2 or 3)
netns_setup() {
	local count=${1:-2} tag i
	[ "$(id -u)" -eq 0 ] || skip "network namespaces need root"
	command -v ip >/dev/null || skip "iproute2 (ip) is not installed"
	tag="ipk-$$"
	NETNS_SUBNET=$(( ($$ % 250) + 1 ))
	for i in $(seq 1 "$count"); do
		ip netns add "$tag-$i" 2>/dev/null || skip "cannot create network namespaces (ip netns add failed)"
		NETNS_LIST+=("$tag-$i")
		ip -n "$tag-$i" link set lo up
	done
	NS1="$tag-1"
	NS2="$tag-2"
	IF1=veth1
	IF2=veth2
	ADDR1="198.18.$NETNS_SUBNET.1"
	ADDR2="198.18.$NETNS_SUBNET.2"
	if [ "$count" -eq 2 ]; then
		ip link add "$IF1" netns "$NS1" type veth peer name "$IF2" netns "$NS2" ||
			skip "cannot create a veth pair"
		ip -n "$NS1" addr add "$ADDR1/24" dev "$IF1"
		ip -n "$NS2" addr add "$ADDR2/24" dev "$IF2"
		ip -n "$NS1" link set "$IF1" up
		ip -n "$NS2" link set "$IF2" up
	else
		# three hosts on one bridge living in a fourth namespace
		ip netns add "$tag-br" || skip "cannot create network namespaces"
		NETNS_LIST+=("$tag-br")
		ip -n "$tag-br" link add br0 type bridge mcast_snooping 0 || skip "cannot create a bridge"
		ip -n "$tag-br" link set br0 up
		NS3="$tag-3"
		IF3=veth3
		ADDR3="198.18.$NETNS_SUBNET.3"
		for i in 1 2 3; do
			ip link add "veth$i" netns "$tag-$i" type veth peer name "port$i" netns "$tag-br" ||
				skip "cannot create a veth pair"
			ip -n "$tag-br" link set "port$i" master br0
			ip -n "$tag-br" link set "port$i" up
			ip -n "$tag-$i" addr add "198.18.$NETNS_SUBNET.$i/24" dev "veth$i"
			ip -n "$tag-$i" link set "veth$i" up
		done
	fi
	for i in $(seq 1 "$count"); do
		# multicast leaves through the veth unless a test says otherwise
		ip -n "$tag-$i" route add 224.0.0.0/4 dev "veth$i" 2>/dev/null
	done
	# IPv6 DAD and router solicitations would add noise to captures
	for i in $(seq 1 "$count"); do
		ip netns exec "$tag-$i" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null
	done
	netns_wait_up
}

# Wait (bounded, 5 s) until every veth is operationally up.
netns_wait_up() {
	local n i ok
	for i in $(seq 1 50); do
		ok=1
		for n in "${NETNS_LIST[@]}"; do
			ip -n "$n" -o link show up 2>/dev/null | grep -q 'LOWERLAYERDOWN' && ok=0
		done
		[ $ok -eq 1 ] && return 0
		sleep 0.1
	done
	return 0
}

# netns_ifindex NS IF: the interface index of IF in NS
netns_ifindex() {
	ip -n "$1" -o link show "$2" | cut -d: -f1
}

# ---- counting the "ok ..." / "not ok ..." lines of helper programs (tests/net/*.c) ----
NET_PASSED=0
NET_FAILED=0

# net_require PROGRAM: fail the test at once if a helper program was not built.
net_require() {
	if [ ! -x "$1" ]; then
		echo "not ok setup: $1 is not built"
		echo "0 passed, 1 failed"
		exit 1
	fi
}

# run_checks PROGRAM ARGS...: run a helper (bounded by timeout), echo its lines, count ok / not ok;
# a helper that fails without saying "not ok" counts as one failure.
run_checks() {
	local out rc okn badn
	out=$(timeout 40 "$@" 2>&1)
	rc=$?
	echo "$out"
	okn=$(grep -c '^ok ' <<<"$out")
	badn=$(grep -c '^not ok ' <<<"$out")
	NET_PASSED=$((NET_PASSED + okn))
	NET_FAILED=$((NET_FAILED + badn))
	if [ "$rc" -ne 0 ] && [ "$badn" -eq 0 ]; then
		echo "not ok $(basename "$1"): exited with status $rc"
		NET_FAILED=$((NET_FAILED + 1))
	fi
}

# finish: the closing "N passed, M failed" line; exit 0 only if something passed and nothing failed.
finish() {
	echo "$NET_PASSED passed, $NET_FAILED failed"
	[ "$NET_FAILED" -eq 0 ] && [ "$NET_PASSED" -gt 0 ]
	exit $?
}
