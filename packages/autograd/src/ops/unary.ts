/** Element-wise functions whose derivative composes from arithmetic on saved values. */
import { unary, type UnaryOp } from '@ulseg/kernels';
import { apply, type Op } from '../op.js';
import type { Tensor } from '../tensor.js';
import { raw, scalarLike } from './arithmetic.js';

function scaled(x: Tensor, c: number): Tensor {
  const constant = scalarLike(x, c);
  const out = raw('mul', x, constant);
  constant.dispose();
  return out;
}

function unaryOp(name: UnaryOp, saveInput: boolean, saveOutput: boolean, backward: (dy: Tensor, x: Tensor | undefined, y: Tensor | undefined) => Tensor): Op<[Tensor], undefined, [] | [Tensor]> {
  return {
    name,
    forward: (gpu, [x]) => ({ output: unary(gpu, name, x.data), saved: saveInput ? [x.detach()] : [], saveOutput }),
    backward: ({ saved, output }, dy) => [backward(dy, saved[0], output)],
  };
}

// d(-x)/dx = -1
const negOp = unaryOp('neg', false, false, (dy) => scaled(dy, -1));
// d(e^x)/dx = e^x
const expOp = unaryOp('exp', false, true, (dy, _, y) => raw('mul', dy, y!));
// d(ln x)/dx = 1/x
const logOp = unaryOp('log', true, false, (dy, x) => raw('div', dy, x!));
// d(sqrt x)/dx = 1/(2 sqrt x)
const sqrtOp = unaryOp('sqrt', false, true, (dy, _, y) => {
  const half = scaled(dy, 0.5);
  const out = raw('div', half, y!);
  half.dispose();
  return out;
});
// d(x²)/dx = 2x
const squareOp = unaryOp('square', true, false, (dy, x) => {
  const twice = scaled(x!, 2);
  const out = raw('mul', dy, twice);
  twice.dispose();
  return out;
});

export const neg = (x: Tensor): Tensor => apply(negOp, [x], undefined);
export const exp = (x: Tensor): Tensor => apply(expOp, [x], undefined);
export const log = (x: Tensor): Tensor => apply(logOp, [x], undefined);
export const sqrt = (x: Tensor): Tensor => apply(sqrtOp, [x], undefined);
export const square = (x: Tensor): Tensor => apply(squareOp, [x], undefined);
