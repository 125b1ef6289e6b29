/**
 * Whole training loops on the autograd: a composed net learns a toy task, GPU memory stays flat over 1,000 steps,
 * a training step is one submit, and the README's example runs as written. Node only, on lavapipe (the loops are
 * long; every op they use is also checked on every adapter by the *.cases.ts files).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Random } from '@ulseg/kernels/testing';
import { gpuFor } from '@ulseg/kernels/testing';
import { F, nn, optim, scope, Tensor } from './index.js';
import { trainTiny } from '../examples/train-tiny.js';

type Gpu = Tensor['gpu'];

/** conv → BN → Swish → SE → convT → head: every kind of layer the segmentation model has. */
class ComposedNet extends nn.Module {
  private readonly conv: nn.Conv2d;
  private readonly norm: nn.BatchNorm2d;
  private readonly reduce: nn.Conv2d;
  private readonly expand: nn.Conv2d;
  private readonly up: nn.ConvTranspose2d;
  private readonly head: nn.Conv2d;
  constructor(ctx: nn.InitContext) {
    super(ctx);
    this.conv = this.registerModule('conv', new nn.Conv2d(ctx.child('conv'), 1, 8, 3, { stride: 2, padding: [0, 1, 0, 1] }));
    this.norm = this.registerModule('norm', new nn.BatchNorm2d(ctx.child('norm'), 8));
    this.reduce = this.registerModule('reduce', new nn.Conv2d(ctx.child('reduce'), 8, 2, 1));
    this.expand = this.registerModule('expand', new nn.Conv2d(ctx.child('expand'), 2, 8, 1));
    this.up = this.registerModule('up', new nn.ConvTranspose2d(ctx.child('up'), 8, 4, 4, { stride: 2, padding: 1 }));
    this.head = this.registerModule('head', new nn.Conv2d(ctx.child('head'), 4, 1, 1));
  }
  forward(x: Tensor): Tensor {
    const y = F.silu(this.norm.forward(this.conv.forward(x)));
    const excitation = F.sigmoid(this.expand.forward(F.silu(this.reduce.forward(F.adaptiveAvgPool2d(y)))));
    return this.head.forward(F.relu(this.up.forward(F.channelMultiply(y, excitation))));
  }
}

/** Blurry discs on noise, and their masks. */
function toyBatch(gpu: Gpu, random: Random, n: number, size: number): { x: Tensor; t: Tensor } {
  const image = new Float32Array(n * size * size);
  const mask = new Float32Array(n * size * size);
  for (let sample = 0; sample < n; sample++) {
    const cx = random.uniform(5, size - 5);
    const cy = random.uniform(5, size - 5);
    const r = random.uniform(2.5, 5);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inside = (x - cx) ** 2 + (y - cy) ** 2 <= r * r ? 1 : 0;
        const index = sample * size * size + y * size + x;
        mask[index] = inside;
        image[index] = 0.2 + 0.6 * inside + 0.1 * random.normal();
      }
    }
  }
  return { x: Tensor.fromArray(gpu, image, [n, 1, size, size]), t: Tensor.fromArray(gpu, mask, [n, 1, size, size]) };
}

describe('training loops (lavapipe)', () => {
  it('a composed net (conv, BN, Swish, SE, convT) learns a toy segmentation task in 200 steps: Dice loss < 0.3', { timeout: 300_000 }, async () => {
    const gpu = await gpuFor('lavapipe');
    const random = new Random(11);
    const net = new ComposedNet(new nn.InitContext(gpu, random));
    const optimizer = new optim.Adam(net.parameters(), { learningRate: 2e-2 });
    const batches = Array.from({ length: 4 }, () => toyBatch(gpu, random, 8, 24));
    const losses: Promise<number>[] = [];
    for (let step = 0; step < 200; step++) {
      const { x, t } = batches[step % batches.length]!;
      const loss = scope(() => F.diceLoss(net.forward(x), t));
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      losses.push(loss.item().finally(() => loss.dispose()));
    }
    const values = await Promise.all(losses);
    const last = values.slice(-8).reduce((total, value) => total + value, 0) / 8;
    expect(values[0]).toBeGreaterThan(0.5);
    expect(last).toBeLessThan(0.3);
  });

  it('GPU memory stays flat over 1,000 training steps, and one step is one submit', { timeout: 600_000 }, async () => {
    const gpu = await gpuFor('lavapipe');
    const random = new Random(5);
    const net = new ComposedNet(new nn.InitContext(gpu, random));
    const optimizer = new optim.Adam(net.parameters(), { learningRate: 1e-3 });
    const { x, t } = toyBatch(gpu, random, 2, 16);
    const live: number[] = [];
    for (let step = 0; step < 1000; step++) {
      const submits = gpu.counters.submits;
      const loss = scope(() => F.diceLoss(net.forward(x), t));
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      if (step % 100 === 0) expect(gpu.counters.submits - submits, `submits recording step ${step}`).toBe(0);
      const value = await loss.item();
      expect(Number.isFinite(value)).toBe(true);
      loss.dispose();
      live.push(gpu.pool.stats().liveBytes);
    }
    const settled = live[2]!;
    expect(Math.max(...live.slice(2))).toBe(settled);
    expect(Math.min(...live.slice(2))).toBe(settled);
  });

  it("the README's example runs as written and its loss falls", { timeout: 300_000 }, async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const example = readFileSync(new URL('../examples/train-tiny.ts', import.meta.url), 'utf8').trim();
    expect(readme).toContain(example);
    const losses = await trainTiny(60);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.7);
  });
});
