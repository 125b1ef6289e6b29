/**
 * torch.optim.Adam (Kingma & Ba, https://arxiv.org/abs/1412.6980): state per parameter (`exp_avg`, `exp_avg_sq`,
 * `step`), created at the parameter's first step with a gradient; parameters without a gradient are skipped, as in
 * PyTorch. All updates of a step are recorded into the open batch (one submit with the rest of the training step),
 * in one `adam` call per step count, so the kernel packs the small tensors into shared dispatches.
 */
import { adam, numel, type AdamGroup, type AdamVariant } from '@ulseg/kernels';
import { Tensor } from '../tensor.js';
import { markWeightsChanged } from '../weights-version.js';

export interface AdamConfig {
  learningRate?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
  /** The kernel's dispatch layout (tests, benchmarks); default `auto`. */
  variant?: AdamVariant;
}

interface ParameterState {
  step: number;
  m: Tensor;
  v: Tensor;
}

export interface AdamStateEntry {
  step: number;
  m: Float32Array;
  v: Float32Array;
}

export class Adam {
  learningRate: number;
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly variant: AdamVariant;
  private readonly state = new Map<Tensor, ParameterState>();

  constructor(
    readonly params: readonly Tensor[],
    config: AdamConfig = {},
  ) {
    this.learningRate = config.learningRate ?? 1e-3;
    this.betas = config.betas ?? [0.9, 0.999];
    this.eps = config.eps ?? 1e-8;
    this.weightDecay = config.weightDecay ?? 0;
    this.variant = config.variant ?? 'auto';
  }

  step(): void {
    markWeightsChanged();
    // Parameters that missed a step (no gradient) are a step behind: one adam call per step count.
    const byStep = new Map<number, AdamGroup[]>();
    for (const param of this.params) {
      if (!param.grad) continue;
      let state = this.state.get(param);
      if (!state) {
        state = { step: 0, m: Tensor.zeros(param.gpu, param.shape).keep(), v: Tensor.zeros(param.gpu, param.shape).keep() };
        this.state.set(param, state);
      }
      state.step++;
      let groups = byStep.get(state.step);
      if (!groups) byStep.set(state.step, (groups = []));
      groups.push({ param: param.data, grad: param.grad.data, m: state.m.data, v: state.v.data });
    }
    const gpu = this.params[0]?.gpu;
    if (!gpu) return;
    for (const [step, groups] of byStep) {
      adam(gpu, groups, step, { learningRate: this.learningRate, betas: this.betas, eps: this.eps, weightDecay: this.weightDecay }, this.variant);
    }
  }

  zeroGrad(): void {
    for (const param of this.params) {
      param.grad?.dispose();
      param.grad = undefined;
    }
  }

  /** State per parameter index (parameters that never stepped are absent), read back from the device in one batch. */
  async stateDict(): Promise<Map<number, AdamStateEntry>> {
    const stepped = [...this.params.entries()].flatMap(([index, param]) => {
      const state = this.state.get(param);
      return state ? [{ index, state }] : [];
    });
    const gpu = stepped[0]?.state.m.gpu;
    // m and v of each stepped parameter, interleaved: values[2i] = m, values[2i + 1] = v.
    const values = gpu ? await gpu.readMany(stepped.flatMap(({ state }) => [state.m.data, state.v.data])) : [];
    return new Map(stepped.map(({ index, state }, i) => [index, { step: state.step, m: values[2 * i]!, v: values[2 * i + 1]! }]));
  }

  load(entries: ReadonlyMap<number, AdamStateEntry>): void {
    for (const [index, entry] of entries) {
      const param = this.params[index];
      if (!param) throw new Error(`Adam.load: no parameter ${index} (the optimiser has ${this.params.length})`);
      if (entry.m.length !== numel(param.shape) || entry.v.length !== numel(param.shape)) {
        throw new Error(`Adam.load: state of parameter ${index} has ${entry.m.length} values, the parameter ${numel(param.shape)}`);
      }
      const old = this.state.get(param);
      old?.m.dispose();
      old?.v.dispose();
      this.state.set(param, {
        step: entry.step,
        m: Tensor.fromArray(param.gpu, entry.m, param.shape).keep(),
        v: Tensor.fromArray(param.gpu, entry.v, param.shape).keep(),
      });
    }
  }

  dispose(): void {
    for (const state of this.state.values()) {
      state.m.dispose();
      state.v.dispose();
    }
    this.state.clear();
  }
}
