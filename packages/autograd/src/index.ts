/** @ulseg/autograd: define-by-run autograd on @ulseg/kernels, with PyTorch's names and semantics. */
export { Tensor, type TensorOptions } from './tensor.js';
export { noGrad, scope, isGradEnabled } from './grad-mode.js';
export { apply, type Op, type BackwardContext, type ForwardResult } from './op.js';
export { Node, reduceToShape } from './tape.js';
export {
  trace,
  opMacs,
  traceEval,
  tracedConvolution,
  type TracedConvolution,
  releasePlan,
  releaseAfterLastUse,
  type Trace,
  type TracedOp,
  type TraceValue,
  type ReleasePlan,
  type OpObserver,
} from './trace.js';
export { parseNpy, serializeNpy } from '@ulseg/base';
export { markWeightsChanged, weightsVersion } from './weights-version.js';
export * as F from './functional.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
