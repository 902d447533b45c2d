# qstate.py - wait for (or hold) a Python expression over the state JSON of `ipv4kit querier`: the net_querier*.sh tests share it.
# usage: qstate.py wait|hold SECONDS EXPR STATE.json   (S: the state; G(group), SRC(group, source), names())
# wait: exit 0 as soon as EXPR holds; hold: exit 0 if EXPR held the whole time; else 1 with the last state.
import json, sys, time
mode, T, expr, path = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
t0 = time.time(); S = None
def G(a): return {g['group']: g for g in S['groups']}.get(a)
def SRC(a, s):
    g = G(a)
    return None if g is None else {x['source']: x for x in g['sources']}.get(s)
def names(): return sorted(g['group'] for g in S['groups'])
while True:
    try:
        S = json.load(open(path))
        v = eval("(" + expr + "\n)")
    except (OSError, ValueError, KeyError, TypeError):
        v = None
    if mode == 'wait' and v:
        sys.exit(0)
    if mode == 'hold' and v is not None and not v:
        break
    if time.time() - t0 > T:
        if mode == 'hold' and v:
            sys.exit(0)
        break
    time.sleep(0.03)
sys.stderr.write('  expression: %s\n  state: %s\n' % (expr, json.dumps(S)[:1500]))
sys.exit(1)
