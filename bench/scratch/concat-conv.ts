/* Scratch: share of cat copies (concat.insert) and their gradient narrows (concat.extract) in a network's forward
 * and training step, and the same model with conv2d reading the cat's two parts in place (profile concatConv), in one
 * process on two devices, alternating. Not a test.
 * Usage: bench/scratch/run.sh bench/scratch/concat-conv.ts [network] [backbone] [resolution] [batch] [rounds]; env ADAPTER. */
import { createGpu } from '../../packages/kernels/src/device/create-gpu.js';
import { F, noGrad, optim, scope, Tensor } from '../../packages/autograd/src/index.js';
import { SegmentationModel, checkNetwork, checkBackbone } from '../../packages/model/src/index.js';
import { loadavg } from 'node:os';

const [network = 'unet', backbone = 'resnet34', resolution = '64', batchText = '4', roundsText = '2'] = process.argv.slice(2);
const size = Number(resolution);
const batch = Number(batchText);
const rounds = Number(roundsText);
const adapter = (process.env.ADAPTER as 'lavapipe') ?? 'lavapipe';

async function setup(concatConv: boolean) {
  const gpu = await createGpu({ adapter, profile: { concatConv } });
  const model = new SegmentationModel(gpu, { network: checkNetwork(network), encoder: checkBackbone(backbone), inChannels: 1, classes: 1, seed: 1234 });
  const input = new Float32Array(batch * size * size).map((_, i) => Math.sin(i * 0.37) * 0.5 + 0.5);
  const target = new Float32Array(batch * size * size).map((_, i) => (Math.sin(i * 0.11) > 0 ? 1 : 0));
  const x = Tensor.fromArray(gpu, input, [batch, 1, size, size]).keep();
  const t = Tensor.fromArray(gpu, target, [batch, 1, size, size]).keep();
  const optimizer = new optim.Adam(model.parameters(), { learningRate: 1e-3 });
  const forward = async () => {
    model.eval();
    const y = scope(() => noGrad(() => model.forward(x)));
    await y.toArray();
    y.dispose();
  };
  const step = async () => {
    model.train();
    const loss = scope(() => F.diceLoss(model.forward(x), t));
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    await loss.item();
    loss.dispose();
  };
  return { gpu, forward, step, name: concatConv ? 'in place' : 'copy' };
}

const variants = [await setup(false), await setup(true)];
const cat = (byKernel: readonly { kernel: string; gpuMs: number; dispatches: number }[]) =>
  byKernel.filter((entry) => entry.kernel.startsWith('concat.'));
console.log(`${network} ${backbone} ${size}² batch ${batch} on ${adapter}; load ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
for (const pass of ['forward', 'step'] as const) {
  for (const variant of variants) await variant[pass](); // cold
  for (const variant of variants) {
    const profile = await variant.gpu.profile(() => variant[pass]());
    const copies = cat(profile.byKernel);
    const copyMs = copies.reduce((sum, entry) => sum + entry.gpuMs, 0);
    const convs = profile.byKernel.filter((entry) => entry.kernel.startsWith('conv2dConcat'));
    console.log(
      `${pass} ${variant.name}: profiled ${profile.gpuMs.toFixed(0)} ms GPU in ${profile.dispatches} dispatches; cat copies ${copyMs.toFixed(1)} ms ` +
        `(${((100 * copyMs) / profile.gpuMs).toFixed(2)}%: ${copies.map((e) => `${e.kernel} ${e.gpuMs.toFixed(1)} ms / ${e.dispatches}`).join(', ') || 'none'}); ` +
        `two-input convs ${convs.map((e) => `${e.kernel} ${e.gpuMs.toFixed(1)} ms / ${e.dispatches}`).join(', ') || 'none'}`,
    );
  }
  const walls: Record<string, number[]> = {};
  for (let round = 0; round < rounds; round++) {
    for (const variant of round % 2 ? [...variants].reverse() : variants) {
      const started = performance.now();
      await variant[pass]();
      (walls[variant.name] ??= []).push(performance.now() - started);
    }
  }
  for (const [name, times] of Object.entries(walls)) console.log(`${pass} ${name}: wall ${times.map((t) => (t / 1000).toFixed(2)).join(', ')} s`);
  console.log(`load ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
}
process.exit(0);
