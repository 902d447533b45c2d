#!/usr/bin/env bash
# conform_cli.sh - `ipv4kit conform` without a network: the catalogue (--list, text and JSON, every entry with id, level, rfc and requirement), usage errors that exit 2 naming the problem, and setup errors that exit 3.
# usage: conform_cli.sh TOOL SRCDIR [SHARED_PCAPS]
set -u
tool=${1:?usage: conform_cli.sh TOOL SRCDIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
check() { local name=$1; shift; if "$@"; then ok; else bad "$name"; fi; }

# usage MESSAGE_REGEX ARGS...: exit 2, two lines on stderr ("ipv4kit conform: ..." matching
# MESSAGE_REGEX, then the hint), nothing on stdout
usage() {
	local re=$1 rc
	shift
	"$tool" conform "$@" >"$tmp/o" 2>"$tmp/e"
	rc=$?
	if [ $rc -ne 2 ] || [ "$(wc -l <"$tmp/e")" -ne 2 ] || [ -s "$tmp/o" ] ||
		! head -1 "$tmp/e" | grep -Eq "^ipv4kit conform: .*$re" ||
		[ "$(sed -n 2p "$tmp/e")" != "try 'ipv4kit conform --help'" ]; then
		bad "usage error for 'conform $*' (rc $rc): $(tr '\n' '|' <"$tmp/e")"
	else
		ok
	fi
}

# ---- help and the command list ----
"$tool" conform --help >"$tmp/help"
check "--help exits 0 and shows the three forms" \
	[ $? -eq 0 -a "$(grep -c '^ *\(usage: \)\?ipv4kit conform \(host\|router\|--list\)' "$tmp/help")" -eq 3 ]
check "ipv4kit --help lists conform" grep -q '^  conform ' <("$tool" --help)

# ---- --list ----
"$tool" conform --list --json >"$tmp/all.json"
check "--list --json exits 0" [ $? -eq 0 ]
"$tool" conform --list host --json >"$tmp/host.json"
"$tool" conform --list router --json >"$tmp/router.json"
"$tool" conform --list host >"$tmp/host.txt"
check "--list host exits 0" [ $? -eq 0 ]
"$tool" conform --list router >"$tmp/router.txt"
"$tool" conform router --list >"$tmp/router2.txt"
check "the side may come before --list" cmp -s "$tmp/router.txt" "$tmp/router2.txt"
"$tool" conform --list >"$tmp/all.txt"
if command -v python3 >/dev/null; then
	python3 - "$tmp" <<'EOF' >"$tmp/py" 2>&1
import json, re, sys
d = sys.argv[1]
A = json.load(open(d + "/all.json"))
H = json.load(open(d + "/host.json"))
R = json.load(open(d + "/router.json"))
def fail(m):
    print("FAIL: " + m)
ok = 0
if not (isinstance(A, list) and A == H + R):
    fail("--list --json is not the host checks followed by the router checks")
if not H or not R:
    fail("a side has no checks: %d host, %d router" % (len(H), len(R)))
ids = set()
for side, L, p in (("host", H, "H"), ("router", R, "R")):
    for c in L:
        for k in ("id", "name", "side", "level", "negative", "versions", "rfc", "requirement"):
            if k not in c:
                fail("%s lacks %s" % (c.get("id"), k))
        if not re.fullmatch(p + r"\d\d", c["id"]):
            fail("%s check id %r" % (side, c["id"]))
        if c["side"] != side or c["level"] not in ("MUST", "SHOULD", "MAY"):
            fail("%s: side %r level %r" % (c["id"], c["side"], c["level"]))
        if not c["rfc"].startswith("RFC ") or len(c["requirement"]) < 20 or not c["name"]:
            fail("%s: rfc %r requirement %r" % (c["id"], c["rfc"], c["requirement"]))
        if not c["versions"] or any(v not in (1, 2, 3) for v in c["versions"]):
            fail("%s: versions %r" % (c["id"], c["versions"]))
        if not isinstance(c["negative"], bool):
            fail("%s: negative %r" % (c["id"], c["negative"]))
        if c["id"] in ids:
            fail("duplicate id " + c["id"])
        ids.add(c["id"])
    # the text list: a header, then one row per check in the same order, with level and RFC
    rows = [l.split() for l in open(d + "/%s.txt" % side).read().splitlines()[1:]]
    if [r[0] for r in rows] != [c["id"] for c in L]:
        fail("--list %s text rows %r" % (side, [r[0] for r in rows]))
    for r, c in zip(rows, L):
        if r[1] != c["level"] or r[2] != ("N" if c["negative"] else "-"):
            fail("--list %s text row %r" % (side, r))
txt = open(d + "/all.txt").read()
if not ("host checks (%d):" % len(H) in txt and "router checks (%d):" % len(R) in txt):
    fail("--list without a side does not show both")
print("checked %d checks" % len(A))
EOF
	check "--list output: $(grep -v '^checked' "$tmp/py" | head -5 | tr '\n' '|')" grep -q '^checked' "$tmp/py"
	check "--list output: $(grep FAIL "$tmp/py" | head -5 | tr '\n' '|')" [ "$(grep -c FAIL "$tmp/py")" -eq 0 ]
fi

# ---- usage errors: exit 2, the message names the problem ----
t="-i lo --target 198.18.0.2"
usage "no side given" 
usage "no side given" -i lo --target 198.18.0.2
usage "unexpected argument 'switch' \(host or router\)" switch -i lo
usage "unexpected argument 'router'" host router
usage "no interface given \(-i IFACE\)" host --target 198.18.0.2
usage "no target given \(--target ADDR\)" host -i lo
usage "no target given \(--target ADDR\)" router -i lo
usage "-V: '4' is not a number from 1 to 3" host $t -V 4
usage "-V: 'x' is not a number from 1 to 3" router $t -V x
usage "--only: no host check named 'H99' \(--list shows them\)" host $t --only H01,H99
usage "--only: no router check named 'H01'" router $t --only H01
usage "--skip: no host check named 'nope'" host $t --skip nope
usage "--target: '198.18.0' is not a unicast IPv4 address" host -i lo --target 198.18.0
usage "--target: '239.1.1.1' is not a unicast IPv4 address" host -i lo --target 239.1.1.1
usage "--target: '0.0.0.0' is not a unicast IPv4 address" router -i lo --target 0.0.0.0
usage "--source: '224.0.0.1' is not a unicast IPv4 address or 0.0.0.0" host $t --source 224.0.0.1
usage "--source: the router suite's hosts need a unicast address, not 0.0.0.0" router $t --source 0.0.0.0
usage "unknown option '--bogus'" host $t --bogus
usage "option '--join-cmd' needs a value" host $t --join-cmd
usage "--join-cmd applies to 'conform host' only" router $t --join-cmd true
usage "--expect applies to 'conform host' only" router $t --expect 239.1.1.1
usage "--state-cmd applies to 'conform router' only" host $t --state-cmd true
usage "--query-interval applies to 'conform router' only" host $t --query-interval 5000
usage "--expect '239.1.1.300': column 1: bad group address" host $t --expect 239.1.1.300
usage "--expect '198.18.0.9': column 1: 198.18.0.9 is not a multicast group" host $t --expect 198.18.0.9
usage "--expect '232.1.1.1@1.2.3,4.5.6.7': column 11: bad source address '1.2.3'" host $t --expect 232.1.1.1@1.2.3,4.5.6.7
usage "--expect '232.1.1.1@.*': more than 8 sources" host $t \
	--expect 232.1.1.1@1.0.0.1,1.0.0.2,1.0.0.3,1.0.0.4,1.0.0.5,1.0.0.6,1.0.0.7,1.0.0.8,1.0.0.9
usage "--expect is for a target without hooks" host $t --join-cmd true --expect 239.1.1.1
usage "--leave-cmd needs --join-cmd" host $t --leave-cmd true
usage "--mrt: '50' is not a number from 100 to 3174400" host $t --mrt 50
usage "--mrt: 30000 ms does not fit an IGMPv2 query" host $t -V 2 --mrt 30000
usage "--slack: '60001' is not a number from 0 to 60000" host $t --slack 60001
usage "--robustness: '8' is not a number from 1 to 7" router $t --robustness 8
usage "--mac-dst: '02:00' is not a MAC address" host $t --mac-dst 02:00
usage "--list takes only a side" --list --only H01
usage "--list takes only a side" --list host -i lo

# ---- setup errors: exit 3, naming the interface ----
"$tool" conform host -i ipk-no-such0 --target 198.18.0.2 >"$tmp/o" 2>"$tmp/e"
rc=$?
check "unknown interface: exit 3 ($rc) naming it: $(head -1 "$tmp/e")" \
	[ $rc -eq 3 -a ! -s "$tmp/o" ] && grep -q "^ipv4kit conform: -i: unknown interface 'ipk-no-such0'" "$tmp/e"
# an interface without an IPv4 address and no --source (a dummy interface in a namespace, when
# there is one to make)
if [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null && ip netns add "ipk-$$-cc" 2>/dev/null; then
	ip -n "ipk-$$-cc" link add d0 type dummy 2>/dev/null && ip -n "ipk-$$-cc" link set d0 up
	ip netns exec "ipk-$$-cc" "$tool" conform host -i d0 --target 198.18.0.2 >"$tmp/o" 2>"$tmp/e"
	rc=$?
	ip netns del "ipk-$$-cc"
	check "interface without an address: exit 3 ($rc): $(head -1 "$tmp/e")" \
		[ $rc -eq 3 ] && grep -q "d0 has no IPv4 address: give the suite's with --source ADDR" "$tmp/e"
fi

echo "conform_cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
