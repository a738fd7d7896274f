#!/usr/bin/env python3
# bench/profile/cgfn.py TAG R1 R2 [TAG2] [--top N]: per-request self Ir by function over requests R1..R2; JIT code named via the
# perf map (V8 --perf-basic-prof). With TAG2: both, and the difference, sorted by |difference|.
import os, sys, re, subprocess, collections, bisect
CG = os.environ.get('CG_DIR', '/tmp/svclab-cg')
args = [a for a in sys.argv[1:] if not a.startswith('--')]
top = 45
if '--top' in sys.argv: top = int(sys.argv[sys.argv.index('--top') + 1]); args = [a for a in args if a != str(top)]
def load_map(path):
    rows = []
    try:
        for line in open(path):
            p = line.rstrip('\n').split(' ', 2)
            if len(p) == 3: rows.append((int(p[0], 16), int(p[1], 16), p[2]))
    except FileNotFoundError: pass
    rows.sort(); return rows
def name_of(rows, starts, addr):
    i = bisect.bisect_right(starts, addr) - 1
    if i >= 0 and rows[i][0] <= addr < rows[i][0] + rows[i][1]:
        return re.sub(r'\s+file://\S*', '', rows[i][2]).replace('JS:', '')
    return None
def fns(tag, r):
    path = f'{CG}/{tag}-{r}.out'
    rows = load_map(f'{CG}/{tag}-{r}.map'); starts = [x[0] for x in rows]
    out = subprocess.run(['callgrind_annotate', '--inclusive=no', '--threshold=100', path], capture_output=True, text=True).stdout
    c = collections.Counter()
    for line in out.splitlines():
        m = re.match(r'\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*)', line)
        if not m: continue
        ir = int(m.group(1).replace(',', '')); fn = m.group(2).strip()
        if 'PROGRAM TOTALS' in fn: continue
        mm = re.search(r'0x([0-9a-fA-F]+)', fn)
        if fn.startswith('???') and mm:
            nm = name_of(rows, starts, int(mm.group(1), 16)); fn = nm or 'jit?'
        else:
            fn = re.sub(r'^[^:]*:', '', fn)[:110]
        c[fn] += ir
    return c
def window(tag, r1, r2):
    a, b = fns(tag, r1), fns(tag, r2)
    return {k: (b[k] - a[k]) / (r2 - r1) for k in set(a) | set(b)}
tag, r1, r2 = args[0], int(args[1]), int(args[2])
w = window(tag, r1, r2)
if len(args) > 3:
    w2 = window(args[3], r1, r2); keys = set(w) | set(w2)
    rows = sorted(keys, key=lambda k: -abs(w2.get(k, 0) - w.get(k, 0)))
    print(f'{"":>9} {"":>9} {"diff":>9}  total {sum(w.values())/1000:.1f}k -> {sum(w2.values())/1000:.1f}k')
    for k in rows[:top]: print(f'{w.get(k,0):9.0f} {w2.get(k,0):9.0f} {w2.get(k,0)-w.get(k,0):+9.0f}  {k}')
else:
    print(f'total {sum(w.values())/1000:.1f}k per request')
    for k in sorted(w, key=lambda k: -w[k])[:top]: print(f'{w[k]:9.0f}  {k}')
