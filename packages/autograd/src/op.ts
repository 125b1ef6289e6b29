/**
 * An op is one object: its forward and its backward side by side. `apply` runs the forward and, when any input
 * requires grad and grad mode is on, records a tape node holding what the backward needs.
 */
import type { Gpu, GpuTensor } from '@ulseg/kernels';
import { Node } from './tape.js';
import { recordsGrad, Tensor } from './tensor.js';
import { opObserver } from './trace.js';

export interface ForwardResult {
  /** A kernel output (a pool buffer the result will own) or a tensor sharing existing storage (views). */
  output: GpuTensor | Tensor;
  /** Tensors the backward reads (inputs or intermediates); released right after the node's backward. */
  saved?: Tensor[];
  /** Keep the output for the backward too (e.g. sigmoid, exp); it arrives as `context.output`. */
  saveOutput?: boolean;
}

export interface BackwardContext<Attributes> {
  readonly gpu: Gpu;
  readonly inputs: readonly Tensor[];
  readonly saved: readonly Tensor[];
  /** The forward's output, when the op asked for it (saveOutput). */
  readonly output: Tensor | undefined;
  readonly attributes: Attributes;
  /** needsGrad[i]: whether input i wants a gradient (skip the work otherwise). */
  readonly needsGrad: readonly boolean[];
  readonly outputShape: readonly number[];
}

export interface Op<Attributes = undefined> {
  readonly name: string;
  forward(gpu: Gpu, inputs: readonly Tensor[], attributes: Attributes): ForwardResult;
  /** Gradients for each input, in order, of the output's shape or broadcastable to it (the tape reduces them). */
  backward(context: BackwardContext<Attributes>, dy: Tensor): (Tensor | undefined)[];
}

export function apply<Attributes>(op: Op<Attributes>, inputs: readonly Tensor[], attributes: Attributes): Tensor {
  const first = inputs[0];
  if (!first) throw new Error(`${op.name}: needs at least one tensor input`);
  const gpu = first.gpu;
  for (const input of inputs) {
    if (input.gpu !== gpu) throw new Error(`${op.name}: inputs live on different devices`);
  }
  const { output, saved = [], saveOutput = false } = op.forward(gpu, inputs, attributes);
  const result = output instanceof Tensor ? output : Tensor.adopt(gpu, output);
  opObserver()?.observe(op as Op<never>, inputs, attributes, result);
  if (!recordsGrad(inputs)) {
    for (const tensor of saved) tensor.dispose();
    return result;
  }
  result.requiresGrad = true;
  const needsGrad = inputs.map((input) => input.requiresGrad);
  const outputShape = result.shape;
  const savedOutput = saveOutput ? result.detach() : undefined;
  const held = savedOutput ? [...saved, savedOutput] : saved;
  result.node = new Node(op.name, inputs, held, (dy) =>
    op.backward({ gpu, inputs, saved, output: savedOutput, attributes, needsGrad, outputShape }, dy),
  );
  return result;
}
