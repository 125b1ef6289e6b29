/**
 * An op is one object: its forward and its backward side by side. `apply` runs the forward and, when any input
 * requires grad and grad mode is on, records a tape node holding what the backward needs.
 */
import type { Gpu, GpuTensor } from '@ulseg/kernels';
import { Node } from './tape.js';
import { recordsGrad, Tensor } from './tensor.js';
import { opObserver } from './trace.js';

/** An op's tensor inputs, or the tensors its forward saves: a tuple for a fixed arity (`[x, weight, bias]`). */
export type Tensors = readonly Tensor[];

export interface ForwardResult<Saved extends Tensors = Tensors> {
  /** A kernel output (a pool buffer the result will own) or a tensor sharing existing storage (views). */
  output: GpuTensor | Tensor;
  /** Tensors the backward reads (inputs or intermediates); released right after the node's backward. */
  saved?: Saved;
  /** Keep the output for the backward too (e.g. sigmoid, exp); it arrives as `context.output`. */
  saveOutput?: boolean;
}

export interface BackwardContext<In extends Tensors, Attributes, Saved extends Tensors = Tensors> {
  readonly gpu: Gpu;
  readonly inputs: In;
  /** What the forward saved (empty when it saved nothing). */
  readonly saved: Saved;
  /** The forward's output, when the op asked for it (saveOutput). */
  readonly output: Tensor | undefined;
  readonly attributes: Attributes;
  /** needsGrad[i]: whether input i wants a gradient (skip the work otherwise). */
  readonly needsGrad: readonly boolean[];
  readonly outputShape: readonly number[];
}

/**
 * `In`: the tensor inputs (a tuple such as `[Tensor, Tensor]`, or `Tensors` for a variable count); `Saved`: what the
 * forward keeps for the backward.
 */
export interface Op<In extends Tensors = Tensors, Attributes = undefined, Saved extends Tensors = Tensors> {
  readonly name: string;
  forward(gpu: Gpu, inputs: In, attributes: Attributes): ForwardResult<Saved>;
  /** Gradients for each input, in order, of the output's shape or broadcastable to it (the tape reduces them). */
  backward(context: BackwardContext<In, Attributes, Saved>, dy: Tensor): (Tensor | undefined)[];
}

/** Any op, as the tape and the trace observers see it. */
export type AnyOp = Op<never, never, Tensors>;

export function apply<In extends Tensors, Attributes, Saved extends Tensors>(op: Op<In, Attributes, Saved>, inputs: In, attributes: Attributes): Tensor {
  const first = inputs[0];
  if (!first) throw new Error(`${op.name}: needs at least one tensor input`);
  const gpu = first.gpu;
  for (const input of inputs) {
    if (input.gpu !== gpu) throw new Error(`${op.name}: inputs live on different devices`);
  }
  const forward = op.forward(gpu, inputs, attributes);
  const { output, saveOutput = false } = forward;
  // An op that saves nothing never reads `saved` in its backward.
  const saved = forward.saved ?? ([] as Tensors as Saved);
  const result = output instanceof Tensor ? output : Tensor.adopt(gpu, output);
  opObserver()?.observe(op, inputs, attributes, result);
  if (!recordsGrad(inputs)) {
    for (const tensor of saved) tensor.dispose();
    return result;
  }
  result.requiresGrad = true;
  const needsGrad = inputs.map((input) => input.requiresGrad);
  const outputShape = result.shape;
  const savedOutput = saveOutput ? result.detach() : undefined;
  const held = savedOutput ? [...saved, savedOutput] : [...saved];
  result.node = new Node(op.name, inputs, held, (dy) =>
    op.backward({ gpu, inputs, saved, output: savedOutput, attributes, needsGrad, outputShape }, dy),
  );
  return result;
}
