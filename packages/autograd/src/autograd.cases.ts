import { binaryReference, reduceReference, unaryReference } from '@ulseg/kernels/reference';
import { assertClose, defineCases, expectError, type CaseBody } from '@ulseg/kernels/testing';
import { gradcheck } from '../test/gradcheck.js';
import { F, noGrad, scope, Tensor } from './index.js';

const binaryCase =
  (op: 'add' | 'sub' | 'mul' | 'div', a: number[], b: number[]): CaseBody =>
  async ({ gpu, random }) => {
    await gradcheck(
      gpu,
      random,
      {
        shapes: [a, b],
        forward: ([x, y]) => F[op](x!, y!),
        reference: ([x, y]) => binaryReference(op, x!, a, y!, b).data,
        ranges: [{}, op === 'div' ? { low: 0.5, high: 2 } : {}],
      },
      `${op} ${a} x ${b}`,
    );
  };

export const autogradCases = defineCases('autograd', {
  'add: gradients reduce over broadcast axes [3, 1, 5] x [1, 4, 1]': binaryCase('add', [3, 1, 5], [1, 4, 1]),
  'sub: [2, 3] x [3]': binaryCase('sub', [2, 3], [3]),
  'mul: [3, 1, 5] x [1, 4, 1]': binaryCase('mul', [3, 1, 5], [1, 4, 1]),
  'mul by a scalar tensor: [5, 3] x []': binaryCase('mul', [5, 3], []),
  'div: [4, 5] x [4, 1]': binaryCase('div', [4, 5], [4, 1]),
  'exp, log, sqrt, square, neg': async ({ gpu, random }) => {
    for (const op of ['exp', 'log', 'sqrt', 'square', 'neg'] as const) {
      const positive = op === 'log' || op === 'sqrt';
      await gradcheck(
        gpu,
        random,
        { shapes: [[3, 7]], forward: ([x]) => F[op](x!), reference: ([x]) => unaryReference(op, x!), ranges: [positive ? { low: 0.3, high: 3 } : {}] },
        op,
      );
    }
  },
  'sum and mean over axes, keepDims and all': async ({ gpu, random }) => {
    const shape = [3, 5, 7];
    for (const op of ['sum', 'mean'] as const) {
      for (const [axes, keepDims] of [[[1], false], [[0, 2], true], [undefined, false]] as const) {
        await gradcheck(
          gpu,
          random,
          {
            shapes: [shape],
            forward: ([x]) => F[op](x!, { axes: axes ? [...axes] : undefined, keepDims }),
            reference: ([x]) => reduceReference(op, x!, shape, axes ? [...axes] : undefined, keepDims).data,
          },
          `${op} over ${axes ?? 'all'}${keepDims ? ' keepDims' : ''}`,
        );
      }
    }
  },
  'reshape shares data and passes gradients back through the view': async ({ gpu, random }) => {
    await gradcheck(
      gpu,
      random,
      {
        shapes: [[2, 3, 4], [4, 6]],
        forward: ([x, w]) => F.mul(F.reshape(x!, [4, -1]), w!),
        reference: ([x, w]) => binaryReference('mul', x!, [4, 6], w!, [4, 6]).data,
      },
      'reshape',
    );
  },
  'a tensor used twice accumulates both gradients: d(x·x + x)/dx = 2x + 1': async ({ gpu }) => {
    const data = [0.5, -1.25, 2, 3.5];
    const x = Tensor.fromArray(gpu, data, [4], { requiresGrad: true });
    F.sum(F.add(F.mul(x, x), x)).backward();
    assertClose(await x.grad!.toArray(), data.map((v) => 2 * v + 1), 'exact', 'd(x² + x)/dx');
    F.sum(F.mulScalar(x, 3)).backward();
    assertClose(await x.grad!.toArray(), data.map((v) => 2 * v + 4), 'exact', 'leaf gradients accumulate across backward calls');
  },
  'backward twice fails clearly unless retainGraph; non-scalar backward needs a gradient': async ({ gpu }) => {
    const x = Tensor.fromArray(gpu, [1, 2, 3], [3], { requiresGrad: true });
    const loss = F.sum(F.exp(x));
    loss.backward();
    const y = F.sum(F.exp(x));
    y.backward(undefined, { retainGraph: true });
    y.backward();
    await expectError(() => y.backward(), ["backward through 'sum' a second time", 'retainGraph']);
    await expectError(() => F.exp(x).backward(), ['a gradient can be implied only for a scalar', '[3]']);
    const constant = Tensor.fromArray(gpu, [1]);
    await expectError(() => constant.backward(), ['does not require grad']);
  },
  'a disposed tensor cannot be used, and the message says which': async ({ gpu }) => {
    const x = Tensor.fromArray(gpu, [1, 2], [2], { name: 'weights' });
    x.dispose();
    await expectError(() => F.exp(x), ["tensor 'weights' was used after dispose()"]);
    const a = Tensor.fromArray(gpu, [1, 2, 3], [3]);
    const b = Tensor.fromArray(gpu, [1, 2], [2]);
    await expectError(() => F.add(a, b), ['add', '[3]', '[2]', 'do not broadcast']);
  },
  'noGrad records nothing; scope frees intermediates and keeps the result': async ({ gpu }) => {
    const x = Tensor.fromArray(gpu, [1, 2, 3], [3], { requiresGrad: true });
    const y = noGrad(() => F.exp(x));
    if (y.requiresGrad || y.node) throw new Error('noGrad result has history');
    const before = gpu.pool.stats().liveBytes;
    const kept = scope(() => {
      const a = F.mul(x, x);
      const b = F.add(a, x);
      return F.sum(b);
    });
    const after = gpu.pool.stats().liveBytes;
    // The scalar result's buffer (256-byte class) stays; everything else is back in the pool, history included.
    if (after - before > 256 * 4) throw new Error(`scope left ${after - before} bytes live`);
    assertClose([await kept.item()], [1 + 1 + 4 + 2 + 9 + 3], 'exact', 'scope result');
    kept.backward();
    assertClose(await x.grad!.toArray(), [3, 5, 7], 'exact', 'backward after the scope closed');
  },
});
