/**
 * Tracing: an observer sees every op call `apply()` makes (as torch.onnx and tinygrad trace a forward run) — the op,
 * its tensor inputs, its attributes, and its output. The module tree owns the network; one forward run under
 * `trace()` describes it to whoever needs the graph: the ONNX export (one mapping per op kind), the multiply-add
 * table (one formula per op kind), the bench's layer list, and `releaseAfterLastUse`, which frees each activation of
 * a later inference forward right after its last consumer.
 *
 * Off unless installed: `apply()` pays one test of a module variable per op.
 *
 *   value kinds: an input of the traced function; the output of traced op k; a parameter or buffer by its state_dict
 *   name; a constant (any other tensor, made inside the forward or captured by it).
 */
import { dims4, formatShape, numel } from '@ulseg/kernels';
import type { AnyOp } from './op.js';
import { noGrad, scope } from './grad-mode.js';
import { Tensor } from './tensor.js';
import type { Module } from './nn/module.js';

export type TraceValue =
  | { readonly kind: 'input'; readonly index: number; readonly shape: readonly number[] }
  | { readonly kind: 'op'; readonly op: number; readonly shape: readonly number[] }
  | { readonly kind: 'state'; readonly name: string; readonly tensor: Tensor; readonly shape: readonly number[] }
  | { readonly kind: 'constant'; readonly tensor: Tensor; readonly shape: readonly number[] };

export interface TracedOp {
  /** Position in the forward's op sequence. */
  readonly index: number;
  /** The op's name (`conv2d`, `batchNorm2d`, `convBatchNorm`, …): the key of per-kind mappings. */
  readonly op: string;
  readonly inputs: readonly TraceValue[];
  /** The attributes as passed, tensors included. */
  readonly attributes: unknown;
  /** Tensor-valued attributes (one level deep, e.g. batchNorm2d's running statistics) as trace values. */
  readonly tensorAttributes: Readonly<Record<string, TraceValue>>;
  readonly shape: readonly number[];
}

export interface Trace {
  readonly inputs: readonly (readonly number[])[];
  readonly ops: readonly TracedOp[];
  /** The tensors of the traced function's result (a tensor, or arrays / objects of tensors), in order. */
  readonly outputs: readonly TraceValue[];
  /** Releases the constants the trace holds (their values stay readable until then). */
  dispose(): void;
}

/** What apply() tells an installed observer after each op's forward. */
export interface OpObserver {
  observe(op: AnyOp, inputs: readonly Tensor[], attributes: unknown, output: Tensor): void;
}

let observer: OpObserver | undefined;

/** The installed observer, read by apply(). */
export function opObserver(): OpObserver | undefined {
  return observer;
}

function observing<T>(installed: OpObserver, fn: () => T): T {
  if (observer) throw new Error('trace: an op observer is already installed (traces and releasing runs do not nest)');
  observer = installed;
  try {
    return fn();
  } finally {
    observer = undefined;
  }
}

class Recorder implements OpObserver {
  readonly ops: TracedOp[] = [];
  readonly constants: Tensor[] = [];
  private readonly produced = new Map<Tensor, number>();
  private readonly inputIndex = new Map<Tensor, number>();
  private readonly stateNames = new Map<Tensor, string>();
  private readonly constantValues = new Map<Tensor, TraceValue>();

  constructor(inputs: readonly Tensor[], state: Iterable<readonly [string, Tensor]>) {
    inputs.forEach((tensor, index) => this.inputIndex.set(tensor, index));
    for (const [name, tensor] of state) if (!this.stateNames.has(tensor)) this.stateNames.set(tensor, name);
  }

  value(tensor: Tensor): TraceValue {
    const shape = tensor.shape;
    const op = this.produced.get(tensor);
    if (op !== undefined) return { kind: 'op', op, shape };
    const index = this.inputIndex.get(tensor);
    if (index !== undefined) return { kind: 'input', index, shape };
    const name = this.stateNames.get(tensor);
    if (name !== undefined) return { kind: 'state', name, tensor, shape };
    const known = this.constantValues.get(tensor);
    if (known) return known;
    // A constant may be disposed by the forward right after use: hold its storage for the trace's readers.
    const held = tensor.detach().keep();
    this.constants.push(held);
    const constant: TraceValue = { kind: 'constant', tensor: held, shape };
    this.constantValues.set(tensor, constant);
    return constant;
  }

  observe(op: AnyOp, inputs: readonly Tensor[], attributes: unknown, output: Tensor): void {
    const values = inputs.map((input) => this.value(input));
    const tensorAttributes: Record<string, TraceValue> = {};
    if (attributes && typeof attributes === 'object') {
      for (const [key, item] of Object.entries(attributes)) if (item instanceof Tensor) tensorAttributes[key] = this.value(item);
    }
    const index = this.ops.length;
    this.ops.push({ index, op: op.name, inputs: values, attributes, tensorAttributes, shape: output.shape });
    this.produced.set(output, index);
  }
}

function resultTensors(value: unknown, into: Tensor[], seen: Set<unknown>): Tensor[] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return into;
  seen.add(value);
  if (value instanceof Tensor) {
    into.push(value);
    return into;
  }
  const items = value instanceof Map ? [...value.values()] : Array.isArray(value) ? value : Object.values(value);
  for (const item of items) resultTensors(item, into, seen);
  return into;
}

/**
 * Runs `fn(...inputs)` under noGrad with a recorder installed and returns what it recorded; every tensor the run
 * made is disposed. `state` names the parameters and buffers (a module's `stateDict()`), so a traced op reads
 * `encoder._conv_stem.weight`, not a tensor.
 */
export function trace(inputs: readonly Tensor[], state: Iterable<readonly [string, Tensor]>, fn: (...inputs: Tensor[]) => unknown): Trace {
  const recorder = new Recorder(inputs, state);
  let outputs: TraceValue[] = [];
  try {
    noGrad(() =>
      scope(() => {
        const result = observing(recorder, () => fn(...inputs));
        outputs = resultTensors(result, [], new Set()).map((tensor) => recorder.value(tensor));
        return undefined;
      }),
    );
  } catch (error) {
    for (const constant of recorder.constants) constant.dispose();
    throw error;
  }
  return {
    inputs: inputs.map((input) => input.shape),
    ops: recorder.ops,
    outputs,
    dispose: () => {
      for (const constant of recorder.constants) constant.dispose();
    },
  };
}

/** The geometry of a traced convolution (conv2d, convTranspose2d, or the fused convBatchNorm). */
export interface TracedConvolution {
  readonly transposed: boolean;
  /** The state_dict name of the weight, when it is a parameter. */
  readonly weight: string | undefined;
  readonly input: readonly number[];
  readonly output: readonly number[];
  readonly inChannels: number;
  readonly outChannels: number;
  readonly groups: number;
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly multiplyAdds: number;
}

const CONVOLUTIONS = new Set(['conv2d', 'convTranspose2d', 'convBatchNorm']);

function pair(value: unknown): [number, number] {
  if (Array.isArray(value)) return [Number(value[0]), Number(value[1])];
  return typeof value === 'number' ? [value, value] : [1, 1];
}

/**
 * A traced op's convolution, or undefined for other ops. Multiply-adds:
 *   conv (k_h × k_w, groups g):                 N·C_out·H_out·W_out · (C_in/g)·k_h·k_w
 *   transposed conv ([C_in, C_out, k_h, k_w]):  N·C_in·H_in·W_in · C_out·k_h·k_w
 */
export function tracedConvolution(op: TracedOp): TracedConvolution | undefined {
  if (!CONVOLUTIONS.has(op.op)) return undefined;
  const attributes = op.attributes as { transposed?: boolean; options?: Record<string, unknown> } & Record<string, unknown>;
  const transposed = op.op === 'convTranspose2d' || (op.op === 'convBatchNorm' && attributes.transposed === true);
  const options = op.op === 'convBatchNorm' ? (attributes.options ?? {}) : attributes;
  const [x, w] = op.inputs as [TraceValue, TraceValue];
  const [w0, w1, kh, kw] = dims4(w.shape);
  const groups = transposed ? 1 : Number(options.groups ?? 1);
  const inChannels = x.shape[1]!;
  const outChannels = transposed ? w1 : w0;
  const multiplyAdds = transposed ? numel(x.shape) * w1 * kh * kw : numel(op.shape) * w1 * kh * kw;
  return {
    transposed,
    weight: w.kind === 'state' ? w.name : undefined,
    input: x.shape,
    output: op.shape,
    inChannels,
    outChannels,
    groups,
    kernel: [kh, kw],
    stride: pair(options.stride),
    multiplyAdds,
  };
}

/**
 * Multiply-adds of one traced op: convolutions as above; the fused squeeze-excitation (w1 [R, C], w2 [C, R])
 * N·2·C·R; 0 for element-wise work, normalisation and pooling.
 */
export function opMacs(op: TracedOp): number {
  const convolution = tracedConvolution(op);
  if (convolution) return convolution.multiplyAdds;
  if (op.op === 'squeezeExcitation') {
    const [x, w1] = op.inputs;
    return x!.shape[0]! * 2 * x!.shape[1]! * w1!.shape[0]!;
  }
  return 0;
}

/**
 * Traces `module.forward` in eval mode on a zero input of `shape` (each submodule's mode restored after): the
 * module's inference forward as a graph.
 */
export function traceEval(module: Module, gpu: Tensor['gpu'], shape: readonly number[]): Trace {
  const modes = [...module.namedModules()].map(([, child]) => [child, child.training] as const);
  const x = Tensor.zeros(gpu, shape).keep();
  module.eval();
  try {
    return trace([x], module.stateDict(), (input) => module.forward(input));
  } finally {
    for (const [child, training] of modes) child.training = training;
    x.dispose();
  }
}

/** A plan for `releaseAfterLastUse`: the op sequence, and after each op the earlier outputs nothing reads again. */
export interface ReleasePlan {
  readonly ops: readonly { readonly op: string; readonly inputs: number }[];
  /** release[i]: indices of op outputs to dispose right after op i. */
  readonly release: readonly (readonly number[])[];
}

/**
 * The last consumer of each op output in `traced`: an output read by a later op is released after the last op that
 * reads it; one read by none and not among the traced function's outputs right after it is made.
 */
export function releasePlan(traced: Trace): ReleasePlan {
  const lastUse = traced.ops.map((op) => op.index);
  const read = (value: TraceValue, at: number): void => {
    if (value.kind === 'op') lastUse[value.op] = Math.max(lastUse[value.op]!, at);
  };
  for (const op of traced.ops) {
    for (const value of op.inputs) read(value, op.index);
    for (const value of Object.values(op.tensorAttributes)) read(value, op.index);
  }
  const kept = new Set(traced.outputs.flatMap((value) => (value.kind === 'op' ? [value.op] : [])));
  const release: number[][] = traced.ops.map(() => []);
  lastUse.forEach((at, op) => {
    if (!kept.has(op)) release[at]!.push(op);
  });
  return { ops: traced.ops.map((op) => ({ op: op.op, inputs: op.inputs.length })), release };
}

class Releaser implements OpObserver {
  private readonly outputs: (Tensor | undefined)[] = [];

  constructor(private readonly plan: ReleasePlan) {}

  observe(op: AnyOp, inputs: readonly Tensor[], _attributes: unknown, output: Tensor): void {
    const index = this.outputs.length;
    const planned = this.plan.ops[index];
    if (!planned || planned.op !== op.name || planned.inputs !== inputs.length) {
      throw new Error(
        `releaseAfterLastUse: op ${index} is ${op.name} on ${inputs.map((input) => formatShape(input.shape)).join(', ')}, ` +
          `where the plan has ${planned ? `${planned.op} with ${planned.inputs} inputs` : 'no more ops'}: the forward's ops depend on its input; trace it again`,
      );
    }
    this.outputs.push(output);
    for (const done of this.plan.release[index]!) {
      this.outputs[done]?.dispose();
      this.outputs[done] = undefined;
    }
  }
}

/**
 * Runs `fn` under noGrad and disposes each op output right after its last consumer, as `plan` (a trace of the same
 * forward, on any input its ops do not depend on) says: the memory of an inference forward is what is live at each
 * op, not every activation of the pass. The result's tensors are kept.
 */
export function releaseAfterLastUse<T>(plan: ReleasePlan, fn: () => T): T {
  return noGrad(() => observing(new Releaser(plan), fn));
}
