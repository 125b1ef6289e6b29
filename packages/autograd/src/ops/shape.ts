/**
 * Shape ops: reshape (no data movement) and cat. A channel cat of two NCHW tensors is deferred: its result holds the
 * parts, conv2d reads them in place (ops/convolution.ts: no copy forward, no narrow of the gradient backward), and
 * any other reader of its data computes the copy then. The parts are read when the copy is made, so they must not be
 * modified in place in between (no op here does).
 */
import { concat, concatShape, formatShape, narrow, numel } from '@ulseg/kernels';
import { apply, type Op } from '../op.js';
import { Storage } from '../storage.js';
import { Tensor } from '../tensor.js';

const reshapeOp: Op<[Tensor], readonly number[]> = {
  name: 'reshape',
  forward: (_, [x], shape) => ({ output: x.view(shape) }),
  // reshape is a relabelling: the gradient is dy relabelled back
  backward: ({ inputs: [x] }, dy) => [dy.view(x.shape)],
};

/** PyTorch `reshape`: one size may be -1 (inferred). Shares data with the input. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const known = shape.filter((size) => size !== -1);
  const product = numel(known);
  const inferred = shape.filter((size) => size === -1).length;
  if (inferred > 1 || known.some((size) => !Number.isInteger(size) || size < 0)) {
    throw new Error(`reshape: invalid target shape ${formatShape(shape)}`);
  }
  const target = shape.map((size) => (size === -1 ? x.size / product : size));
  if (numel(target) !== x.size || target.some((size) => !Number.isInteger(size))) {
    throw new Error(`reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) into ${formatShape(shape)}`);
  }
  return apply(reshapeOp, [x], target);
}

const catOp: Op<readonly Tensor[], number> = {
  name: 'cat',
  forward: (gpu, xs, dim) => {
    if (dim !== 1 || xs.length !== 2 || xs[0]!.shape.length !== 4) return { output: concat(gpu, xs.map((x) => x.data), dim) };
    const parts = xs.map((x) => x.detach().keep());
    const shape = concatShape('cat', parts.map((x) => x.shape), dim);
    const storage = Storage.deferred(gpu, { parts, sources: xs, dim }, () => concat(gpu, parts.map((x) => x.data), dim).buffer);
    return { output: new Tensor(storage, shape) };
  },
  // y = [x0; x1; …] along dim  ⇒  dx_k = dy[…, start_k : start_k + size_k, …]
  backward: ({ gpu, inputs, needsGrad, attributes: dim }, dy) => {
    let start = 0;
    return inputs.map((x, k) => {
      const size = x.shape[dim]!;
      const slice = needsGrad[k] ? Tensor.adopt(gpu, narrow(gpu, dy.data, dim, start, size)) : undefined;
      start += size;
      return slice;
    });
  },
};

/** PyTorch `torch.cat(tensors, dim=0)`: the tensors joined along `dim` (Unet, PSPNet and DeepLabV3+ join channels, dim 1). */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  const rank = tensors[0]?.shape.length ?? 0;
  const axis = dim < 0 ? dim + rank : dim;
  concatShape('cat', tensors.map((x) => x.shape), axis);
  return apply(catOp, tensors, axis);
}
