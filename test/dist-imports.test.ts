import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../packages/cli/', import.meta.url));

it('after pnpm build, plain node imports every package from its compiled ESM', { timeout: 60_000 }, async () => {
  const script = `
    const names = ['@ulseg/kernels', '@ulseg/autograd', '@ulseg/model', '@ulseg/postprocess', '@ulseg/data', '@ulseg/train', '@ulseg/infer'];
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
    await gpu.close();
    console.log(JSON.stringify(loaded));`;
  const { stdout } = await promisify(execFile)('node', ['--input-type=module', '-e', script], { cwd: cli }).catch((error: { stderr: string }) => {
    throw new Error(`importing the built packages failed (run \`pnpm build\` first): ${error.stderr}`);
  });
  const loaded = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  expect(loaded.grad).toEqual([2, 4, 6]);
  for (const name of ['@ulseg/kernels', '@ulseg/autograd', '@ulseg/model', '@ulseg/postprocess', '@ulseg/data', '@ulseg/train', '@ulseg/infer']) expect(loaded[name]).toBeGreaterThan(3);
});

const root = fileURLToPath(new URL('..', import.meta.url));
const kernels = join(root, 'packages/kernels');

/** Files of TypeGPU (the kernels' uniform schemas, runtime/params.ts) and its dependencies, in pnpm's store. */
function typegpuFile(file: string): boolean {
  return /(^|\/)node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?(typegpu|typed-binary|tinyest|tsover-runtime)\//.test(file);
}

/** What a Node-only import looks like: a node: builtin, a bare builtin (fs, path, ...), or Dawn's `webgpu` package. */
function nodeOnly(path: string): boolean {
  return path.startsWith('node:') || builtinModules.includes(path) || path === 'webgpu' || path.startsWith('webgpu/');
}

/**
 * Bundles the public entries of @ulseg/kernels (`.`, `./reference`, `./testing`) as an app's bundler would (resolved
 * from a package that depends on it) and returns every import esbuild resolved (with its importer) and the files it bundled, relative to the kernels package.
 */
async function bundleKernels(platform: 'browser' | 'node', conditions: string[] = []): Promise<{ imports: string[]; files: string[]; code: string }> {
  const imports: string[] = [];
  const record: Plugin = {
    name: 'record-imports',
    setup(builder) {
      builder.onResolve({ filter: /.*/ }, (args) => {
        imports.push(`${args.path} (from ${args.importer ? relative(kernels, args.importer) : 'the app'})`);
        return undefined;
      });
    },
  };
  const result = await build({
    stdin: {
      contents: "export * as kernels from '@ulseg/kernels'; export * as reference from '@ulseg/kernels/reference'; export * as testing from '@ulseg/kernels/testing';",
      resolveDir: cli,
      loader: 'js',
    },
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform,
    conditions,
    external: platform === 'node' ? ['webgpu'] : [],
    logLevel: 'silent',
    absWorkingDir: root,
    plugins: [record],
  });
  const files = Object.keys(result.metafile.inputs)
    .filter((file) => file !== '<stdin>')
    .map((file) => relative(kernels, resolve(root, file)).split(sep).join('/'));
  return { imports, files, code: result.outputFiles.map((file) => file.text).join('\n') };
}

describe('the browser build of @ulseg/kernels has no Node-only import', () => {
  it('after pnpm build: its compiled ESM, as a bundler resolves it for a page, imports no node:, fs or webgpu (Dawn)', { timeout: 60_000 }, async () => {
    if (!existsSync(join(kernels, 'dist/index.js'))) throw new Error('packages/kernels/dist is missing: run `pnpm build` first');
    const { imports, files, code } = await bundleKernels('browser');
    expect(imports.filter((entry) => nodeOnly(entry.split(' ')[0]!))).toEqual([]);
    // Its own files, those of the dependency-free leaf @ulseg/base (the testing entry's Random), whose Node-only part
    // (`./node`) stays out, and TypeGPU's.
    expect(files.filter((file) => !file.startsWith('dist/') && !file.startsWith('../base/dist/') && !typegpuFile(file))).toEqual([]);
    expect(files.some(typegpuFile)).toBe(true);
    expect(files).toContain('../base/dist/random.js');
    expect(files.filter((file) => file.startsWith('../base/dist/node'))).toEqual([]);
    expect(files).toContain('dist/device/provider-browser.js');
    expect(files).not.toContain('dist/device/provider-node.js');
    expect(code).not.toMatch(/\brequire\(|["']node:|["']webgpu["']/);
  });

  it('from the TypeScript source (the `source` condition the browser tests bundle with), the same holds', { timeout: 60_000 }, async () => {
    const { imports, files } = await bundleKernels('browser', ['source']);
    expect(imports.filter((entry) => nodeOnly(entry.split(' ')[0]!))).toEqual([]);
    expect(files.filter((file) => !file.startsWith('src/') && !file.startsWith('../base/src/') && !typegpuFile(file))).toEqual([]);
    expect(files).toContain('../base/src/random.ts');
    expect(files.filter((file) => file.startsWith('../base/src/node'))).toEqual([]);
    expect(files).toContain('src/device/provider-browser.ts');
    expect(files).not.toContain('src/device/provider-node.ts');
  });

  it('the check sees Node-only imports where they are: the Node build takes provider-node (node:fs, node:module)', { timeout: 60_000 }, async () => {
    const { imports, files } = await bundleKernels('node', ['source']);
    expect(files).toContain('src/device/provider-node.ts');
    const found = imports.filter((entry) => nodeOnly(entry.split(' ')[0]!)).map((entry) => entry.split(' ')[0]);
    expect(found).toEqual(expect.arrayContaining(['node:fs', 'node:module']));
  });

  it('after pnpm build: the type declarations need no Node types', () => {
    const declarations = readdirSync(join(kernels, 'dist'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.d.ts'));
    expect(declarations).toContain('index.d.ts');
    const offending = declarations.filter((file) => /from ['"]node:|reference types="node"|\bNodeJS\./.test(readFileSync(join(kernels, 'dist', file), 'utf8')));
    expect(offending).toEqual([]);
  });
});
