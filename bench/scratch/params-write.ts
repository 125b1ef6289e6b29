/*
 * Scratch: cost of writing one dispatch's uniforms, the removed positional writer (copied here) against
 * paramsStruct's schema writer, for the convolution forward's Params (20 geometry words + flags) and a flat kernel's
 * {count, start}. Alternates the two in rounds; prints the median ns per write. Not a test.
 *   bench/scratch/run.sh bench/scratch/params-write.ts [rounds]
 */
import { CONV2D_PARAMS } from '../../packages/kernels/src/ops/conv2d/conv2d.wgsl.js';
import { convGeometry, geometryValues } from '../../packages/kernels/src/ops/conv2d/conv2d-geometry.js';
import { FLAT_PARAMS } from '../../packages/kernels/src/runtime/flat.js';

class PositionalWriter {
  private readonly view: DataView;
  private readonly bytes: ArrayBuffer;
  private cursor = 0;
  constructor(byteLength: number) {
    this.bytes = new ArrayBuffer(Math.ceil(byteLength / 16) * 16);
    this.view = new DataView(this.bytes);
  }
  u32(value: number): this {
    this.view.setUint32(this.cursor, value >>> 0, true);
    this.cursor += 4;
    return this;
  }
  finish(): ArrayBuffer {
    return this.bytes;
  }
}

const g = convGeometry('conv2d', [1, 32, 65, 67], [48, 32, 3, 3], { stride: 2, padding: 1 });
const positionalConv = (flags: number): ArrayBuffer =>
  new PositionalWriter(96)
    .u32(g.N).u32(g.C).u32(g.H).u32(g.W).u32(g.Cout).u32(g.OH).u32(g.OW).u32(g.groups).u32(g.KH).u32(g.KW)
    .u32(g.sh).u32(g.sw).u32(g.dh).u32(g.dw).u32(g.pt).u32(g.pl).u32(g.Cig).u32(g.Cog).u32(g.KH * g.KW).u32(g.OH * g.OW)
    .u32(flags).finish();
const schemaConv = (flags: number): ArrayBuffer => CONV2D_PARAMS.write(geometryValues(g, { flags }));
const positionalFlat = (start: number): ArrayBuffer => new PositionalWriter(8).u32(1031).u32(start).finish();
const schemaFlat = (start: number): ArrayBuffer => FLAT_PARAMS.write({ count: 1031, start });

for (const [a, b] of [[positionalConv, schemaConv], [positionalFlat, schemaFlat]] as const) {
  if (Buffer.compare(Buffer.from(a(5)), Buffer.from(b(5))) !== 0) throw new Error('the two writers disagree');
}
const rounds = Number(process.argv[2] ?? 15);
const perRound = 100_000;
const time = (write: (value: number) => ArrayBuffer): number => {
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < perRound; i++) sink += write(i & 7).byteLength;
  const ns = ((performance.now() - t0) * 1e6) / perRound;
  if (sink === 0) throw new Error('unreachable');
  return ns;
};
const samples: Record<string, number[]> = { positionalConv: [], schemaConv: [], positionalFlat: [], schemaFlat: [] };
for (let round = 0; round < rounds; round++) {
  samples.positionalConv!.push(time(positionalConv));
  samples.schemaConv!.push(time(schemaConv));
  samples.positionalFlat!.push(time(positionalFlat));
  samples.schemaFlat!.push(time(schemaFlat));
}
const median = (values: number[]): number => values.sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
console.log(JSON.stringify(Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, Number(median(values).toFixed(1))]))));
