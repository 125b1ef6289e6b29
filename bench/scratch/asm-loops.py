#!/usr/bin/env python3
"""Loops (backward jumps) of one function of a lavapipe GALLIVM_DEBUG=asm dump made by bench/scratch/dump-kernel.ts,
smallest first, with the float math, the per-lane 4-byte loads/stores, bounds tests and stack moves inside each.
A loop's span includes the code of every branch inside it (both sides of an if on a uniform), so the executed path
is read off the listing (`--show START-END`). See docs/CPU_ADAPTERS.md.

Usage: python3 bench/scratch/asm-loops.py DUMP [FUNCTION=cs_co_variant] [LIMIT=40] [--show START-END]
"""
import re,sys
from collections import Counter
show=None
if '--show' in sys.argv:
    i=sys.argv.index('--show'); show=sys.argv[i+1]; del sys.argv[i:i+2]
path=sys.argv[1]; func=sys.argv[2] if len(sys.argv)>2 else 'cs_co_variant'
body=[];name=None;seen=False
for raw in open(path,errors='replace'):
    if raw.startswith('=== dump-kernel'): seen=True
    m=re.match(r'^([A-Za-z_][\w.]*):\s*$',raw)
    if m:
        if name==func and seen and body: break
        name=m.group(1); body=[]; continue
    m=re.match(r'^\s*([0-9a-f]+):\t(\S+)\s*(.*)$',raw.rstrip('\n'))
    if m and name==func: body.append((int(m.group(1),16),m.group(2),m.group(3)))
idx={a:i for i,(a,o,r) in enumerate(body)}
IND=re.compile(r'\(%r(?!sp|bp)[a-z0-9]*,%r[a-z0-9]+,4\)')
out=[]
for i,(a,o,r) in enumerate(body):
    if o.startswith('j') and re.fullmatch(r'-?\d+',r.strip()) and i+1<len(body):
        t=body[i+1][0]+int(r)
        if t<=a and t in idx:
            seg=body[idx[t]:i+1]
            c=Counter(op for _,op,_ in seg)
            out.append((len(seg),f'{t:x}-{a:x}: {len(seg)} instr, mul {c["vmulps"]} add {c["vaddps"]} fma {sum(v for k,v in c.items() if k.startswith("vfmadd"))}, indexed {sum(1 for _,_,x in seg if IND.search(x))}, jae {c["jae"]}, stack {sum(1 for _,op,x in seg if "(%rsp)" in x and op.startswith("vmov"))}, calls {sum(v for k,v in c.items() if k.startswith("call"))}, ret {c["retq"]}'))
for n,s in sorted(out)[:int(sys.argv[3]) if len(sys.argv)>3 else 40]: print(s)
if show:
    lo,hi=(int(v,16) for v in show.split('-'))
    for a,o,r in body:
        if lo<=a<=hi: print(f'{a:6x}:\t{o}\t{r}')
