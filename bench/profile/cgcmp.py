#!/usr/bin/env python3
# bench/profile/cgcmp.py TAG R1 R2 [TAG2]: per-request Ir over requests R1..R2 by category (TAG2: same for a second tag, side by side)
import os, sys, re, subprocess, collections
CG = os.environ.get('CG_DIR', '/tmp/svclab-cg')
def cats(path):
    out = subprocess.run(['callgrind_annotate', '--inclusive=no', '--threshold=100', path], capture_output=True, text=True).stdout
    c = collections.Counter(); total = 0
    for line in out.splitlines():
        m = re.match(r'\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*)', line)
        if not m: continue
        ir = int(m.group(1).replace(',', '')); fn = m.group(2)
        if 'PROGRAM TOTALS' in fn: total = ir; continue
        fn = re.sub(r'^\?\?\?:', '', fn).strip()
        if re.match(r'0x[0-9a-fA-F]+', fn): k = 'jit'
        elif 'Builtins_' in fn: k = 'builtins'
        elif 'compiler::' in fn or 'maglev' in fn.lower() or 'Turbofan' in fn: k = 'turbofan'
        elif 'Scaveng' in fn or 'Pretenuring' in fn or 'OnMoveEvent' in fn or 'RecordWrite' in fn or 'MinorMC' in fn or 'YoungGeneration' in fn or 'Semi' in fn: k = 'young-gc'
        elif 'MarkCompact' in fn or 'Marking' in fn or 'Sweep' in fn or 'Evacuat' in fn or 'Compactor' in fn: k = 'old-gc'
        else: k = 'other'
        c[k] += ir
    c['TOTAL'] = total
    return c
def window(tag, r1, r2):
    a = cats(f'{CG}/{tag}-{r1}.out'); b = cats(f'{CG}/{tag}-{r2}.out')
    return {k: (b[k] - a[k]) / (r2 - r1) for k in set(a) | set(b)}
tag, r1, r2 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
w = window(tag, r1, r2); w2 = window(sys.argv[4], r1, r2) if len(sys.argv) > 4 else None
for k in ['TOTAL', 'jit', 'builtins', 'turbofan', 'young-gc', 'old-gc', 'other']:
    print(f'{k:10s} {w.get(k,0)/1000:9.1f}k' + (f' {w2.get(k,0)/1000:9.1f}k  {(w2.get(k,0)-w.get(k,0))/1000:+8.1f}k' if w2 else ''))
