import { binary, createGpu, describeGpu, reduce, unary, type AdapterKind, type Gpu } from '@ulseg/kernels';

/** The main job. Until the pipeline lands (issues 5-8): adapter report plus a checked smoke computation. */
export async function runDemo(options: { adapter?: AdapterKind }): Promise<void> {
  const gpu = await createGpu(options.adapter ? { adapter: options.adapter } : {});
  try {
    process.stdout.write(`${describeGpu(gpu)}\n\n`);
    const result = await smoke(gpu);
    process.stdout.write(
      `smoke: mean(silu(x) * x) over ${result.count.toLocaleString('en')} elements = ${result.gpu.toPrecision(9)} ` +
        `(float64 CPU ${result.cpu.toPrecision(9)}, relative error ${result.relativeError.toExponential(2)}), ` +
        `${result.milliseconds.toFixed(1)} ms on the device\n`,
    );
    if (!(result.relativeError <= 1e-5)) throw new Error('the smoke computation disagrees with the CPU reference');
    process.stdout.write('ok\n');
  } finally {
    gpu.destroy();
  }
}

async function smoke(gpu: Gpu): Promise<{ count: number; gpu: number; cpu: number; relativeError: number; milliseconds: number }> {
  const count = 1_000_003;
  const x = new Float32Array(count);
  for (let index = 0; index < count; index++) x[index] = Math.sin(index * 0.001) * 4 + 0.25;
  const input = gpu.upload(x);
  let out = input;
  const timing = await gpu.time(() => {
    const activated = unary(gpu, 'silu', input);
    const product = binary(gpu, 'mul', activated, input);
    out = reduce(gpu, 'mean', product);
    gpu.release(activated);
    gpu.release(product);
  });
  const [value] = await gpu.read(out);
  let total = 0;
  for (const v of x) total += (v * v) / (1 + Math.exp(-v));
  const cpu = total / count;
  return { count, gpu: value ?? NaN, cpu, relativeError: Math.abs((value ?? NaN) - cpu) / Math.abs(cpu), milliseconds: timing.gpuMs ?? timing.wallMs };
}
