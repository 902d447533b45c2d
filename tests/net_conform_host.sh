#!/usr/bin/env bash
# net_conform_host.sh - `ipv4kit conform host` against the Linux kernel as IGMP host (v3, then forced to v2 and v1): every check passes or is skipped with a reason, except exactly the measured Linux departures, which come out as deviations; the JUnit file and one pcap per check agree.
# usage: net_conform_host.sh TOOL SRCDIR THIRD_PARTY_PCAPS   (root; exits 77 without namespaces)
set -u
tool=${1:?usage: net_conform_host.sh TOOL SRCDIR THIRD_PARTY_PCAPS}
src=${2:?}
build=$(cd "$(dirname "$tool")/.." && pwd)

# ---- the Linux kernel's departures (docs/conform-host.md, "The Linux kernel's deviations"),
# by check name, per version: exactly these end as "deviation"; every other check passes or is
# skipped with a reason.
#   gssq-exclude-answer            H06 (v3): a group-and-source query on an EXCLUDE group is
#                                  answered IS_EX(full list), not IS_IN(B-A) (RFC 3376 5.2)
#   query-no-router-alert-ignored  H36 (v2, v3): a query without Router Alert is answered
#                                  (RFC 3376 9.1 SHOULD ignore)
#   gq-to-group-ignored            H37 (v2, v3): a general query sent to a group address is
#                                  answered (RFC 3376 9.1 SHOULD ignore)
EXPECT_V3="gssq-exclude-answer=deviation query-no-router-alert-ignored=deviation gq-to-group-ignored=deviation"
EXPECT_V2="query-no-router-alert-ignored=deviation gq-to-group-ignored=deviation"
EXPECT_V1=""
URI=200 # the kernel's unsolicited report interval in these runs (ms; sysctl and --uri)

. "$src/tests/lib/netns.sh"
. "$src/tests/lib/conform.sh"
net_require "$build/tests/net_members"

tmp=$(mktemp -d)
MPID=
sock=$tmp/members.sock
stop_members() {
	if [ -n "$MPID" ]; then
		"$build/tests/net_members" --ctl "$sock" quit >/dev/null 2>&1
		kill "$MPID" 2>/dev/null
		wait "$MPID" 2>/dev/null
		MPID=
	fi
}
cleanup() {
	stop_members
	netns_cleanup
	rm -rf "$tmp"
}
trap cleanup EXIT
conform_need

# NS1 (ADDR1): the suite, playing the router; NS2 (ADDR2): the Linux kernel as host, driven by
# net_members --serve (one socket per group); the join hook talks to it over a unix socket.
netns_setup 2
trap cleanup EXIT
ip netns exec "$NS1" sysctl -qw net.ipv4.igmp_link_local_mcast_reports=0
ip netns exec "$NS2" sysctl -qw net.ipv4.igmp_link_local_mcast_reports=0 \
	net.ipv4.conf."$IF2".igmpv3_unsolicited_report_interval=$URI \
	net.ipv4.conf."$IF2".igmpv2_unsolicited_report_interval=$URI
start_members() {
	ip netns exec "$NS2" "$build/tests/net_members" --serve "$sock" "$IF2" >>"$tmp/members.out" 2>&1 &
	MPID=$!
	for _ in $(seq 1 50); do
		"$build/tests/net_members" --ctl "$sock" ping 2>/dev/null && return 0
		sleep 0.1
	done
	fail "net_members --serve did not come up: $(tail -c 300 "$tmp/members.out")"
}
hook="$build/tests/net_members --ctl $sock set {group} {mode} {sources}"

failed=0
for v in 3 2 1; do
	# force 0 for v3: forcing 3 is the same as 0 on Linux (docs/conform-host.md)
	ip netns exec "$NS2" sysctl -qw net.ipv4.conf."$IF2".force_igmp_version=$([ $v -eq 3 ] && echo 0 || echo $v)
	start_members
	conform_run "v$v" host --target "$ADDR2" -V $v --uri $URI --join-cmd "$hook"
	eval "expect=\$EXPECT_V$v"
	conform_judge "v$v" "$expect" host || failed=1
	stop_members
	# the kernel host must be left with no group the suite made it join (224.0.0.x aside)
	left=$(ip netns exec "$NS2" cat /proc/net/igmp | awk -v ifn="$IF2" '$2 == ifn {f = 1; next} /^[0-9]/ {f = 0} f && $1 !~ /0000E0$/ {print $1}')
	[ -z "$left" ] || { echo "FAIL: v$v: groups still joined after the run: $left"; failed=1; }
done

if [ $failed -ne 0 ]; then
	echo "--- net_members"
	tail -n 40 "$tmp/members.out"
	echo "0 passed, 1 failed"
	exit 1
fi
pass
