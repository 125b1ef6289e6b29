/**
 * Copy bandwidth of the adapter: its own benchmark, and the yardstick the memory-bound rows (batch norm, Adam,
 * median, element-wise) are compared with (`copyFraction`). 64 MiB, above every cache, under every binding limit.
 */
import { copyTensor } from '@ulseg/kernels';
import { f32, type Benchmark } from '../definition.js';

const COUNT = (64 * 2 ** 20) / 4;

export const copyBenchmarks: Benchmark[] = [
  {
    name: 'copyBufferToBuffer 64 MiB',
    family: 'copy',
    pass: 'forward',
    shape: { elements: COUNT },
    flops: 0,
    bytes: f32(2 * COUNT),
    metric: 'gbs',
    requires: [],
    note: 'GPUCommandEncoder.copyBufferToBuffer: read + write',
    copyBandwidth: true,
    setup({ gpu, random }) {
      const source = random([COUNT]);
      const destination = gpu.empty([COUNT], 'copy destination');
      return {
        run: () => gpu.copy(source, destination),
        dispose: () => [source, destination].forEach((tensor) => gpu.release(tensor)),
      };
    },
  },
  copyKernelRow('auto'),
  copyKernelRow('scalar'),
];

/** copyTensor; `'scalar'` times the previous one-float32-a-lane kernel in the same run. */
function copyKernelRow(layout: 'auto' | 'scalar'): Benchmark {
  return {
    name: layout === 'scalar' ? 'copy kernel 64 MiB scalar layout' : 'copy kernel 64 MiB',
    family: 'copy',
    pass: 'forward',
    shape: { elements: COUNT },
    flops: 0,
    bytes: f32(2 * COUNT),
    metric: 'gbs',
    requires: [],
    note:
      layout === 'scalar'
        ? 'copyTensor in the scalar layout (one float32 a lane), the previous kernel, for comparison in the same run'
        : 'copyTensor: a compute shader reading and writing float32',
    setup({ gpu, random }) {
      const source = random([COUNT]);
      const destination = gpu.empty([COUNT], 'copy destination');
      return {
        run: () => void copyTensor(gpu, source, destination, layout),
        dispose: () => [source, destination].forEach((tensor) => gpu.release(tensor)),
      };
    },
  };
}
