#!/usr/bin/env python3
"""Counts, per compute-shader function of a lavapipe GALLIVM_DEBUG=asm dump, what docs/CPU_ADAPTERS.md reads off it.

Usage: python3 bench/scratch/asm-profile.py DUMP...   (dumps made by bench/scratch/dump-kernel.ts)
Columns: instructions; vmulps / vaddps (lavapipe lowers every ffma to fmul + fadd, so an FMA of the WGSL is two);
vfmadd* (none expected); per-lane scalar loads and stores of storage/workgroup memory (an indexed 4-byte access,
one per lane and component: the per-lane loop, unrolled); bounds tests (cmp + jae against the binding's size);
binding-descriptor reloads; vector gathers; stack moves (register spills); whether the shader has a barrier
(a `.resume` function: the coroutine is split at every barrier).
"""
import re, sys
from collections import Counter

def functions(path):
    name, body = None, []
    seen = False
    for raw in open(path, errors='replace'):
        if raw.startswith('=== dump-kernel'): seen = True
        m = re.match(r'^([A-Za-z_][\w.]*):\s*$', raw)
        if m:
            if name and seen: yield name, body
            name, body = m.group(1), []
            continue
        m = re.match(r'^\s*([0-9a-f]+):\t(\S+)\s*(.*)$', raw.rstrip('\n'))
        if m and name: body.append((int(m.group(1), 16), m.group(2), m.group(3)))
    if name and seen: yield name, body

INDEXED = re.compile(r'\(%r(?!sp|bp)[a-z0-9]*,%r[a-z0-9]+,4\)')
print('| dump | function | instructions | vmulps | vaddps | vfmadd | per-lane 4-byte loads/stores | bounds tests (jae) | descriptor reloads | gathers | stack moves |')
print('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
for path in sys.argv[1:]:
    for name, body in functions(path):
        if not name.startswith('cs_'): continue
        ops = Counter(op for _, op, _ in body)
        indexed = sum(1 for _, op, rest in body if INDEXED.search(rest))
        reloads = sum(1 for _, op, rest in body if re.match(r'\(%r1[2-5]\), %r', rest) or re.match(r'\d+\(%rax\), %r', rest) and op in ('movq',))
        stack = sum(1 for _, op, rest in body if '(%rsp)' in rest and op.startswith('vmov'))
        print(f"| {path.split('/')[-1].removesuffix('.txt')} | {name} | {len(body)} | {ops['vmulps']} | {ops['vaddps']} | "
              f"{sum(v for k, v in ops.items() if k.startswith('vfmadd'))} | {indexed} | {ops['jae']} | {reloads} | "
              f"{sum(v for k, v in ops.items() if 'gather' in k)} | {stack} |")
