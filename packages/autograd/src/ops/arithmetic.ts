/** Broadcasting arithmetic: add, sub, mul, div. Broadcast gradients are reduced by the tape. */
import { binary, type BinaryOp } from '@ulseg/kernels';
import { apply, type Op } from '../op.js';
import { Tensor } from '../tensor.js';

/** Runs a binary kernel on two tensors and wraps the result (no history): the backwards' building block. */
export function raw(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  return Tensor.adopt(a.gpu, binary(a.gpu, op, a.data, b.data));
}

const addOp: Op<[Tensor, Tensor]> = {
  name: 'add',
  forward: (gpu, [a, b]) => ({ output: binary(gpu, 'add', a.data, b.data) }),
  // d(a + b)/da = 1, d(a + b)/db = 1
  backward: (_, dy) => [dy.detach(), dy.detach()],
};

const subOp: Op<[Tensor, Tensor]> = {
  name: 'sub',
  forward: (gpu, [a, b]) => ({ output: binary(gpu, 'sub', a.data, b.data) }),
  // d(a - b)/da = 1, d(a - b)/db = -1
  backward: ({ needsGrad }, dy) => [dy.detach(), needsGrad[1] ? neg(dy) : undefined],
};

const mulOp: Op<[Tensor, Tensor], undefined, [Tensor, Tensor]> = {
  name: 'mul',
  forward: (gpu, [a, b]) => ({ output: binary(gpu, 'mul', a.data, b.data), saved: [a.detach(), b.detach()] }),
  // d(a·b)/da = b, d(a·b)/db = a
  backward: ({ saved: [a, b], needsGrad }, dy) => [
    needsGrad[0] ? raw('mul', dy, b) : undefined,
    needsGrad[1] ? raw('mul', dy, a) : undefined,
  ],
};

const divOp: Op<[Tensor, Tensor], undefined, [Tensor]> = {
  name: 'div',
  forward: (gpu, [a, b]) => ({ output: binary(gpu, 'div', a.data, b.data), saved: [b.detach()], saveOutput: true }),
  // d(a/b)/da = 1/b, d(a/b)/db = -(a/b)/b
  backward: ({ saved: [b], output: quotient, needsGrad }, dy) => {
    const da = needsGrad[0] ? raw('div', dy, b) : undefined;
    let db: Tensor | undefined;
    if (needsGrad[1]) {
      const scaled = raw('mul', dy, quotient!);
      const ratio = raw('div', scaled, b);
      scaled.dispose();
      db = neg(ratio);
      ratio.dispose();
    }
    return [da, db];
  },
};

export const add = (a: Tensor, b: Tensor): Tensor => apply(addOp, [a, b], undefined);
export const sub = (a: Tensor, b: Tensor): Tensor => apply(subOp, [a, b], undefined);
export const mul = (a: Tensor, b: Tensor): Tensor => apply(mulOp, [a, b], undefined);
export const div = (a: Tensor, b: Tensor): Tensor => apply(divOp, [a, b], undefined);

/** A 0-d constant on a's device (no history). */
export function scalarLike(a: Tensor, value: number): Tensor {
  return Tensor.fromArray(a.gpu, [value], []);
}

/** x·c for a number c. */
export function mulScalar(x: Tensor, c: number): Tensor {
  const constant = scalarLike(x, c);
  const out = mul(x, constant);
  constant.dispose();
  return out;
}

/** x + c for a number c. */
export function addScalar(x: Tensor, c: number): Tensor {
  const constant = scalarLike(x, c);
  const out = add(x, constant);
  constant.dispose();
  return out;
}

function neg(x: Tensor): Tensor {
  return mulScalarRaw(x, -1);
}

function mulScalarRaw(x: Tensor, c: number): Tensor {
  const constant = scalarLike(x, c);
  const out = raw('mul', x, constant);
  constant.dispose();
  return out;
}
