/**
 * The seed's Linknet-B0 (test/fixtures/linknet-b0): our model loads the original's model.pth and reproduces
 * PyTorch's eval and train logits, the Dice loss, the BatchNorm running statistics, every parameter gradient (within
 * 1e-4 relative L2 per tensor) and the parameters after one Adam step. The training forward runs BN + activation
 * as one op (nn.convBatchNorm's training fusion); its gradients are compared with the composition's (separate BN and
 * ReLU ops, whose ReLU knife edges can be sided as PyTorch's), and the composition's with PyTorch's.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { F, nn, noGrad, optim, parseNpy, Tensor, type Node } from '@ulseg/autograd';
import { compare, gpuFor, testAdapterKinds, type Comparison } from '@ulseg/kernels/testing';
import { readPth } from './weights/pth.js';
import { readSafetensors } from './weights/safetensors.js';
import { SegmentationModel } from './segmentation-model.js';
import type { WeightMap } from './weights/state-dict.js';

const fixtures = new URL('../../../test/fixtures/linknet-b0/', import.meta.url);
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, fixtures)));
const tolerances = JSON.parse(new TextDecoder().decode(read('tolerances.json'))) as { grads_zero_in_exact_arithmetic: string[] };
/** The 21 gradients that are 0 in exact arithmetic (a constant removed by a training-mode BatchNorm's mean). */
const zeroInExactArithmetic = new Set(tolerances.grads_zero_in_exact_arithmetic);
/** Their absolute bound: PyTorch's own float32 noise there is ≤ 7.5e-9, its largest gradient element 0.034. */
const ZERO_GRADIENT_NOISE = 1e-7;
/**
 * ReLU inputs closer to 0 than this are knife edges: float32 noise (PyTorch's own train logits move by 3.4e-5 from
 * float32 to float64) may put PyTorch's value on the other side of 0, which switches that element's gradient path
 * off or on. The decoder's ReLUs read ~690k BatchNorm outputs of unit scale; 12 of them lie within 1e-5 of 0 on
 * lavapipe and on SwiftShader. Many more would mean a kernel producing zeros.
 */
const KNIFE_EDGE = 1e-5;
/** Per-tensor relative L2 bound of the gradients (issue #6). */
const GRADIENT_BOUND = 1e-4;
const MAX_KNIFE_EDGES = 16;

for (const kind of testAdapterKinds()) {
  describe(`Linknet-B0 against PyTorch on ${kind}`, () => {
    let model: SegmentationModel;
    let input: Tensor;
    let target: Tensor;
    let trained: { logits: Tensor; loss: Tensor } | undefined;
    beforeAll(async () => {
      const gpu = await gpuFor(kind);
      model = new SegmentationModel(gpu, { encoder: 'efficientnet-b0', inChannels: 1, classes: 1, dropConnectRate: 0 });
      model.load(await readPth(read('model.pth'), 'model.pth'), { source: 'model.pth' });
      input = Tensor.fromNpy(gpu, read('input.npy')).keep();
      target = Tensor.fromNpy(gpu, read('target.npy')).keep();
    }, 120_000);
    afterAll(() => model?.dispose());

    it('has the original state_dict: 455 keys in order, same shapes', () => {
      const expected = JSON.parse(new TextDecoder().decode(read('state_dict.json'))) as [string, number[]][];
      expect(model.stateDict().map(([key, tensor]) => [key, [...tensor.shape]])).toEqual(expected.map(([key, shape]) => [key, shape]));
    });

    it('eval logits match to float32 noise', { timeout: 120_000 }, async () => {
      model.eval();
      const logits = noGrad(() => model.forward(input));
      const expected = parseNpy(read('eval_logits.npy')).data;
      const result = compare(await logits.toArray(), expected);
      expect(result.maxAbsolute).toBeLessThan(2e-6);
      logits.dispose();
    });

    it('train logits, the Dice loss and the BatchNorm running statistics match', { timeout: 300_000 }, async () => {
      model.train();
      const logits = model.forward(input);
      const train = compare(await logits.toArray(), parseNpy(read('train_logits.npy')).data);
      // PyTorch's own float32-vs-float64 difference here is 3.4e-5 (tolerances.json).
      expect(train.maxAbsolute).toBeLessThan(1e-4);
      const loss = F.diceLoss(logits, target);
      expect(Math.abs((await loss.item()) - 0.7870454285754394)).toBeLessThan(1e-6);
      const bnAfter = readSafetensors(read('bn_after.safetensors')).weights;
      const state = new Map(model.stateDict());
      for (const [name, expected] of bnAfter) {
        const result = compare(await state.get(name)!.toArray(), expected.data);
        expect(result.maxAbsolute, name).toBeLessThan(1e-5);
      }
      trained = { logits, loss };
    });

    it('every parameter gradient within 1e-4 relative L2 (fused vs composed on the same ReLU sides; composed vs PyTorch, knife edges sided by the fixture), then one Adam step', { timeout: 600_000 }, async () => {
      if (!trained) throw new Error('needs the training forward of the previous test');
      const gpu = trained.loss.gpu;
      const expected = readSafetensors(read('grads.safetensors')).weights;
      const parameters = new Map(model.namedParameters());
      expect(expected.size).toBe(260);

      // The fused training graph's gradients, then the same forward through the composition, whose ReLU nodes
      // expose their inputs for the knife-edge siding below.
      const fusedSides = await fusedActivationOutputs(trained.loss, parameters);
      trained.loss.backward();
      const fused = new Map<string, Float32Array>();
      for (const [name, parameter] of parameters) if (parameter.grad) fused.set(name, await parameter.grad.toArray());
      expect(fused.size).toBe(260);
      model.zeroGrad();
      let composed: { logits: Tensor; loss: Tensor };
      nn.setTrainingFusion(false);
      try {
        const forward = model.forward(input);
        composed = { logits: forward, loss: F.diceLoss(forward, target) };
      } finally {
        nn.setTrainingFusion(true);
      }
      trained.loss.dispose();
      trained.logits.dispose();
      const { loss, logits } = composed;

      const edges = await reluKnifeEdges(loss, parameters);
      console.log(`Linknet-B0 on ${kind}: ${edges.length} ReLU input(s) within ${KNIFE_EDGE} of 0: ${edges.map(describeEdge).join('; ') || 'none'}`);
      expect(edges.length, `ReLU inputs within ${KNIFE_EDGE} of 0`).toBeLessThanOrEqual(MAX_KNIFE_EDGES);

      // Pass 0, fused against composed: a ReLU input within a rounding of 0 may sit on the other side in the fused
      // graph (its forward rounds differently), and one such element moves the stem weight's gradient (which cancels
      // through the stem's BatchNorm) by up to 4e-3 relative L2. So the composition first takes the fused graph's
      // side at every knife edge (read from the fused outputs y = relu(z): z > 0 exactly where y > 0); then the two
      // graphs decide every ReLU alike and every gradient must agree to the bound.
      const toFused = edges.filter((edge) => {
        const y = fusedSides.get(edge.bias)?.[edge.index];
        if (y === undefined) throw new Error(`no fused BatchNorm + ReLU output for ${edge.bias}`);
        return y > 0 !== edge.x > 0;
      });
      for (const edge of toFused) writeElement(gpu, edge.input, edge.index, edge.x > 0 ? -edge.x : Math.max(-edge.x, 1e-30));
      loss.backward(undefined, { retainGraph: true });
      for (const [name, values] of fused) {
        const result = compare(values, await parameters.get(name)!.grad!.toArray());
        if (zeroInExactArithmetic.has(name)) expect(result.maxAbsolute, `${name} fused vs composed (zero in exact arithmetic)`).toBeLessThan(ZERO_GRADIENT_NOISE);
        else expect(result.relativeL2, `${name} fused vs composed, same ReLU sides`).toBeLessThanOrEqual(GRADIENT_BOUND);
      }
      console.log(`Linknet-B0 on ${kind}: the fused graph took the other side at ${toFused.map(describeEdge).join('; ') || 'no knife edge'}`);
      for (const edge of toFused) writeElement(gpu, edge.input, edge.index, edge.x);
      model.zeroGrad();

      // Pass 1, as our float32 forward decided every ReLU, catching dy at the knife edges.
      const captured = captureReluGradients(edges);
      const started = performance.now();
      loss.backward(undefined, { retainGraph: true });
      const unresolved = await gradientErrors(parameters, expected);
      const passMs = [performance.now() - started];
      const flipped = await sideKnifeEdges(edges, captured, parameters, expected);
      // Pass 2, where our sides miss the bounds, with PyTorch's sides where the fixture shows them. The forward stays
      // as it ran (its output moves by |x| < KNIFE_EDGE at those elements); only the mask bit [x > 0] that the ReLU's
      // backward reads changes.
      let errors = unresolved;
      if (flipped.length && !withinBounds(unresolved)) {
        for (const edge of flipped) writeElement(gpu, edge.input, edge.index, edge.x > 0 ? -edge.x : Math.max(-edge.x, 1e-30));
        model.zeroGrad();
        const restarted = performance.now();
        loss.backward();
        errors = await gradientErrors(parameters, expected);
        passMs.push(performance.now() - restarted);
      }
      console.log(
        `Linknet-B0 on ${kind}: PyTorch took the other side at ${flipped.map(describeEdge).join('; ') || 'no knife edge'}; worst ` +
          `relative L2 ${formatWorst(unresolved)} with our sides` +
          (passMs.length > 1 ? `, ${formatWorst(errors)} with PyTorch's` : ' (within the bounds: no second pass)') +
          ` (backward + readback ${passMs.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')})`,
      );
      for (const [name, result] of errors.perTensor) {
        if (zeroInExactArithmetic.has(name)) expect(result.maxAbsolute, `${name} (zero in exact arithmetic)`).toBeLessThan(ZERO_GRADIENT_NOISE);
        else expect(result.relativeL2, name).toBeLessThanOrEqual(GRADIENT_BOUND);
      }

      // One Adam step from the model's real gradients. Step 1 moves each element by −lr·g/(|g| + eps) (m̂ = g,
      // √v̂ = |g|): a soft sign. Where our g and PyTorch's g' differ, the parameters therefore differ by
      // lr·|g/(|g|+eps) − g'/(|g'|+eps)| (up to 2·lr where |g| ≲ eps), plus float32 rounding of p − update.
      const optimizer = new optim.Adam(model.parameters(), { learningRate: 1e-3 });
      optimizer.step();
      const stepped = readSafetensors(read('adam_step.safetensors')).weights;
      const start = await readPth(read('model.pth'), 'model.pth');
      const soft = (g: number): number => g / (Math.abs(g) + 1e-8);
      let elements = 0;
      let within1e6 = 0;
      for (const [name, parameter] of parameters) {
        const got = await parameter.toArray();
        const want = stepped.get(name);
        if (!want) {
          // No gradient (encoder._conv_head, encoder._bn1 are never run): Adam leaves them alone, as torch does.
          expect(parameter.grad, name).toBeUndefined();
          expect(compare(got, start.get(name)!.data).maxAbsolute, name).toBe(0);
          continue;
        }
        const ours = await parameter.grad!.toArray();
        const theirs = expected.get(name)!.data;
        for (let index = 0; index < got.length; index++) {
          const difference = Math.abs(got[index]! - want.data[index]!);
          const allowed = 1e-3 * Math.abs(soft(ours[index]!) - soft(theirs[index]!)) + 2.5e-7;
          if (!(difference <= allowed)) {
            throw new Error(
              `${name}[${index}] after one Adam step: ${got[index]} vs torch ${want.data[index]} (|Δ| ${difference.toExponential(2)} > ` +
                `${allowed.toExponential(2)} from gradients ${ours[index]} vs ${theirs[index]})`,
            );
          }
          if (difference <= 1e-6) within1e6++;
        }
        elements += got.length;
      }
      expect(elements).toBe(3_754_433);
      // The soft sign amplifies gradient noise only where |g| ≲ 1e-6: a small share of the elements.
      expect(within1e6 / elements).toBeGreaterThan(0.99);
      optimizer.dispose();
      loss.dispose();
      logits.dispose();
    });
  });
}

interface KnifeEdge {
  /** The ReLU's tape node, its input (a BatchNorm output) and the element. */
  node: Node;
  input: Tensor;
  index: number;
  x: number;
  /** The module (the BatchNorm's name without `.1`), the BatchNorm's bias parameter and the element's channel. */
  module: string;
  bias: string;
  channel: number;
}

function describeEdge(edge: KnifeEdge): string {
  const [, channels, height, width] = edge.input.shape as [number, number, number, number];
  const plane = height * width;
  const image = Math.floor(edge.index / (channels * plane));
  return `${edge.module} ReLU [n ${image}, c ${edge.channel}, element ${edge.index % plane} of ${plane}] x = ${edge.x.toExponential(2)}`;
}

const formatWorst = (errors: GradientErrors): string => `${errors.worst.relativeL2.toExponential(2)} (${errors.worst.name})`;

/**
 * Every element with |x| < KNIFE_EDGE at the input of a ReLU in the graph of `root`, found through the tape. Our
 * ReLUs follow a training-mode BatchNorm (conv → BN → ReLU in each decoder stage), named from its parameters.
 */
async function reluKnifeEdges(root: Tensor, parameters: ReadonlyMap<string, Tensor>): Promise<KnifeEdge[]> {
  const names = new Map([...parameters].map(([name, tensor]) => [tensor, name]));
  const edges: KnifeEdge[] = [];
  for (const node of tapeNodes(root)) {
    if (node.op !== 'relu') continue;
    const input = node.inputs[0]!;
    const bias = input.node?.op === 'batchNorm2d' ? names.get(input.node.inputs[2]!) : undefined;
    if (!bias) throw new Error(`a ReLU of input ${input} does not follow a BatchNorm of the model`);
    const [, channels, height, width] = input.shape as [number, number, number, number];
    const module = bias.replace(/\.1\.bias$/, '');
    (await input.toArray()).forEach((x, index) => {
      if (Math.abs(x) >= KNIFE_EDGE) return;
      edges.push({ node, input, index, x, module, bias, channel: Math.floor(index / (height * width)) % channels });
    });
  }
  return edges.sort((a, b) => Math.abs(a.x) - Math.abs(b.x));
}

/**
 * The outputs y = act(BN(x)) of the fused graph's BatchNorm + activation ops, by the BatchNorm's bias name, read
 * through the tape from their consumers before the backward frees them.
 */
async function fusedActivationOutputs(root: Tensor, parameters: ReadonlyMap<string, Tensor>): Promise<Map<string, Float32Array>> {
  const names = new Map([...parameters].map(([name, tensor]) => [tensor, name]));
  const outputs = new Map<string, Float32Array>();
  for (const node of tapeNodes(root)) {
    for (const input of node.inputs) {
      const bias = input.node?.op === 'batchNormActivation' ? names.get(input.node.inputs[2]!) : undefined;
      if (bias !== undefined && !outputs.has(bias)) outputs.set(bias, await input.toArray());
    }
  }
  return outputs;
}

/** Every node of the graph of `root` once, depth first through the tape. */
function* tapeNodes(root: Tensor): Generator<Node> {
  const seen = new Set<Node>();
  const stack: Node[] = root.node ? [root.node] : [];
  while (stack.length) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    for (const input of node.inputs) if (input.node) stack.push(input.node);
    yield node;
  }
}

/**
 * Keeps a copy of the gradient dy that reaches each knife-edge ReLU in the next backward pass: the test wraps those
 * nodes' backward (an own property on the node instance, gone after the pass), so the library needs no hook.
 */
function captureReluGradients(edges: readonly KnifeEdge[]): Map<Node, Tensor> {
  const captured = new Map<Node, Tensor>();
  for (const node of new Set(edges.map((edge) => edge.node))) {
    const backward = node.backward.bind(node);
    node.backward = (dy) => {
      captured.set(node, dy.detach().keep());
      delete (node as { backward?: unknown }).backward;
      return backward(dy);
    };
  }
  return captured;
}

/**
 * Which knife edges PyTorch put on the other side. Flipping the mask bit of element e (channel c) of a ReLU that
 * follows BatchNorm β changes exactly one thing next to it: dβ_c = Σ dy·[x > 0] moves by ∓dy_e. So for the edges of
 * each (β, c) we pick the subset of flips that brings our dβ_c closest to PyTorch's; pass 2 then checks every tensor.
 */
async function sideKnifeEdges(
  edges: readonly KnifeEdge[],
  captured: ReadonlyMap<Node, Tensor>,
  parameters: ReadonlyMap<string, Tensor>,
  expected: WeightMap,
): Promise<KnifeEdge[]> {
  const dy = new Map<Node, Float32Array>();
  for (const [node, tensor] of captured) {
    dy.set(node, await tensor.toArray());
    tensor.dispose();
  }
  const groups = new Map<string, KnifeEdge[]>();
  for (const edge of edges) {
    const key = `${edge.bias}[${edge.channel}]`;
    groups.set(key, [...(groups.get(key) ?? []), edge]);
  }
  const flipped: KnifeEdge[] = [];
  for (const group of groups.values()) {
    const { bias, channel } = group[0]!;
    const ours = (await parameters.get(bias)!.grad!.toArray())[channel]!;
    const theirs = expected.get(bias)!.data[channel]!;
    const shifts = group.map((edge) => (edge.x > 0 ? -1 : 1) * dy.get(edge.node)![edge.index]!);
    let best = { subset: 0, error: Math.abs(ours - theirs) };
    for (let subset = 1; subset < 1 << group.length; subset++) {
      const moved = shifts.reduce((total, shift, bit) => (subset & (1 << bit) ? total + shift : total), ours);
      if (Math.abs(moved - theirs) < best.error) best = { subset, error: Math.abs(moved - theirs) };
    }
    group.forEach((edge, bit) => {
      if (best.subset & (1 << bit)) flipped.push(edge);
    });
  }
  return flipped;
}

/** Overwrites one element of a tensor in place (the ReLU's saved input shares its storage). */
function writeElement(gpu: Tensor['gpu'], tensor: Tensor, index: number, value: number): void {
  gpu.write({ buffer: tensor.data.buffer, shape: [1], offset: index }, Float32Array.of(value));
}

interface GradientErrors {
  perTensor: Map<string, Comparison>;
  /** The largest relative L2 error among the tensors compared relatively. */
  worst: { name: string; relativeL2: number };
}

function withinBounds(errors: GradientErrors): boolean {
  return [...errors.perTensor].every(([name, result]) =>
    zeroInExactArithmetic.has(name) ? result.maxAbsolute < ZERO_GRADIENT_NOISE : result.relativeL2 <= GRADIENT_BOUND,
  );
}

async function gradientErrors(parameters: ReadonlyMap<string, Tensor>, expected: WeightMap): Promise<GradientErrors> {
  const perTensor = new Map<string, Comparison>();
  let worst = { name: '', relativeL2: 0 };
  for (const [name, want] of expected) {
    const grad = parameters.get(name)?.grad;
    if (!grad) throw new Error(`no gradient for ${name}`);
    const result = compare(await grad.toArray(), want.data);
    perTensor.set(name, result);
    if (!zeroInExactArithmetic.has(name) && result.relativeL2 > worst.relativeL2) worst = { name, relativeL2: result.relativeL2 };
  }
  return { perTensor, worst };
}
