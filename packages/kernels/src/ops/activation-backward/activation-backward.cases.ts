import {
  assertClose,
  defineCases,
  expectError,
  numericalGradient,
  poisoned,
  poisonedWindow,
  randomArray,
  uploadWindow,
  weightedSum,
} from '../../testing/index.js';
import type { FlatVariant } from '../../runtime/flat.js';
import { unaryReference } from '../unary/unary.reference.js';
import { activationBackward, ACTIVATION_BACKWARD_OPS, type ActivationBackwardOp } from './activation-backward.js';
import { activationBackwardReference } from './activation-backward.reference.js';

/** sigmoid and silu are checked out to |x| = 80, where σ(−x) ≈ 1.8e-35 is still a normal float32. */
const RANGE: Record<ActivationBackwardOp, number> = { relu: 1, sigmoid: 80, silu: 80 };

export const activationBackwardCases = defineCases('activation-backward', {
  ...Object.fromEntries(
    ACTIVATION_BACKWARD_OPS.map((op) => [
      `${op}: dx matches the float64 derivative on [3, 5, 7, 9]`,
      async ({ gpu, random }) => {
        const shape = [3, 5, 7, 9];
        const x = randomArray(random, 945, { low: -RANGE[op], high: RANGE[op] });
        const dy = randomArray(random, 945);
        const dx = activationBackward(gpu, op, gpu.upload(x, shape), gpu.upload(dy, shape), poisoned(gpu, shape));
        assertClose(await gpu.read(dx), activationBackwardReference(op, x, dy), 'elementwise', `${op}Backward`);
      },
    ]),
  ),
  ...Object.fromEntries(
    ACTIVATION_BACKWARD_OPS.map((op) => [
      `${op}: dx matches float64 finite differences of the forward on [2, 3, 5]`,
      async ({ gpu, random }) => {
        const shape = [2, 3, 5];
        const x = randomArray(random, 30, { low: -6, high: 6, minMagnitude: 0.05 });
        const dy = randomArray(random, 30);
        const numeric = numericalGradient((point) => weightedSum(unaryReference(op, point), dy), x);
        const dx = activationBackward(gpu, op, gpu.upload(x, shape), gpu.upload(dy, shape), poisoned(gpu, shape));
        assertClose(await gpu.read(dx), numeric, 'finiteDifference', `${op}Backward vs finite differences`);
      },
    ]),
  ),
  ...Object.fromEntries(
    (['vec4', 'scalar'] as FlatVariant[]).map((variant) => [
      `every op, ${variant} layout, at an offset: 6, 7 and 945 elements (vec4 + tail), 3 (tail only), 144 (vec4 only)`,
      async ({ gpu, random }) => {
        for (const op of ACTIVATION_BACKWARD_OPS) {
          for (const shape of [[2, 3], [7], [3, 5, 7, 9], [3], [2, 3, 4, 6]]) {
            const count = shape.reduce((product, size) => product * size, 1);
            const x = randomArray(random, count, { low: -RANGE[op], high: RANGE[op] });
            const dy = randomArray(random, count);
            const out = poisonedWindow(gpu, shape);
            const dx = activationBackward(gpu, op, uploadWindow(gpu, x, shape), uploadWindow(gpu, dy, shape), out.view, variant);
            assertClose(await gpu.read(dx), activationBackwardReference(op, x, dy), 'elementwise', `${op}Backward ${variant} [${shape}]`);
            await out.assertOutsideUntouched(`${op}Backward ${variant} [${shape}]`);
          }
        }
      },
    ]),
  ),
  ...Object.fromEntries(
    (['vec4', 'scalar'] as FlatVariant[]).map((variant) => [
      `every op, ${variant} layout: dx matches float64 finite differences on [2, 3, 5]`,
      async ({ gpu, random }) => {
        for (const op of ACTIVATION_BACKWARD_OPS) {
          const x = randomArray(random, 30, { low: -6, high: 6, minMagnitude: 0.05 });
          const dy = randomArray(random, 30);
          const numeric = numericalGradient((point) => weightedSum(unaryReference(op, point), dy), x);
          const dx = activationBackward(gpu, op, gpu.upload(x, [2, 3, 5]), gpu.upload(dy, [2, 3, 5]), poisoned(gpu, [2, 3, 5]), variant);
          assertClose(await gpu.read(dx), numeric, 'finiteDifference', `${op}Backward ${variant} vs finite differences`);
        }
      },
    ]),
  ),
  'sigmoid and silu derivatives keep their relative precision at |x| up to 80 (each element)': async ({ gpu }) => {
    const x = Float32Array.from([-80, -60, -40, -17, -1e-3, 0, 1e-3, 17, 40, 60, 80]);
    const dy = Float32Array.from(x, (_, i) => (i % 2 === 0 ? 1 : -0.5));
    for (const op of ['sigmoid', 'silu'] as const) {
      const got = await gpu.read(activationBackward(gpu, op, gpu.upload(x), gpu.upload(dy), poisoned(gpu, [x.length])));
      const want = activationBackwardReference(op, x, dy);
      for (let i = 0; i < x.length; i++) {
        if (want[i] === 0) throw new Error(`${op}: reference derivative at ${x[i]} underflowed`);
        assertClose([got[i]!], [want[i]!], 'elementwise', `${op}Backward at x = ${x[i]}`);
      }
    }
  },
  'relu passes dy where x > 0 and zero at x = 0 and below': async ({ gpu }) => {
    const x = Float32Array.from([-2, -0, 0, 1e-30, 3]);
    const dy = Float32Array.from([5, 6, 7, 8, 9]);
    const dx = activationBackward(gpu, 'relu', gpu.upload(x), gpu.upload(dy), poisoned(gpu, [5]));
    assertClose(await gpu.read(dx), [0, 0, 0, 8, 9], 'exact', 'reluBackward');
  },
  'rejects a dy of another shape, an aliased output and an unknown op': async ({ gpu }) => {
    const x = gpu.upload(new Float32Array(6).fill(1), [2, 3]);
    const dy = gpu.upload(new Float32Array(6).fill(1), [2, 3]);
    await expectError(() => activationBackward(gpu, 'silu', x, gpu.empty([3, 2])), ['siluBackward', 'dy', '[3, 2]', '[2, 3]']);
    await expectError(() => activationBackward(gpu, 'silu', x, dy, gpu.empty([6])), ['siluBackward', 'output', '[6]', '[2, 3]']);
    await expectError(() => activationBackward(gpu, 'sigmoid', x, dy, dy), ['sigmoidBackward', 'alias']);
    await expectError(() => activationBackward(gpu, 'gelu' as ActivationBackwardOp, x, dy), ["unknown op 'gelu'"]);
  },
});
