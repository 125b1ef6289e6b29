/** Shape ops without data movement. */
import { formatShape, numel } from '@ulseg/kernels';
import { apply, type Op } from '../op.js';
import type { Tensor } from '../tensor.js';

const reshapeOp: Op<readonly number[]> = {
  name: 'reshape',
  forward: (_, [x], shape) => ({ output: x!.view(shape) }),
  // reshape is a relabelling: the gradient is dy relabelled back
  backward: ({ inputs: [x] }, dy) => [dy.view(x!.shape)],
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
