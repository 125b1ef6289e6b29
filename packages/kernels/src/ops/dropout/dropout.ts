/**
 * Dropout and Dropout2d in training (Srivastava et al. 2014; Tompson et al. 2015 for whole channels), PyTorch
 * `F.dropout(x, p)` / `F.dropout2d(x, p)`: each unit is kept with probability 1 − p and scaled by 1/(1 − p), else zeroed.
 * A unit is one element (dropout) or one channel of one sample, [n, c, :, :] (dropout2d). Unit u is kept when
 * keep(seed, u) of the drop-connect generator says so (drop-connect.wgsl.ts: a counter-based hash, so the backward
 * recomputes the same mask from the seed and nothing is stored). This is drop-connect's kernel with the unit as its
 * "sample": per_sample = 1 or H·W.
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { dispatchFlat, type FlatVariant } from '../../runtime/flat.js';
import { formatShape, numel, sameShape, type GpuTensor } from '../../runtime/tensor.js';
import { DROP_CONNECT_KERNEL, dropConnectThreshold } from '../drop-connect/drop-connect.js';
import { DROP_CONNECT_PARAMS } from '../drop-connect/drop-connect.wgsl.js';

const WORKGROUP_SIZE = 256;

/** What one keep decision covers: an element, or a whole channel of one sample. */
export type DropoutUnit = 'element' | 'channel';

/** Elements per unit for x of `shape`: 1, or H·W of [N, C, H, W]. */
export function dropoutUnitSize(name: string, shape: readonly number[], unit: DropoutUnit): number {
  if (unit === 'element') return 1;
  if (shape.length !== 4) throw new KernelArgumentError(`${name}: channel dropout expects x of shape [N, C, H, W], got ${formatShape(shape)}`);
  return Math.max(shape[2]! * shape[3]!, 1);
}

function run(gpu: Gpu, name: string, x: GpuTensor, p: number, seed: number, unit: DropoutUnit, out: GpuTensor | undefined, variant: FlatVariant): GpuTensor {
  if (!(p >= 0 && p < 1)) throw new KernelArgumentError(`${name}: drop probability p must lie in [0, 1), got ${p}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new KernelArgumentError(`${name}: seed must be an integer in [0, 2^32), got ${seed}`);
  const perUnit = dropoutUnitSize(name, x.shape, unit);
  const y = out ?? gpu.empty(x.shape, name);
  if (!sameShape(y.shape, x.shape)) throw new KernelArgumentError(`${name}: output shape ${formatShape(y.shape)} differs from ${formatShape(x.shape)}`);
  if (y.buffer === x.buffer) throw new KernelArgumentError(`${name}: output must not alias the input buffer`);
  const count = numel(x.shape);
  dispatchFlat(gpu, {
    kernel: DROP_CONNECT_KERNEL,
    count,
    tensors: [x, y],
    uniforms: (start) => DROP_CONNECT_PARAMS.write({ count, per_sample: perUnit, seed, threshold: dropConnectThreshold(p), keep_probability: 1 - p, start }),
    workgroupSize: WORKGROUP_SIZE,
    variant,
    vectorEntryPoint: 'main4',
    scalarEntryPoint: 'main',
  });
  return y;
}

/** y = x·keep(seed, unit)/(1 − p); `variant` (tests) forces the vec4 or the scalar layout. */
export function dropout(gpu: Gpu, x: GpuTensor, p: number, seed: number, unit: DropoutUnit = 'element', out?: GpuTensor, variant: FlatVariant = 'auto'): GpuTensor {
  return run(gpu, unit === 'element' ? 'dropout' : 'dropout2d', x, p, seed, unit, out, variant);
}

/** y is linear in x with the same mask  ⇒  dx = dy·keep(seed, unit)/(1 − p) (same p, seed and unit). */
export function dropoutBackward(gpu: Gpu, dy: GpuTensor, p: number, seed: number, unit: DropoutUnit = 'element', out?: GpuTensor): GpuTensor {
  return run(gpu, unit === 'element' ? 'dropoutBackward' : 'dropout2dBackward', dy, p, seed, unit, out, 'auto');
}
