import { createGpu, describeGpu, type AdapterKind } from '@ulseg/kernels';

export async function runInfo(options: { adapter?: AdapterKind }): Promise<void> {
  const gpu = await createGpu(options.adapter ? { adapter: options.adapter } : {});
  try {
    process.stdout.write(`${describeGpu(gpu)}\n`);
  } finally {
    await gpu.close();
  }
}
