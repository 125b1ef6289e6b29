import { createGpu, describeGpu, type AdapterKind } from '@ulseg/kernels';
import { infoInChromium, type Runtime } from '../chromium/commands.js';

export async function runInfo(options: { adapter?: AdapterKind; runtime?: Runtime }): Promise<void> {
  if (options.runtime === 'chromium') {
    process.stdout.write(`${await infoInChromium(options.adapter)}\n`);
    return;
  }
  const gpu = await createGpu(options.adapter ? { adapter: options.adapter } : {});
  try {
    process.stdout.write(`${describeGpu(gpu)}\n`);
  } finally {
    await gpu.close();
  }
}
