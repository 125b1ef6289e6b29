/**
 * The code in packages/kernels/README.md is kept true: every ```ts block is type-checked against the package's
 * source (so every signature it shows exists as shown), and every block that needs no Node-only module is run on
 * the first test adapter, where it must finish without an error, WebGPU ones included, and print something.
 * A block may use `gpu` (a Gpu) and `device` (its GPUDevice) without declaring them.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { globals } from 'webgpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gpu } from '@ulseg/kernels';
import { destroyTestGpus, gpuFor, testAdapterKinds } from '@ulseg/kernels/testing';

const EXAMPLE = dirname(dirname(fileURLToPath(import.meta.url)));
const README = join(EXAMPLE, '../../packages/kernels/README.md');

interface Snippet {
  /** 1-based line of the README where the block's code starts. */
  readonly line: number;
  readonly code: string;
}

/** The ```ts blocks of a Markdown text. */
function snippets(markdown: string): Snippet[] {
  const found: Snippet[] = [];
  const lines = markdown.split('\n');
  for (let index = 0; index < lines.length; index++) {
    if (lines[index]!.trim() !== '```ts') continue;
    const end = lines.findIndex((text, at) => at > index && text.trim() === '```');
    if (end < 0) throw new Error(`README.md:${index + 1}: a \`\`\`ts block is not closed`);
    found.push({ line: index + 2, code: lines.slice(index + 1, end).join('\n') });
    index = end;
  }
  return found;
}

/** Lines of the generated module before the snippet's body: imports are hoisted, the rest runs in a function. */
const PRELUDE_LINES = 3;

/**
 * The snippet as a module: its import lines first, the rest as the body of `export default async function`, which
 * receives the device, the Gpu and a console (`device` and `gpu` are bound unless the snippet declares them).
 * Import lines keep their line numbers, so diagnostics map back to the README.
 */
function moduleOf(snippet: Snippet): string {
  const lines = snippet.code.split('\n');
  const declares = (name: string): boolean => new RegExp(`\\b(const|let)\\s+(\\{[^}]*\\b${name}\\b[^}]*\\}|${name})\\s*=`).test(snippet.code);
  const imports = lines.map((text) => (text.startsWith('import ') ? text : ''));
  const body = lines.map((text) => (text.startsWith('import ') ? '' : `  ${text}`));
  return [
    "import type { Gpu as SnippetGpu } from '@ulseg/kernels';",
    'export default async function snippet(snippetDevice: GPUDevice, snippetGpu: SnippetGpu, console: { log(...values: unknown[]): void }): Promise<void> {',
    `  ${declares('device') ? '' : 'const device = snippetDevice; '}${declares('gpu') ? '' : 'const gpu = snippetGpu; '}void snippetDevice; void snippetGpu;`,
    ...body,
    '}',
    ...imports,
  ].join('\n');
}

const blocks = snippets(readFileSync(README, 'utf8'));
let directory: string;
const files: string[] = [];

beforeAll(() => {
  mkdirSync(join(EXAMPLE, '.tmp'), { recursive: true });
  directory = mkdtempSync(join(EXAMPLE, '.tmp', 'readme-'));
  blocks.forEach((snippet, index) => {
    const file = join(directory, `snippet-${index}.ts`);
    writeFileSync(file, moduleOf(snippet));
    files.push(file);
  });
});

afterAll(async () => {
  if (directory) rmSync(directory, { recursive: true, force: true });
  await destroyTestGpus();
});

describe('packages/kernels/README.md', () => {
  it('has the usage snippets of the common kernel families', () => {
    const code = blocks.map((snippet) => snippet.code).join('\n');
    for (const name of ['createGpu', 'depthwiseConv2d', 'medianFilter', 'conv2d', 'gemm', 'reduce', 'unary', 'binary', 'batchNorm2dTraining', 'resizeBilinear', 'segmentationLoss', 'adam', 'convTranspose2d', 'augmentBatch']) {
      expect(code).toMatch(new RegExp(`\\b${name}\\(`));
    }
  });

  it('type-checks every ```ts block against the package', { timeout: 180_000 }, () => {
    const config = ts.getParsedCommandLineOfConfigFile(join(EXAMPLE, 'tsconfig.json'), { noEmit: true }, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    });
    if (!config) throw new Error('could not read the example tsconfig.json');
    const program = ts.createProgram(files, config.options);
    const problems = ts.getPreEmitDiagnostics(program).flatMap((diagnostic) => {
      const index = diagnostic.file ? files.indexOf(diagnostic.file.fileName) : -1;
      const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      if (index < 0) return [`${diagnostic.file?.fileName ?? 'tsc'}: ${text}`];
      const snippet = blocks[index]!;
      const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
      const lineCount = snippet.code.split('\n').length;
      // Body lines follow the prelude; import lines follow the body and its closing brace.
      const offset = line < PRELUDE_LINES + lineCount ? line - PRELUDE_LINES : line - PRELUDE_LINES - lineCount - 1;
      return [`README.md:${snippet.line + offset}: ${text}`];
    });
    expect(problems).toEqual([]);
  });

  it('runs every block that needs no Node-only module, without an error', { timeout: 180_000 }, async () => {
    Object.assign(globalThis, globals); // GPUBufferUsage and GPUMapMode, as a page has them
    const kind = testAdapterKinds()[0]!;
    const gpu: Gpu = await gpuFor(kind);
    let ran = 0;
    for (const [index, snippet] of blocks.entries()) {
      if (/from 'webgpu'/.test(snippet.code)) continue; // creates a Dawn instance of its own: type-checked only
      const printed: unknown[][] = [];
      const module = (await import(pathToFileURL(files[index]!).href)) as { default: (device: GPUDevice, gpu: Gpu, console: { log(...values: unknown[]): void }) => Promise<void> };
      try {
        await module.default(gpu.device, gpu, { log: (...values) => printed.push(values) });
        await gpu.sync();
      } catch (error) {
        throw new Error(`README.md:${snippet.line}: the block failed on ${kind}: ${(error as Error).message}`);
      }
      expect(printed.length, `README.md:${snippet.line}: the block printed nothing`).toBeGreaterThan(0);
      ran++;
    }
    expect(ran).toBeGreaterThanOrEqual(12);
  });
});
