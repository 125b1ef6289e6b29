/**
 * trace() and releaseAfterLastUse on a small eval network with a skip (conv+BN+SiLU fused, the fused SE, a
 * transposed conv, an add that reads an early activation late): what the trace records (ops, state names,
 * constants, shapes, multiply-adds), that a releasing run gives the same values bit for bit with a lower peak and
 * nothing left behind, and that a forward whose ops differ from the plan is refused. Node only, on lavapipe (the
 * ops themselves are checked on every adapter by the *.cases.ts files).
 */
import { describe, expect, it } from 'vitest';
import { Random } from '@ulseg/kernels/testing';
import { gpuFor, randomArray } from '@ulseg/kernels/testing';
import { F, nn, noGrad, opMacs, releaseAfterLastUse, releasePlan, scope, Tensor, trace, traceEval, tracedConvolution } from './index.js';


class SkipNet extends nn.Module {
  readonly conv: nn.Conv2d;
  readonly norm: nn.BatchNorm2d;
  readonly reduce: nn.Conv2d;
  readonly expand: nn.Conv2d;
  readonly middle: nn.Conv2d;
  readonly up: nn.ConvTranspose2d;
  constructor(ctx: nn.InitContext) {
    super(ctx);
    this.conv = this.registerModule('conv', new nn.Conv2d(ctx.child('conv'), 3, 10, 3, { stride: 2, padding: [0, 1, 0, 1], bias: false }));
    this.norm = this.registerModule('norm', new nn.BatchNorm2d(ctx.child('norm'), 10));
    this.reduce = this.registerModule('reduce', new nn.Conv2d(ctx.child('reduce'), 10, 3, 1));
    this.expand = this.registerModule('expand', new nn.Conv2d(ctx.child('expand'), 3, 10, 1));
    this.middle = this.registerModule('middle', new nn.Conv2d(ctx.child('middle'), 10, 10, 3, { padding: 1, groups: 10 }));
    this.up = this.registerModule('up', new nn.ConvTranspose2d(ctx.child('up'), 10, 5, 4, { stride: 2, padding: 1 }));
  }

  forward(x: Tensor): Tensor {
    const early = nn.convBatchNorm(this.conv, this.norm, x, 'silu');
    const gated = F.squeezeExcitation(early, this.reduce.weight, this.reduce.bias!, this.expand.weight, this.expand.bias!);
    let y = F.relu(this.middle.forward(gated));
    for (let i = 0; i < 4; i++) y = F.sigmoid(this.middle.forward(y));
    return this.up.forward(F.mulScalar(F.add(y, early), 0.5));
  }
}

describe('trace and releaseAfterLastUse', () => {
  it('records each op with its inputs by state_dict name, constants, shapes and multiply-adds', async () => {
    const gpu = await gpuFor('lavapipe');
    const net = new SkipNet(new nn.InitContext(gpu, new Random(5)));
    const traced = traceEval(net, gpu, [2, 3, 13, 11]);
    expect(net.training, 'modes restored').toBe(true);
    expect(traced.ops.map((op) => op.op)).toEqual([
      'convBatchNorm', 'squeezeExcitation', 'conv2d', 'relu',
      'conv2d', 'sigmoid', 'conv2d', 'sigmoid', 'conv2d', 'sigmoid', 'conv2d', 'sigmoid',
      'add', 'mul', 'convTranspose2d',
    ]);
    const [fused, se] = traced.ops;
    expect(fused!.inputs.map((value) => (value.kind === 'state' ? value.name : value.kind))).toEqual(['input', 'conv.weight', 'norm.weight', 'norm.bias', 'norm.running_mean', 'norm.running_var']);
    expect(fused!.shape).toEqual([2, 10, 6, 5]);
    expect(se!.inputs[0]).toEqual({ kind: 'op', op: 0, shape: [2, 10, 6, 5] });
    const add = traced.ops[12]!;
    expect(add.inputs.map((value) => (value.kind === 'op' ? value.op : value.kind))).toEqual([11, 0]);
    const scale = traced.ops[13]!.inputs[1]!;
    expect(scale.kind).toBe('constant');
    if (scale.kind === 'constant') expect([...(await scale.tensor.toArray())]).toEqual([0.5]);
    expect(traced.outputs).toEqual([{ kind: 'op', op: 14, shape: [2, 5, 12, 10] }]);
    expect(tracedConvolution(fused!)).toMatchObject({ transposed: false, weight: 'conv.weight', inChannels: 3, outChannels: 10, groups: 1, kernel: [3, 3], stride: [2, 2] });
    expect(tracedConvolution(traced.ops[4]!)).toMatchObject({ groups: 10, kernel: [3, 3], stride: [1, 1] });
    expect(tracedConvolution(traced.ops[14]!)).toMatchObject({ transposed: true, inChannels: 10, outChannels: 5 });
    expect(tracedConvolution(add)).toBeUndefined();
    // conv: N·Cout·Ho·Wo·Cin·k² ; SE: N·2·C·R ; depthwise: N·C·H·W·9 ; transposed: N·Cin·H·W·Cout·16
    expect(traced.ops.map(opMacs)).toEqual([
      2 * 10 * 6 * 5 * 3 * 9, 2 * 2 * 10 * 3, 2 * 10 * 6 * 5 * 9, 0,
      2 * 10 * 6 * 5 * 9, 0, 2 * 10 * 6 * 5 * 9, 0, 2 * 10 * 6 * 5 * 9, 0, 2 * 10 * 6 * 5 * 9, 0,
      0, 0, 2 * 10 * 6 * 5 * 5 * 16,
    ]);
    traced.dispose();
    net.dispose();
  });

  it('frees each activation after its last consumer: same values bit for bit, lower peak, nothing left behind; refuses other ops', async () => {
    const gpu = await gpuFor('lavapipe');
    const net = new SkipNet(new nn.InitContext(gpu, new Random(6))).eval();
    const random = new Random(7);
    const x = Tensor.fromArray(gpu, randomArray(random, 3 * 3 * 33 * 31), [3, 3, 33, 31]).keep();
    const plan = releasePlan(traceEval(net, gpu, [1, 3, 9, 7]));
    expect(plan.release.flat().sort((a, b) => a - b)).toEqual([...Array(14).keys()]);
    expect(plan.release[12], 'the early activation goes after the add that reads it last').toContain(0);
    const peak = async (run: () => Tensor): Promise<{ values: Float32Array; peak: number; leftover: number }> => {
      await gpu.sync();
      const live = gpu.pool.stats().liveBytes;
      gpu.pool.resetPeak();
      const y = run();
      const values = await y.toArray();
      const stats = gpu.pool.stats();
      y.dispose();
      return { values, peak: stats.peakLiveBytes - live, leftover: gpu.pool.stats().liveBytes - live };
    };
    const full = await peak(() => noGrad(() => scope(() => net.forward(x))));
    const lean = await peak(() => scope(() => releaseAfterLastUse(plan, () => net.forward(x))));
    expect(Buffer.from(lean.values.buffer).equals(Buffer.from(full.values.buffer))).toBe(true);
    expect(lean.leftover).toBe(0);
    expect(lean.peak).toBeLessThan(0.7 * full.peak);
    expect(() => noGrad(() => scope(() => releaseAfterLastUse(plan, () => F.relu(x))))).toThrow(/op 0 is relu on \[3, 3, 33, 31\], where the plan has convBatchNorm with 6 inputs/);
    expect(() => trace([x], [], () => trace([x], [], () => F.relu(x)))).toThrow(/do not nest/);
    x.dispose();
    net.dispose();
  });
});
