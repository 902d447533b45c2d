# fragile.sh - sourced by the `ipv4kit fuzz` tests and benchmark after netns.sh and netns_setup:
# the fragile userspace IGMP stack of tests/net/fragile.c in $NS2 as a restartable target, and
# a query over the fuzzer's JSON report.
#
#   fragile_init FRAG TMP   # writes TMP/restart.sh; `TMP/restart.sh BUG` (re)starts FRAG --bug BUG
#                           # on $IF2 as a member of 239.1.2.3, its pid in TMP/pid
#   fragile_stop            # kills the running one (cleanup)
#   pyq FILE EXPR           # exit 0 when the Python expression EXPR over R (FILE's JSON) holds
#   check NAME CMD...       # "ok NAME" or "not ok NAME", counted for netns.sh's finish

fragile_init() {
	FRAGILE_TMP=$2
	cat >"$2/restart.sh" <<EOS
#!/usr/bin/env bash
[ -f "$2/pid" ] && kill "\$(cat "$2/pid")" 2>/dev/null
ip netns exec "$NS2" "$1" --bug "\$1" "$IF2" 239.1.2.3 >/dev/null 2>&1 &
echo \$! >"$2/pid"
EOS
	chmod +x "$2/restart.sh"
	ulimit -c 0 # the targets abort on purpose
}

fragile_stop() {
	[ -f "$FRAGILE_TMP/pid" ] && kill "$(cat "$FRAGILE_TMP/pid")" 2>/dev/null
	rm -f "$FRAGILE_TMP/pid"
}

pyq() {
	python3 - "$1" "$2" <<'EOS'
import json, sys
R = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)
EOS
}

check() {
	local name=$1
	shift
	if "$@"; then
		echo "ok $name"
		NET_PASSED=$((NET_PASSED + 1))
	else
		echo "not ok $name"
		NET_FAILED=$((NET_FAILED + 1))
		return 1
	fi
}
