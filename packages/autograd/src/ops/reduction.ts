/** sum and mean over axes; their backward broadcasts the gradient back over the reduced axes. */
import { binary, fill, reduce, reductionPlan } from '@ulseg/kernels';
import { apply, type Op } from '../op.js';
import { Tensor } from '../tensor.js';
import { scalarLike, raw } from './arithmetic.js';

interface ReductionAttributes {
  axes: readonly number[] | undefined;
  keepDims: boolean;
}

/** dy of the reduced shape → the input's shape, repeated along the reduced axes (scaled by `scale`). */
function spread(dy: Tensor, inputShape: readonly number[], attributes: ReductionAttributes, scale: number): Tensor {
  const kept = reductionPlan('sum', inputShape, attributes.axes, true).outShape;
  const gpu = dy.gpu;
  const zeros = gpu.empty(inputShape, 'spread');
  fill(gpu, zeros, 0);
  const grad = Tensor.adopt(gpu, binary(gpu, 'add', { buffer: dy.data.buffer, shape: kept }, zeros));
  gpu.release(zeros);
  if (scale === 1) return grad;
  const constant = scalarLike(dy, scale);
  const out = raw('mul', grad, constant);
  constant.dispose();
  grad.dispose();
  return out;
}

const sumOp: Op<[Tensor], ReductionAttributes> = {
  name: 'sum',
  forward: (gpu, [x], { axes, keepDims }) => ({ output: reduce(gpu, 'sum', x.data, { axes, keepDims }) }),
  // d(Σ_r x)/dx = 1 on every reduced element
  backward: ({ inputs: [x], attributes }, dy) => [spread(dy, x.shape, attributes, 1)],
};

const meanOp: Op<[Tensor], ReductionAttributes> = {
  name: 'mean',
  forward: (gpu, [x], { axes, keepDims }) => ({ output: reduce(gpu, 'mean', x.data, { axes, keepDims }) }),
  // d(Σ_r x / n)/dx = 1/n
  backward: ({ inputs: [x], attributes }, dy) => {
    const plan = reductionPlan('mean', x.shape, attributes.axes, attributes.keepDims);
    return [spread(dy, x.shape, attributes, 1 / plan.inner)];
  },
};

export interface ReduceOptions {
  axes?: readonly number[];
  keepDims?: boolean;
}

export const sum = (x: Tensor, options: ReduceOptions = {}): Tensor =>
  apply(sumOp, [x], { axes: options.axes, keepDims: options.keepDims ?? false });
export const mean = (x: Tensor, options: ReduceOptions = {}): Tensor =>
  apply(meanOp, [x], { axes: options.axes, keepDims: options.keepDims ?? false });
