# conform.sh - sourced by the `ipv4kit conform` network tests: run one suite in $NS1 and judge its JSON, JUnit file and pcaps against the verdicts expected of a real peer.
#
#   . "$src/tests/lib/netns.sh"; . "$src/tests/lib/conform.sh"
#   conform_need                              # skip (77) when the tool has no conform command
#   conform_run NAME host|router ARGS...      # in $NS1: conform SIDE -i $IF1 ARGS --json --junit
#                                             # $tmp/NAME.xml --pcap $tmp/NAME.pcap > $tmp/NAME.json
#   conform_judge NAME "ID-or-name=verdict ..."   # every check named has that verdict (or one
#                                             # of "v1|v2" where the peer is measured to vary), every
#                                             # other one passed or was skipped with a reason;
#                                             # exit status, summary, JUnit and pcaps agree
# With CONFORM_ONLY=ID,ID,... (IDs, as given to --only) the run must hold exactly those checks;
# without it, the whole catalogue. Needs $tool, $tmp, $NS1, $IF1 and python3. conform_judge prints one summary line per run and,
# when something is wrong, "FAIL: ..." lines and the whole verdict table; it returns 0 or 1.

CONFORM_TIMEOUT=${CONFORM_TIMEOUT:-280} # seconds one suite run may take
CONFORM_RC=
CONFORM_SECS=

# conform_need: the tool must have the conform command (skip with the reason otherwise).
conform_need() {
	command -v python3 >/dev/null || skip "python3 is needed to read the suite's JSON and JUnit"
	"$tool" conform --list host >/dev/null 2>"$tmp/list.err" ||
		skip "'ipv4kit conform --list host' failed: $(head -c 200 "$tmp/list.err")"
}

# conform_run NAME SIDE ARGS...: one run of the suite in NS1, bounded by CONFORM_TIMEOUT.
conform_run() {
	local name=$1 side=$2 t0
	shift 2
	rm -rf "$tmp/$name.pcap" "$tmp/$name.xml" "$tmp/$name.json"
	mkdir -p "$tmp/$name.pcap"
	t0=$(date +%s.%N)
	ip netns exec "$NS1" timeout "$CONFORM_TIMEOUT" "$tool" conform "$side" -i "$IF1" "$@" --json \
		--junit "$tmp/$name.xml" --pcap "$tmp/$name.pcap" >"$tmp/$name.json" 2>"$tmp/$name.err"
	CONFORM_RC=$?
	CONFORM_SECS=$(python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$t0" "$(date +%s.%N)")
}

# conform_judge NAME EXPECT [SIDE]: judge the last conform_run of NAME. EXPECT lists "KEY=VERDICT"
# words (KEY a check ID or name; VERDICT one, or several as "fail|pass" where the peer was measured
# to give either): exactly those checks may end other than pass/skipped, and each must end as said. SIDE (default host) is the catalogue the JUnit count is compared with.
conform_judge() {
	python3 - "$tool" "$tmp/$1.json" "$tmp/$1.xml" "$tmp/$1.pcap" "$CONFORM_RC" "$CONFORM_SECS" "$1" "$2" "${3:-host}" \
		"$tmp/$1.err" <<'EOF'
import json, os, subprocess, sys
import xml.etree.ElementTree as ET
tool, jpath, xpath, pdir, rc, secs, name, spec, side, epath = sys.argv[1:]
rc = int(rc)
bad = []
def fail(msg): bad.append(msg)
expect = {}
for w in spec.split():
    k, _, v = w.partition('=')
    expect[k] = v
try:
    R = json.load(open(jpath))
except (OSError, ValueError) as e:
    print('FAIL: %s: the --json output does not parse (%s); exit status %d' % (name, e, rc))
    sys.stdout.write(open(epath, errors='replace').read()[-3000:])
    sys.exit(1)
C = R.get('checks', [])
S = R.get('summary', {})
V = ('pass', 'fail', 'deviation', 'inconclusive', 'skipped')
count = {v: sum(1 for c in C if c['verdict'] == v) for v in V}
ran = [c for c in C if c['verdict'] != 'skipped']
# the expected verdicts, by ID or name
seen_keys = set()
for c in C:
    want = None
    for k in (c['id'], c['name']):
        if k in expect:
            want = expect[k]
            seen_keys.add(k)
    if want is not None:
        if c['verdict'] not in want.split('|'):
            fail('%s %s: %s, expected %s' % (c['id'], c['name'], c['verdict'], want))
    elif c['verdict'] not in ('pass', 'skipped'):
        fail('%s %s: %s (not an expected departure)' % (c['id'], c['name'], c['verdict']))
    if c['verdict'] == 'skipped' and not c.get('seen'):
        fail('%s %s: skipped without a reason' % (c['id'], c['name']))
for k in expect:
    if k not in seen_keys:
        fail('expected check %s is not in the run (renamed? update the list at the top of the test)' % k)
# the summary and the exit status agree with the table
must_failed = sum(1 for c in C if c['verdict'] == 'fail' and c['level'] == 'MUST')
for k, v in (('run', len(ran)), ('pass', count['pass']), ('fail', count['fail']),
             ('deviation', count['deviation']), ('inconclusive', count['inconclusive']),
             ('skipped', count['skipped']), ('must_failed', must_failed)):
    if S.get(k) != v:
        fail('summary %s is %s, the table has %d' % (k, S.get(k), v))
if rc != (1 if must_failed else 0):
    fail('exit status %d with %d MUST checks failed' % (rc, must_failed))
if R.get('side') != side:
    fail('side is %r, not %r' % (R.get('side'), side))
# JUnit: one testcase per selected check
try:
    cases = ET.parse(xpath).getroot().iter('testcase')
    n = sum(1 for _ in cases)
    if n != len(C):
        fail('JUnit %s has %d testcases, the run selected %d checks' % (xpath, n, len(C)))
except (OSError, ET.ParseError) as e:
    fail('JUnit file does not parse: %s' % e)
only = [k for k in os.environ.get('CONFORM_ONLY', '').split(',') if k]
if only:
    if sorted(c['id'] for c in C) != sorted(only):
        fail('the run has checks %s, --only asked for %s' % (','.join(c['id'] for c in C), ','.join(only)))
else:
    lst = subprocess.run([tool, 'conform', '--list', side, '--json'], capture_output=True, text=True)
    try:
        L = json.loads(lst.stdout)
        L = L.get('checks', L) if isinstance(L, dict) else L
        if len(L) != len(C):
            fail('the run has %d checks, --list %s has %d (nothing was deselected)' % (len(C), side, len(L)))
    except ValueError:
        fail('conform --list %s --json does not parse: %s' % (side, lst.stderr[:200]))
# evidence: one pcap per check run, each readable by ipv4kit decode
files = sorted(os.listdir(pdir)) if os.path.isdir(pdir) else []
if len(files) != len(ran):
    fail('%d pcap files in --pcap DIR for %d checks run' % (len(files), len(ran)))
for c in ran:
    p = c.get('pcap') or ''
    if p and not os.path.isabs(p) and not os.path.exists(p):
        p = os.path.join(pdir, os.path.basename(p))
    if not p or not os.path.isfile(p):
        fail('%s: no pcap (%r)' % (c['id'], c.get('pcap')))
        continue
    d = subprocess.run([tool, 'decode', '-q', p], capture_output=True, text=True)
    if d.returncode != 0:
        fail('%s: ipv4kit decode %s: exit %d %s' % (c['id'], p, d.returncode, d.stderr[:200]))
print('%s: %d checks, %d run: %d pass, %d deviation, %d fail, %d inconclusive, %d skipped; exit %d; %s s'
      % (name, len(C), len(ran), count['pass'], count['deviation'], count['fail'], count['inconclusive'],
         count['skipped'], rc, secs))
for c in C:
    if c['id'] in expect or c['name'] in expect:
        print('  %s %s %s: %s' % (c['id'], c['name'], c['verdict'], c.get('seen', '')[:200]))
if bad:
    for b in bad:
        print('FAIL: %s: %s' % (name, b))
    print('--- %s: verdict table (%s, version %s, target %s)' % (name, R.get('side'), R.get('version'), R.get('target')))
    for c in C:
        print('%-4s %-34s %-6s %-12s %8s  %s' % (c['id'], c['name'][:34], c['level'], c['verdict'],
              '' if c.get('measured_ms') in (None, -1) else '%.0f' % c['measured_ms'], c.get('seen', '')[:160]))
        if c['verdict'] not in ('pass', 'skipped'):
            print('       sent: %s\n       expected: %s' % (c.get('sent', '')[:200], c.get('expected', '')[:200]))
    err = open(epath, errors='replace').read()
    if err:
        print('--- %s: stderr (last 2000 bytes)' % name)
        sys.stdout.write(err[-2000:])
sys.exit(1 if bad else 0)
EOF
}
