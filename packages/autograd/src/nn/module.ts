/**
 * Modules: parameters, buffers and children under PyTorch's names, in PyTorch's state_dict order (a module's own
 * parameters, then its own buffers, then each child's entries under `<child>.`), train/eval mode, and strict loading
 * by exact key that lists every missing, unexpected and mismatched key.
 *   ModuleBase        the state tree and modes; no forward (what state_dict, load, train/eval and dispose walk)
 *   Module<In, Out>   a ModuleBase with `forward(input: In): Out` (most layers: In = Out = Tensor; several inputs
 *                     come as a tuple, e.g. a decoder block's [x, skip])
 *   ModuleDict        children under names, no forward (a PyTorch module used only as a namespace of state_dict
 *                     keys, such as `segmentation_head` whose children the owner runs itself)
 *   ModuleList        children named 0, 1, 2, …, no forward
 *   Sequential        a Module<Tensor, Tensor> running its children in order
 * A module with state is built from an InitContext (init-context.ts): `new Conv2d(ctx.child('conv'), …)` then
 * registered under the same name.
 */
import { formatShape, numel, sameShape } from '@ulseg/kernels';
import type { Tensor } from '../tensor.js';
import { markWeightsChanged } from '../weights-version.js';

export interface StateEntry {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface LoadReport {
  missing: string[];
  unexpected: string[];
  /** `key: expected [..], got [..]` */
  mismatched: string[];
  loaded: number;
}

/** The state tree and modes every module has; what a forward is, Module<In, Out> adds. */
export abstract class ModuleBase {
  training = true;
  /**
   * Kept only so that state_dicts match another implementation's; the forward never runs it (EfficientNet's
   * `_conv_head`). A traced export leaves its state out instead of refusing it as unused.
   */
  stateOnly = false;
  private readonly parameterSlots = new Map<string, Tensor>();
  private readonly bufferSlots = new Map<string, Tensor>();
  private readonly childSlots = new Map<string, ModuleBase>();
  /**
   * The state_dict path the module was built at (its InitContext's; '' at the root and for modules built without
   * one): prefixes its tensors' names and its errors.
   */
  readonly path: string;

  constructor(ctx?: { readonly path: string }) {
    this.path = ctx?.path ?? '';
  }

  /** `<path>.<name>`, or `name` at the root. */
  protected key(name: string): string {
    return this.path ? `${this.path}.${name}` : name;
  }

  protected registerParameter(name: string, tensor: Tensor): Tensor {
    tensor.requiresGrad = true;
    tensor.name ??= this.key(name);
    this.parameterSlots.set(name, tensor.keep());
    return tensor;
  }

  protected registerBuffer(name: string, tensor: Tensor): Tensor {
    tensor.name ??= this.key(name);
    this.bufferSlots.set(name, tensor.keep());
    return tensor;
  }

  registerModule<M extends ModuleBase>(name: string, module: M): M {
    this.childSlots.set(name, module);
    return module;
  }

  /** Replaces a registered buffer's tensor (running statistics after an update); the old one is disposed. */
  protected replaceBuffer(name: string, tensor: Tensor): void {
    const old = this.bufferSlots.get(name);
    if (!old) throw new Error(`replaceBuffer: no buffer '${this.key(name)}'`);
    tensor.name ??= this.key(name);
    this.bufferSlots.set(name, tensor.keep());
    if (old !== tensor) old.dispose();
  }

  protected buffer(name: string): Tensor {
    const tensor = this.bufferSlots.get(name);
    if (!tensor) throw new Error(`no buffer '${this.key(name)}'`);
    return tensor;
  }

  *children(): Generator<[string, ModuleBase]> {
    yield* this.childSlots.entries();
  }

  *namedModules(prefix = ''): Generator<[string, ModuleBase]> {
    yield [prefix, this];
    for (const [name, child] of this.childSlots) yield* child.namedModules(prefix ? `${prefix}.${name}` : name);
  }

  *namedParameters(prefix = ''): Generator<[string, Tensor]> {
    for (const [name, tensor] of this.parameterSlots) yield [prefix ? `${prefix}.${name}` : name, tensor];
    for (const [name, child] of this.childSlots) yield* child.namedParameters(prefix ? `${prefix}.${name}` : name);
  }

  parameters(): Tensor[] {
    return [...this.namedParameters()].map(([, tensor]) => tensor);
  }

  /** [key, tensor] in PyTorch state_dict order: own parameters, own buffers, then children. */
  stateDict(prefix = ''): [string, Tensor][] {
    const entries: [string, Tensor][] = [];
    const key = (name: string): string => (prefix ? `${prefix}.${name}` : name);
    for (const [name, tensor] of this.parameterSlots) entries.push([key(name), tensor]);
    for (const [name, tensor] of this.bufferSlots) entries.push([key(name), tensor]);
    for (const [name, child] of this.childSlots) entries.push(...child.stateDict(key(name)));
    return entries;
  }

  /**
   * Copies values into the parameters and buffers by exact key. Strict (default): any missing, unexpected or
   * shape-mismatched key is an error listing all of them, and nothing is written.
   */
  load(state: ReadonlyMap<string, StateEntry>, options: { strict?: boolean; source?: string } = {}): LoadReport {
    const strict = options.strict ?? true;
    const own = new Map(this.stateDict());
    const report: LoadReport = { missing: [], unexpected: [], mismatched: [], loaded: 0 };
    for (const key of own.keys()) if (!state.has(key)) report.missing.push(key);
    for (const [key, entry] of state) {
      const tensor = own.get(key);
      if (!tensor) report.unexpected.push(key);
      else if (!sameShape(tensor.shape, entry.shape) && !(numel(tensor.shape) === 1 && numel(entry.shape) === 1)) {
        report.mismatched.push(`${key}: expected ${formatShape(tensor.shape)}, got ${formatShape(entry.shape)}`);
      }
    }
    if (strict && (report.missing.length || report.unexpected.length || report.mismatched.length)) {
      const list = (title: string, keys: string[]): string =>
        keys.length ? `\n  ${title} (${keys.length}): ${keys.slice(0, 20).join(', ')}${keys.length > 20 ? ', …' : ''}` : '';
      throw new Error(
        `${options.source ?? 'load'}: the weights do not match the model` +
          list('missing keys', report.missing) +
          list('unexpected keys', report.unexpected) +
          list('shape mismatches', report.mismatched),
      );
    }
    const mismatched = new Set(report.mismatched.map((line) => line.slice(0, line.indexOf(':'))));
    for (const [key, tensor] of own) {
      const entry = state.get(key);
      if (!entry || mismatched.has(key)) continue;
      tensor.gpu.write(tensor.data, entry.data);
      report.loaded++;
    }
    markWeightsChanged();
    return report;
  }

  train(mode = true): this {
    for (const [, module] of this.namedModules()) module.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const tensor of this.parameters()) {
      tensor.grad?.dispose();
      tensor.grad = undefined;
    }
  }

  /** Disposes every parameter and buffer, and what each module keeps beside them (releaseCaches). */
  dispose(): void {
    for (const [, module] of this.namedModules()) module.releaseCaches();
    for (const [, tensor] of this.stateDict()) tensor.dispose();
  }

  /** Device memory a module keeps beside its state (BatchNorm2d: the cached eval fold); none by default. */
  releaseCaches(): void {}
}

/** A module with a forward: `forward(input: In): Out` (PyTorch's nn.Module with its forward). */
export abstract class Module<In = Tensor, Out = Tensor> extends ModuleBase {
  abstract forward(input: In): Out;
}

/** Children under names, never run as one (PyTorch nn.ModuleDict): its owner runs the children it needs. */
export class ModuleDict extends ModuleBase {}

/** Children named 0, 1, 2, … applied in order (PyTorch nn.Sequential). */
export class Sequential extends Module {
  readonly layers: readonly Module[];

  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    layers.forEach((layer, index) => this.registerModule(String(index), layer));
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const layer of this.layers) y = layer.forward(y);
    return y;
  }
}

/** Children named 0, 1, 2, … held in a list (PyTorch nn.ModuleList); its owner runs them. */
export class ModuleList<M extends ModuleBase = ModuleBase> extends ModuleBase {
  readonly items: M[] = [];

  constructor(items: readonly M[] = []) {
    super();
    for (const item of items) this.append(item);
  }

  append(item: M): this {
    this.registerModule(String(this.items.length), item);
    this.items.push(item);
    return this;
  }

  get length(): number {
    return this.items.length;
  }
}
