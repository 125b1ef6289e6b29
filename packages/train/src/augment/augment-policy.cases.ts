import { defineCases, Random } from '@ulseg/kernels/testing';
import { GEOMETRIC_KINDS, stepKey, stepOf, type AugmentPlan, type SampleOp, type SampleOpKind } from './augment-plan.js';
import { DEFAULT_AUGMENT_POLICY, drawSampleOps, planAugmentation, resolveAugmentPolicy, type AugmentPolicyInput } from './augment-policy.js';

const SHAPE = { batch: 6, height: 37, width: 29 };

/** |rate − expected| within 5 standard deviations of a binomial proportion over `trials`. */
function assertRate(count: number, trials: number, expected: number, label: string): void {
  const rate = count / trials;
  const bound = 5 * Math.sqrt((expected * (1 - expected)) / trials) + 1e-9;
  if (!(Math.abs(rate - expected) <= bound)) throw new Error(`${label}: rate ${rate.toFixed(4)} vs ${expected.toFixed(4)} ± ${bound.toFixed(4)} over ${trials}`);
}

function draws(seed: number, count: number, options: AugmentPolicyInput = {}): SampleOp[][] {
  const random = new Random(seed);
  const policy = resolveAugmentPolicy(options);
  return Array.from({ length: count }, () => drawSampleOps(random, SHAPE, policy));
}

/** Kernel keys of the steps that change sample n, in order, must be the sample's own sequence. */
function assertScheduleKeepsOrder(plan: AugmentPlan): void {
  plan.samples.forEach((ops, n) => {
    const others = ops.filter((op) => !GEOMETRIC_KINDS.includes(op.kind)).map((op) => stepKey(stepOf(op, plan).kernel));
    const stepped = plan.steps.filter((step) => step.samples.includes(n) && !(step.kernel.family === 'warp' && step.kernel.field === 'affine')).map((step) => stepKey(step.kernel));
    if (others.join() !== stepped.join()) throw new Error(`sample ${n}: ops ${others} but steps ${stepped}`);
    const warps = plan.steps.filter((step) => step.samples.includes(n) && step.kernel.family === 'warp' && step.kernel.field === 'affine').length;
    const geometric = ops.filter((op) => GEOMETRIC_KINDS.includes(op.kind)).length;
    if (warps > geometric || (geometric > 0 && warps === 0)) throw new Error(`sample ${n}: ${geometric} geometric ops in ${warps} warp steps`);
    for (const step of plan.steps) {
      for (let m = 0; m < plan.batch; m++) {
        const enabled = step.table[m * step.stride] !== 0;
        if (enabled !== step.samples.includes(m)) throw new Error(`step ${stepKey(step.kernel)}: enabled flag of sample ${m} disagrees with its sample list`);
      }
    }
  });
}

export const augmentPolicyCases = defineCases('augment-policy', {
  'the same seed gives the same plan, another seed another one': async () => {
    const a = planAugmentation(new Random(42), SHAPE);
    const b = planAugmentation(new Random(42), SHAPE);
    const c = planAugmentation(new Random(43), SHAPE);
    if (JSON.stringify(a.samples) !== JSON.stringify(b.samples)) throw new Error('same seed, different ops');
    if (a.steps.length !== b.steps.length || a.steps.some((step, k) => step.table.join() !== b.steps[k]!.table.join())) throw new Error('same seed, different tables');
    if (JSON.stringify(a.samples) === JSON.stringify(c.samples)) throw new Error('different seeds, same ops');
  },
  'probabilities of ORIGINAL.md §3 over 4000 samples': async () => {
    const samples = draws(7, 4000);
    const has = (kind: SampleOpKind): number => samples.filter((ops) => ops.some((op) => op.kind === kind)).length;
    const n = samples.length;
    assertRate(has('horizontalFlip'), n, 0.3, 'h-flip');
    assertRate(has('verticalFlip'), n, 0.3, 'v-flip');
    assertRate(has('crop'), n, 0.5, 'crop');
    assertRate(has('affine'), n, 0.5, 'affine');
    // SomeOf((0, 5)) of 7: each child is picked with probability E[count]/7 = 2.5/7.
    const picked = 2.5 / 7;
    assertRate(has('sharpen'), n, picked, 'sharpen');
    assertRate(has('linearContrast'), n, picked, 'contrast');
    assertRate(has('gaussianNoise'), n, picked, 'noise');
    assertRate(has('piecewiseAffine'), n, picked * 0.5, 'piecewise (Sometimes 0.5)');
    assertRate(has('elastic'), n, picked * 0.5, 'elastic (Sometimes 0.5)');
    for (const kind of ['gaussianBlur', 'meanBlur', 'medianBlur'] as const) assertRate(has(kind), n, picked / 3, kind);
    for (const kind of ['pixelDropout', 'coarseDropout'] as const) assertRate(has(kind), n, picked / 2, kind);
    const enhancedCounts = samples.map((ops) => ops.filter((op) => !GEOMETRIC_KINDS.includes(op.kind)).length);
    if (Math.max(...enhancedCounts) > 5) throw new Error('more than 5 enhanced ops on a sample');
  },
  'drawn parameters stay in their ranges; no child twice; geometric ops first': async () => {
    const p = DEFAULT_AUGMENT_POLICY;
    const inside = (v: number, [low, high]: readonly [number, number], label: string): void => {
      if (!(v >= low && v <= high)) throw new Error(`${label} ${v} outside [${low}, ${high}]`);
    };
    for (const ops of draws(8, 1500)) {
      const kinds = ops.map((op) => op.kind);
      if (new Set(kinds).size !== kinds.length) throw new Error(`repeated op in ${kinds}`);
      const firstOther = kinds.findIndex((kind) => !GEOMETRIC_KINDS.includes(kind));
      if (firstOther >= 0 && kinds.slice(firstOther).some((kind) => GEOMETRIC_KINDS.includes(kind))) throw new Error(`geometric op late in ${kinds}`);
      for (const op of ops) {
        if (op.kind === 'crop') for (const [side, size] of [['top', 37], ['bottom', 37], ['left', 29], ['right', 29]] as const) inside(op.crop[side], [0, Math.round(0.05 * size)], side);
        if (op.kind === 'affine') {
          inside(op.parameters.scaleX, p.affine.scale, 'scaleX');
          inside(op.parameters.translateY / 37, p.affine.translatePercent, 'translateY');
          inside(op.parameters.rotate, p.affine.rotate, 'rotate');
          if (op.parameters.shearY !== op.parameters.shearX) throw new Error('shear y differs from shear x');
          if (!['nearest', 'bilinear'].includes(op.interpolation)) throw new Error(`affine interpolation ${op.interpolation}`);
          inside(op.fill, p.affine.fill, 'fill');
        }
        if (op.kind === 'sharpen') inside(op.lightness, p.sharpen.lightness, 'lightness');
        if (op.kind === 'piecewiseAffine') inside(op.rows, p.piecewiseAffine.rows, 'rows');
        if (op.kind === 'meanBlur') inside(op.k, p.blur.meanK, 'mean k');
        if (op.kind === 'medianBlur' && !p.blur.medianK.includes(op.k)) throw new Error(`median k ${op.k}`);
        if (op.kind === 'gaussianNoise') inside(op.sigma, p.gaussianNoise.sigma, 'noise sigma');
        if (op.kind === 'coarseDropout') inside(op.sizePercentX, p.dropout.coarseSizePercent, 'size percent');
        if (op.kind === 'elastic') inside(op.alpha, p.elastic.alpha, 'elastic alpha');
      }
    }
  },
  "order 'sample' varies the child order per sample; 'batch' keeps one order per batch": async () => {
    const before = (ops: readonly SampleOp[], a: SampleOpKind, b: SampleOpKind): boolean | undefined => {
      const i = ops.findIndex((op) => op.kind === a);
      const j = ops.findIndex((op) => op.kind === b);
      return i < 0 || j < 0 ? undefined : i < j;
    };
    const always = { horizontalFlip: { p: 1 }, crop: { p: 1 }, enhancedCount: [7, 7], piecewiseAffine: { p: 1 }, elastic: { p: 1 } } as const;
    const perSample = draws(9, 200, always).map((ops) => before(ops, 'horizontalFlip', 'crop'));
    if (!perSample.includes(true) || !perSample.includes(false)) throw new Error("order 'sample': flip and crop always in the same order");
    for (let seed = 0; seed < 20; seed++) {
      const plan = planAugmentation(new Random(seed), SHAPE, { ...always, order: 'batch', foldFlips: false });
      const orders = new Set(plan.samples.map((ops) => `${before(ops, 'horizontalFlip', 'crop')}|${before(ops, 'sharpen', 'gaussianNoise')}`));
      if (orders.size !== 1) throw new Error(`order 'batch' (seed ${seed}): ${[...orders]}`);
      assertScheduleKeepsOrder(plan);
      const others = plan.steps.filter((step) => step.kernel.family !== 'warp' || step.kernel.field !== 'affine').map((step) => stepKey(step.kernel));
      if (others.length !== new Set(others).size) throw new Error(`order 'batch': ${others.length} steps for ${new Set(others).size} kernels`);
    }
  },
  'schedules keep every sample in its own order; flips fold into warps; options apply': async () => {
    for (let seed = 0; seed < 30; seed++) assertScheduleKeepsOrder(planAugmentation(new Random(seed), { ...SHAPE, batch: 16 }));
    const onlyFlips = planAugmentation(new Random(1), SHAPE, { horizontalFlip: { p: 1 }, verticalFlip: { p: 1 }, crop: { p: 0 }, affine: { p: 0 }, enhancedCount: [0, 0] });
    if (onlyFlips.steps.length !== 1 || onlyFlips.samples.some((ops) => ops.length !== 2)) throw new Error('two flips per sample should fold into one warp step');
    const sharpenOnly = planAugmentation(new Random(2), SHAPE, { horizontalFlip: { p: 0 }, verticalFlip: { p: 0 }, crop: { p: 0 }, affine: { p: 0 }, enhanced: ['sharpen'], enhancedCount: [1, 1], sharpen: { alpha: [0.5, 0.5] } });
    if (sharpenOnly.steps.length !== 1 || sharpenOnly.samples.some((ops) => ops.length !== 1 || ops[0]!.kind !== 'sharpen' || ops[0]!.alpha !== 0.5)) throw new Error('a sharpen-only policy gave other ops');
    if (resolveAugmentPolicy({ affine: { p: 0.9 } }).affine.rotate !== DEFAULT_AUGMENT_POLICY.affine.rotate) throw new Error('partial options lost the defaults');
  },
});
