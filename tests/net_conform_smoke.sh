#!/usr/bin/env bash
# net_conform_smoke.sh - `ipv4kit conform` end to end against the Linux kernel in another namespace: H01 driven by a join hook (v3 and v2) and by --expect, the JSON verdict, the JUnit file's counts, the pcap that `ipv4kit decode` reads, the sysctl put back, and SIGINT letting the check in progress finish with every report written.
# usage: net_conform_smoke.sh TOOL SRCDIR THIRD_PARTY_PCAPS   (root; exits 77 without namespaces)
set -u
tool=${1:?usage: net_conform_smoke.sh TOOL SRCDIR THIRD_PARTY_PCAPS}
src=${2:?}
build=$(cd "$(dirname "$tool")/.." && pwd)
members=$build/tests/net_members
. "$src/tests/lib/netns.sh"
command -v python3 >/dev/null || skip "python3 is needed to read the JSON and the JUnit XML"
[ -x "$members" ] || skip "net_members is not built ($members)"

pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
check() { local name=$1; shift; if "$@"; then ok; else bad "$name"; fi; }

tmp=$(mktemp -d)
MPID= CPID=
cleanup() {
	exec 3>&- 2>/dev/null
	[ -n "$CPID" ] && kill "$CPID" 2>/dev/null
	[ -n "$MPID" ] && kill "$MPID" 2>/dev/null
	netns_cleanup
	rm -rf "$tmp"
}
trap cleanup EXIT

# NS1: the suite; NS2: the Linux kernel as the target host, its memberships held by net_members,
# which reads commands from a FIFO kept open on fd 3
netns_setup 2
trap cleanup EXIT
mkfifo "$tmp/cmd"
ip netns exec "$NS2" "$members" "$IF2" <"$tmp/cmd" >"$tmp/members.out" 2>&1 &
MPID=$!
exec 3>"$tmp/cmd"

# the join hook: MODE GROUP SOURCES -> one net_members command; waits for its answer (2 s at most)
cat >"$tmp/hook" <<EOF
#!/usr/bin/env bash
case "\$1" in
exclude) c="asm \$2" ;;
leave) c="leave \$2" ;;
*) echo "hook: mode \$1 not handled" >&2; exit 3 ;;
esac
n=\$(wc -l <"$tmp/members.out")
echo "\$c" >"$tmp/cmd"
for i in \$(seq 100); do [ "\$(wc -l <"$tmp/members.out")" -gt "\$n" ] && break; sleep 0.02; done
tail -1 "$tmp/members.out" | grep -qx "done \$c"
EOF
chmod +x "$tmp/hook"
ll_before=$(ip netns exec "$NS1" sysctl -n net.ipv4.igmp_link_local_mcast_reports)

# json_check FILE WANT_VERDICTS MAX_MS: the one check H01 has a verdict in WANT_VERDICTS (a|b),
# the summary agrees, a measured time within 0..MAX_MS when it passed, and the evidence path
json_check() {
	python3 - "$@" <<'EOF'
import json, sys
f, want, maxms = sys.argv[1], sys.argv[2].split("|"), float(sys.argv[3])
J = json.load(open(f))
C = J["checks"]
assert J["side"] == "host" and J["interrupted"] is False, J
assert [c["id"] for c in C] == ["H01"], C
c = C[0]
assert c["verdict"] in want, c
S = J["summary"]
assert S[c["verdict"]] == 1 and S["must_failed"] == 0 and S["run"] == (c["verdict"] != "skipped"), S
if c["verdict"] == "pass":
    assert 0 <= c["measured_ms"] <= maxms, c
    assert c["pcap"] and c["pcap"].endswith("/H01-gq-answer-in-time.pcap"), c
    assert "general query" in c["sent"] and "report" in c["seen"], c
else:
    assert c["pcap"] is None and c["measured_ms"] is None and "--join-cmd" in c["seen"], c
print(c["verdict"])
EOF
}

json_ok() { json_check "$@" >/dev/null 2>&1; }

# junit_check FILE VERDICT: one testsuite with the counts of one check of that verdict
junit_check() {
	python3 - "$@" <<'EOF'
import sys, xml.etree.ElementTree as E
r = E.parse(sys.argv[1]).getroot()
v = sys.argv[2]
assert r.tag == "testsuite" and r.get("name") == "ipv4kit.conform.host", r.attrib
assert (r.get("tests"), r.get("failures"), r.get("skipped")) == ("1", "0", "1" if v == "skipped" else "0"), r.attrib
float(r.get("time"))
tc = r.findall("testcase")
assert len(tc) == 1 and tc[0].get("classname") == "ipv4kit.conform.host" and tc[0].get("name") == "H01 gq-answer-in-time", [t.attrib for t in tc]
props = {p.get("name"): p.get("value") for p in tc[0].iter("property")}
assert props["verdict"] == v and props["level"] == "MUST", props
assert (tc[0].find("skipped") is not None) == (v == "skipped") and tc[0].find("failure") is None
EOF
}

# ---- 1. H01 through the join hook, IGMPv3 ----
ip netns exec "$NS1" "$tool" conform host -i "$IF1" --target "$ADDR2" --join-cmd "$tmp/hook {mode} {group} {sources}" \
	--only H01 --json --junit "$tmp/h1.xml" --pcap "$tmp/ev" >"$tmp/h1.json" 2>"$tmp/h1.err"
rc=$?
check "hook run exits 0 ($rc): $(tail -2 "$tmp/h1.err" | tr '\n' '|')" [ $rc -eq 0 ]
check "hook run: JSON verdict pass within 1300 ms: $(json_check "$tmp/h1.json" pass 1300 2>&1 | tail -1)" \
	json_ok "$tmp/h1.json" pass 1300
check "hook run: the JUnit file parses with 1 test, 0 failures, 0 skipped" junit_check "$tmp/h1.xml" pass
check "hook run: the table row on stderr says pass" grep -Eq '^H01 +MUST +pass ' "$tmp/h1.err"
check "the hook joined and left: $(tr '\n' '|' <"$tmp/members.out")" \
	[ "$(cat "$tmp/members.out")" = "$(printf 'done asm 239.1.0.0\ndone leave 239.1.0.0')" ]
pcap=$tmp/ev/H01-gq-answer-in-time.pcap
check "the pcap exists, nothing else in the directory" [ -s "$pcap" -a "$(ls "$tmp/ev" | wc -l)" -eq 1 ]
"$tool" decode "$pcap" >"$tmp/h1.txt" 2>&1
check "decode reads the pcap ($?)" [ $? -eq 0 ]
check "the pcap has our v3 general query: $(head -3 "$tmp/h1.txt" | tr '\n' '|')" \
	grep -q "$ADDR1 > 224.0.0.1: IGMP v3 query, max resp 1.0s" "$tmp/h1.txt"
check "the pcap has the kernel's v3 reports (answer and leave)" \
	[ "$(grep -c "$ADDR2 > 224.0.0.22: IGMP v3 report" "$tmp/h1.txt")" -ge 2 ]
check "the sysctl is back ($ll_before)" \
	[ "$(ip netns exec "$NS1" sysctl -n net.ipv4.igmp_link_local_mcast_reports)" = "$ll_before" ]

# ---- 2. --expect, no hooks: the kernel has joined 239.1.0.0 (H01's group) beforehand ----
echo "asm 239.1.0.0" >&3
for i in $(seq 100); do grep -q "^done asm 239.1.0.0$" <(sed -n 3p "$tmp/members.out") && break; sleep 0.02; done
ip netns exec "$NS1" "$tool" conform host -i "$IF1" --target "$ADDR2" --expect 239.1.0.0 --only H01 --quiet --json \
	--junit "$tmp/h2.xml" --pcap "$tmp/ev2" >"$tmp/h2.json" 2>"$tmp/h2.err"
rc=$?
# H01 answers from --expect once the host checks use it; until then it is skipped for want of a hook
v=$(json_check "$tmp/h2.json" "pass|skipped" 1300 2>&1 | tail -1)
check "--expect run exits 0 ($rc)" [ $rc -eq 0 ]
check "--expect run: JSON verdict pass (or skipped naming --join-cmd): $v" json_ok "$tmp/h2.json" "pass|skipped" 1300
check "--expect run: the JUnit counts match the verdict $v" junit_check "$tmp/h2.xml" "$v"
check "--quiet: only the summary line on stderr: $(tr '\n' '|' <"$tmp/h2.err")" \
	[ "$(wc -l <"$tmp/h2.err")" -eq 1 ] && grep -q "^ipv4kit conform host: .*no MUST check failed" "$tmp/h2.err"
echo "leave 239.1.0.0" >&3

# ---- 3. a host that does not join (a hook that does nothing): H01 fails, exit 1 ----
ip netns exec "$NS1" "$tool" conform host -i "$IF1" --target "$ADDR2" --join-cmd true --mrt 200 --only H01 \
	--junit "$tmp/f.xml" >"$tmp/f.txt" 2>&1
rc=$?
check "a MUST failed: exit 1 ($rc)" [ $rc -eq 1 ]
check "the table says fail and the summary names H01: $(tail -2 "$tmp/f.txt" | tr '\n' '|')" \
	grep -Eq '^H01 +MUST +fail +- +no report for 239.1.0.0 within 500 ms' "$tmp/f.txt" &&
	grep -q "1 MUST check failed: H01$" "$tmp/f.txt"
check "the JUnit file has the failure" python3 -c "
import sys, xml.etree.ElementTree as E
r = E.parse('$tmp/f.xml').getroot()
f = r.find('testcase/failure')
sys.exit(0 if r.get('failures') == '1' and f is not None and f.get('type') == 'MUST' and
         'no report for 239.1.0.0' in f.get('message') and 'expected: a report naming' in f.text else 1)"

# ---- 3b. a hook that hangs is killed after 10 s, with its children: the check is inconclusive ----
t0=$(date +%s)
ip netns exec "$NS1" "$tool" conform host -i "$IF1" --target "$ADDR2" --only H01 --json \
	--join-cmd "echo \$\$ >$tmp/hang.pid; sleep 60 & wait" >"$tmp/hang.json" 2>"$tmp/hang.err"
rc=$? t1=$(date +%s)
check "hanging hook: exit 0 ($rc) after 10 to 14 s ($((t1 - t0)) s)" [ $rc -eq 0 -a $((t1 - t0)) -ge 10 -a $((t1 - t0)) -le 14 ]
check "hanging hook: the message names it: $(head -3 "$tmp/hang.err" | tr '\n' '|')" \
	grep -q "^ipv4kit conform: --join-cmd did not finish within 10 s: killed" "$tmp/hang.err"
check "hanging hook: H01 inconclusive naming the hook" \
	grep -q '"verdict":"inconclusive",.*"seen":"the join hook failed for 239.1.0.0' "$tmp/hang.json"
sleep 0.2
check "hanging hook: its shell and the sleep it started are gone" \
	[ -s "$tmp/hang.pid" ] && ! kill -0 "$(cat "$tmp/hang.pid")" 2>/dev/null &&
	! pgrep -g "$(cat "$tmp/hang.pid")" >/dev/null

# ---- 4. SIGINT: the check in progress finishes, the reports are written ----
# the router suite against a target that never queries: with --query-interval 3000, R01 listens
# for 3000 + 3000/4 + 300 = 4050 ms; the signal comes after 1 s
ip netns exec "$NS1" "$tool" conform router -i "$IF1" --target "$ADDR2" --query-interval 3000 --json \
	--junit "$tmp/r.xml" --pcap "$tmp/evr" >"$tmp/r.json" 2>"$tmp/r.err" &
CPID=$!
sleep 1
kill -INT "$CPID"
wait "$CPID"
rc=$?
CPID=
check "interrupted router run exits 0 (no MUST failed) ($rc)" [ $rc -eq 0 ]
check "it said it stops after the check in progress" grep -q "stopping after the check in progress" "$tmp/r.err"
python3 - "$tmp/r.json" "$tmp/r.xml" <<'EOF' >"$tmp/r.py" 2>&1
import json, sys, xml.etree.ElementTree as E
J = json.load(open(sys.argv[1]))
assert J["side"] == "router" and J["interrupted"] is True, J
C = J["checks"]
r01 = C[0]
assert r01["id"] == "R01" and r01["verdict"] == "inconclusive" and r01["duration_s"] >= 3.8, r01
assert r01["pcap"] and r01["pcap"].endswith("/R01-gq-to-all-systems.pcap"), r01
for c in C[1:]:
    assert c["verdict"] == "skipped" and c["seen"].startswith("not run"), c
S = J["summary"]
assert S["run"] == 1 and S["inconclusive"] == 1 and S["skipped"] == len(C) - 1, S
x = E.parse(sys.argv[2]).getroot()
assert x.get("tests") == str(len(C)) and x.get("skipped") == str(len(C) - 1), x.attrib
print("ok")
EOF
check "interrupted run: R01 ran to its end, the rest not run: $(tail -1 "$tmp/r.py")" grep -qx ok "$tmp/r.py"
check "interrupted run: its pcap was written" [ -s "$tmp/evr/R01-gq-to-all-systems.pcap" ]

# ---- 5. H01 through the hook, IGMPv2 (last: the kernel stays in v2 compatibility a while) ----
ip netns exec "$NS1" "$tool" conform host -i "$IF1" --target "$ADDR2" -V 2 --mrt 2000 \
	--join-cmd "$tmp/hook {mode} {group} {sources}" --leave-cmd "$tmp/hook leave {group} && echo left {group} {mode} >$tmp/left" --only gq-answer-in-time --json --pcap "$tmp/ev4" >"$tmp/v2.json" 2>"$tmp/v2.err"
rc=$?
check "v2 run exits 0 ($rc)" [ $rc -eq 0 ]
check "v2 run: JSON verdict pass within 2300 ms: $(json_check "$tmp/v2.json" pass 2300 2>&1 | tail -1)" \
	json_ok "$tmp/v2.json" pass 2300
check "v2 run: the answer is a v2 report" grep -q '"seen":"v2 report 239.1.0.0' "$tmp/v2.json"
check "v2 run: --leave-cmd left the group: $(tail -1 "$tmp/members.out"), $(cat "$tmp/left" 2>&1)" \
	[ "$(tail -1 "$tmp/members.out")" = "done leave 239.1.0.0" -a "$(cat "$tmp/left" 2>&1)" = "left 239.1.0.0 leave" ]

echo "net_conform_smoke: $pass passed, $fail failed"
[ $fail -eq 0 ]
