/** Float64 references of the unary ops. */
import { sigmoidReference as sigmoid } from '../../wgsl/sigmoid.reference.js';
import type { UnaryOp } from './unary.js';

export const UNARY_REFERENCE: Record<UnaryOp, (v: number) => number> = {
  relu: (v) => Math.max(v, 0),
  sigmoid,
  silu: (v) => v * sigmoid(v),
  exp: Math.exp,
  log: Math.log,
  neg: (v) => -v,
  sqrt: Math.sqrt,
  abs: Math.abs,
  square: (v) => v * v,
  reciprocal: (v) => 1 / v,
  tanh: Math.tanh,
};

export function unaryReference(op: UnaryOp, x: ArrayLike<number>): Float64Array {
  const f = UNARY_REFERENCE[op];
  return Float64Array.from(x, (v) => f(v));
}
