import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../packages/cli/', import.meta.url));

it('after pnpm build, plain node imports every package from its compiled ESM', { timeout: 60_000 }, async () => {
  const script = `
    const names = ['@ulseg/kernels', '@ulseg/autograd', '@ulseg/model', '@ulseg/postprocess', '@ulseg/data'];
    const loaded = {};
    for (const name of names) {
      const module = await import(name);
      const url = import.meta.resolve(name);
      if (!url.includes('/dist/')) throw new Error(name + ' resolved to ' + url + ', not its dist build');
      loaded[name] = Object.keys(module).length;
    }
    const { Tensor, F } = await import('@ulseg/autograd');
    const { createGpu } = await import('@ulseg/kernels');
    const gpu = await createGpu();
    const x = Tensor.fromArray(gpu, [1, 2, 3], [3], { requiresGrad: true });
    F.sum(F.mul(x, x)).backward();
    loaded.grad = [...(await x.grad.toArray())];
    gpu.destroy();
    console.log(JSON.stringify(loaded));`;
  const { stdout } = await promisify(execFile)('node', ['--input-type=module', '-e', script], { cwd: cli }).catch((error: { stderr: string }) => {
    throw new Error(`importing the built packages failed (run \`pnpm build\` first): ${error.stderr}`);
  });
  const loaded = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  expect(loaded.grad).toEqual([2, 4, 6]);
  for (const name of ['@ulseg/kernels', '@ulseg/autograd', '@ulseg/model', '@ulseg/postprocess', '@ulseg/data']) expect(loaded[name]).toBeGreaterThan(3);
});
