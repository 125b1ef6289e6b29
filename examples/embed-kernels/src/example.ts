/**
 * @ulseg/kernels inside an app that owns its WebGPU device and buffers (the same code runs in a page and in Node):
 *   y = act(depthwise(x, w) + bias)     x: [N, C, H, W], w: [C, 1, K, K], bias: [C]  →  y: [N, C, OH, OW]
 *       y[n, c, oh, ow] = act(bias[c] + Σ_{kh, kw} w[c, 0, kh, kw] · x[n, c, oh·s + kh − pt, ow·s + kw − pl])
 *       (zero padding; OH = ⌊(H + pt + pb − K)/s⌋ + 1, likewise OW)
 *   filtered = k × k median of image    image, filtered: [N, 1, H, W], 8-bit values as float32, replicate border
 * Every tensor is float32 in C order (NCHW, PyTorch's layout). The app creates the buffers, writes the inputs,
 * hands the buffers to the kernels with gpu.wrap (no copy), and reads the outputs back with its own encoder.
 */
import { convGeometry, convOutputShape, createGpu, depthwiseConv2d, describeGpu, medianFilter, type GpuInfo } from '@ulseg/kernels';
import type { ExampleConfig } from './config.js';
import { makeInputs } from './inputs.js';

export interface ExampleResult {
  readonly config: ExampleConfig;
  readonly gpu: {
    readonly info: GpuInfo;
    /** describeGpu(): adapter, features and limits in words. */
    readonly description: string;
    /** Features of the adapter itself (not only of the device the app requested). */
    readonly adapterFeatures: readonly string[];
  };
  readonly shapes: { readonly x: number[]; readonly weight: number[]; readonly y: number[]; readonly image: number[] };
  /** The inputs the app wrote (plain arrays, so the result survives JSON). */
  readonly inputs: { readonly x: number[]; readonly weight: number[]; readonly bias: number[]; readonly image: number[] };
  /** What the kernels wrote into the app's output buffers, read back by the app. */
  readonly outputs: { readonly y: number[]; readonly filtered: number[] };
  /** Milliseconds from the first kernel call to both outputs being back on the CPU. */
  readonly milliseconds: number;
}

/** A buffer of the app's, created mapped and filled with `data` (float32). */
function bufferWith(device: GPUDevice, label: string, data: Float32Array, usage: GPUBufferUsageFlags): GPUBuffer {
  const buffer = device.createBuffer({ label, size: data.byteLength, usage, mappedAtCreation: true });
  new Float32Array(buffer.getMappedRange()).set(data);
  buffer.unmap();
  return buffer;
}

/** The app's own read-back: one encoder copies every buffer into a MAP_READ twin; one submit; map them all. */
async function readBack(device: GPUDevice, buffers: readonly GPUBuffer[]): Promise<Float32Array[]> {
  const encoder = device.createCommandEncoder({ label: 'example read-back' });
  const copies = buffers.map((buffer) => {
    const copy = device.createBuffer({ label: `${buffer.label} read-back`, size: buffer.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    encoder.copyBufferToBuffer(buffer, 0, copy, 0, buffer.size);
    return copy;
  });
  device.queue.submit([encoder.finish()]);
  return Promise.all(
    copies.map(async (copy) => {
      await copy.mapAsync(GPUMapMode.READ);
      const values = new Float32Array(copy.getMappedRange().slice(0));
      copy.destroy();
      return values;
    }),
  );
}

/**
 * Runs the depthwise convolution and the median filter on buffers the app creates on `device`. `adapter`, when
 * given, is reported (createGpu classifies it: lavapipe, SwiftShader or hardware, which picks the kernels' tiles).
 */
export async function runExample(device: GPUDevice, config: ExampleConfig, adapter?: GPUAdapter): Promise<ExampleResult> {
  const [n, c, h, w] = config.shape;
  const k = config.kernel;
  const xShape = [n, c, h, w];
  const weightShape = [c, 1, k, k];
  const imageShape = [n, 1, h, w];
  // The output size, from the same geometry the kernel validates (throws naming the shapes if there is none).
  const yShape = convOutputShape(convGeometry('depthwiseConv2d', xShape, weightShape, { stride: config.stride, padding: config.padding, groups: c }));
  const inputs = makeInputs(config);

  // 1. The app's buffers. Kernels bind every operand as a storage buffer; outputs also need COPY_SRC to be read back.
  //    Outputs start as NaN, so an element no kernel wrote would show.
  const input = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
  const output = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
  const nan = (count: number): Float32Array => new Float32Array(count).fill(Number.NaN);
  const buffers = {
    x: bufferWith(device, 'x', inputs.x, input),
    weight: bufferWith(device, 'weight', inputs.weight, input),
    bias: bufferWith(device, 'bias', inputs.bias, input),
    y: bufferWith(device, 'y', nan(yShape.reduce((a, b) => a * b)), output),
    image: bufferWith(device, 'image', inputs.image, input),
    filtered: bufferWith(device, 'filtered', nan(inputs.image.length), output),
  };

  // 2. ulseg on the app's device: nothing is requested, and gpu.destroy() leaves the device and the buffers alone.
  const gpu = await createGpu({ device, ...(adapter ? { adapterInfo: adapter.info } : {}) });
  try {
    // 3. The buffers as tensors, checked (usage, size, alignment, limits) and not copied.
    const x = gpu.wrap(buffers.x, xShape);
    const weight = gpu.wrap(buffers.weight, weightShape);
    const bias = gpu.wrap(buffers.bias, [c]);
    const y = gpu.wrap(buffers.y, yShape);
    const image = gpu.wrap(buffers.image, imageShape);
    const filtered = gpu.wrap(buffers.filtered, imageShape);

    // 4. Both kernels are recorded into one compute pass; sync() submits it, waits, and throws any WebGPU error
    //    naming the kernels. Work the app submits after this point sees the results.
    const started = performance.now();
    depthwiseConv2d(gpu, x, weight, { bias, stride: config.stride, padding: config.padding, activation: config.activation, out: y });
    medianFilter(gpu, image, config.median, { out: filtered });
    await gpu.sync();

    // 5. The app reads its output buffers back with its own encoder.
    const [yValues, filteredValues] = await readBack(device, [buffers.y, buffers.filtered]);
    const milliseconds = performance.now() - started;
    return {
      config,
      gpu: { info: gpu.info, description: describeGpu(gpu), adapterFeatures: adapter ? [...adapter.features].sort() : [] },
      shapes: { x: xShape, weight: weightShape, y: yShape, image: imageShape },
      inputs: { x: Array.from(inputs.x), weight: Array.from(inputs.weight), bias: Array.from(inputs.bias), image: Array.from(inputs.image) },
      outputs: { y: Array.from(yValues!), filtered: Array.from(filteredValues!) },
      milliseconds,
    };
  } finally {
    gpu.destroy();
    for (const buffer of Object.values(buffers)) buffer.destroy();
  }
}

/** Fraction of pixels that are 0 or 255 (the salt-and-pepper noise). */
function saltAndPepper(values: readonly number[]): number {
  return values.filter((v) => v === 0 || v === 255).length / Math.max(values.length, 1);
}

/** A few lines about a result, for the page and the terminal. */
export function summarize(result: ExampleResult): string {
  let low = Infinity;
  let high = -Infinity;
  let notFinite = 0;
  for (const v of result.outputs.y) {
    if (!Number.isFinite(v)) notFinite++;
    else [low, high] = [Math.min(low, v), Math.max(high, v)];
  }
  const percent = (fraction: number): string => `${(100 * fraction).toFixed(1)}%`;
  return [
    result.gpu.description.split('\n')[0]!,
    `depthwise conv2d: x [${result.shapes.x.join(', ')}] * w [${result.shapes.weight.join(', ')}] + bias, ${result.config.activation}, ` +
      `stride ${result.config.stride}, padding ${JSON.stringify(result.config.padding)} -> y [${result.shapes.y.join(', ')}], ` +
      `values in [${low.toFixed(4)}, ${high.toFixed(4)}], ${notFinite} not finite`,
    `median ${result.config.median}x${result.config.median}: image [${result.shapes.image.join(', ')}], salt-and-pepper pixels ` +
      `${percent(saltAndPepper(result.inputs.image))} -> ${percent(saltAndPepper(result.outputs.filtered))}`,
    `both kernels and the read-back: ${result.milliseconds.toFixed(1)} ms (first run: includes compiling the two pipelines)`,
  ].join('\n');
}
