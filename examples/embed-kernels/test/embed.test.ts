/**
 * The embedding example end to end: built as an app that depends on @ulseg/kernels would build it (esbuild, the
 * package's compiled dist), the page driven in headless Chromium on SwiftShader and the Node variant run on each
 * test adapter; what the kernels wrote into the app's own (NaN-filled) buffers is checked against the float64
 * references on odd sizes, and bad parameters must come back as one clear message.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdapterKind } from '@ulseg/kernels';
import { depthwiseConv2dReference, medianReference } from '@ulseg/kernels/reference';
import { assertClose, testAdapterKinds } from '@ulseg/kernels/testing';
import { chromiumExecutable, COMMON_FLAGS, SWIFTSHADER } from '../../../test/browser/adapters.js';
import { buildExample } from '../build.mjs';
import { serveDirectory } from '../serve.mjs';
import { CONFIG_HELP, configPairs, DEFAULT_CONFIG, type ExampleConfig } from '../src/config.js';
import type { ExampleResult } from '../src/example.js';
import { makeInputs } from '../src/inputs.js';

const EXAMPLE = dirname(dirname(fileURLToPath(import.meta.url)));
const KERNELS_DIST = join(EXAMPLE, '../../packages/kernels/dist/index.js');
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Odd sizes; the second has a stride, asymmetric padding and a 5x5 kernel, with another window and activation. */
const CONFIGS: readonly ExampleConfig[] = [
  DEFAULT_CONFIG,
  { shape: [1, 5, 17, 29], kernel: 5, stride: 2, padding: [2, 1, 1, 2], activation: 'relu', median: 7, seed: 2 },
];

/** Checks a result against the references, on the inputs makeInputs gives for its configuration. */
function check(result: ExampleResult, config: ExampleConfig, where: string): void {
  expect(result.config).toEqual(config);
  const inputs = makeInputs(config);
  const [n, c, h, w] = config.shape;
  expect(result.shapes).toMatchObject({ x: [n, c, h, w], weight: [c, 1, config.kernel, config.kernel], image: [n, 1, h, w] });
  for (const name of ['x', 'weight', 'bias', 'image'] as const) assertClose(result.inputs[name], inputs[name], 'exact', `${where}: input ${name}`);
  const y = depthwiseConv2dReference(inputs.x, result.shapes.x, inputs.weight, result.shapes.weight, {
    bias: inputs.bias,
    stride: config.stride,
    padding: config.padding,
    activation: config.activation,
  });
  expect(result.shapes.y).toEqual(y.shape);
  // NaN (the buffers' initial contents) arrives as null through JSON: assertClose counts it as not written.
  assertClose(result.outputs.y, y.data, 'forward', `${where}: depthwise conv2d`);
  assertClose(result.outputs.filtered, medianReference(inputs.image, result.shapes.image, config.median), 'exact', `${where}: median filter`);
}

let outdir: string;

beforeAll(async () => {
  if (!existsSync(KERNELS_DIST)) throw new Error(`${KERNELS_DIST} is missing: the example bundles @ulseg/kernels' build, run \`pnpm build\` first`);
  // Inside the example (under the git-ignored .tmp/), so that the Node bundle finds the external `webgpu` package.
  mkdirSync(join(EXAMPLE, '.tmp'), { recursive: true });
  outdir = mkdtempSync(join(EXAMPLE, '.tmp', 'test-'));
  await buildExample(outdir);
});

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe('the page, in headless Chromium on SwiftShader', () => {
  let browser: Browser | undefined;
  let server: { url: string; close: () => Promise<void> } | undefined;
  let userDataDir: string | undefined;

  beforeAll(async () => {
    const executablePath = chromiumExecutable();
    const env = SWIFTSHADER.env();
    server = await serveDirectory(outdir);
    userDataDir = mkdtempSync(join(tmpdir(), 'ulseg-example-chromium-'));
    browser = await puppeteer.launch({
      executablePath,
      headless: true,
      args: [...SWIFTSHADER.flags(), ...COMMON_FLAGS],
      userDataDir,
      env: { ...process.env, ...env } as Record<string, string>,
      protocolTimeout: 120_000,
      timeout: 60_000,
    });
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 });
  });

  /** Opens the page with `pairs` as its query; returns what it left on window and in its log, and page errors. */
  async function open(pairs: readonly (readonly [string, string])[]): Promise<{ outcome: Window['ulsegExample']; log: string; errors: string[] }> {
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    try {
      await page.goto(`${server!.url}?${new URLSearchParams(pairs.map(([key, value]) => [key, value]))}`, { waitUntil: 'load' });
      await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.status ?? ''), { timeout: 90_000 });
      const outcome = await page.evaluate(() => window.ulsegExample);
      const log = await page.$eval('#log', (element) => element.textContent ?? '');
      return { outcome, log, errors };
    } finally {
      await page.close();
    }
  }

  for (const [index, config] of CONFIGS.entries()) {
    it(`computes into the page's own buffers what the references compute (configuration ${index + 1})`, { timeout: 120_000 }, async () => {
      const { outcome, log, errors } = await open(configPairs(config));
      if (!outcome || 'error' in outcome) throw new Error(`the page failed: ${outcome?.error ?? log}\n${errors.join('\n')}`);
      const { result } = outcome;
      expect(SWIFTSHADER.verify({ info: result.gpu.info, adapterFeatures: result.gpu.adapterFeatures })).toEqual([]);
      expect(result.gpu.info.adopted).toBe(true);
      check(result, config, `chromium/swiftshader, configuration ${index + 1}`);
      expect(log).toContain(`-> y [${result.shapes.y.join(', ')}]`);
      expect(log).toContain('salt-and-pepper pixels');
      expect(errors).toEqual([]);
    });
  }

  it('shows a bad parameter as one message naming it', { timeout: 120_000 }, async () => {
    const cases: [string, string, string[]][] = [
      ['kernel', '4', ['KernelArgumentError: depthwiseConv2d', '3x3 or 5x5', 'weight [3, 1, 4, 4]']],
      ['median', '4', ['KernelArgumentError: median', 'odd integer in 1..31', 'k = 4']],
      ['shape', '2,3', ['ConfigError: shape must be 4 comma-separated integers', "'2,3'"]],
      ['colour', 'red', ["ConfigError: unknown parameter 'colour'", 'known: shape']],
    ];
    for (const [key, value, fragments] of cases) {
      const { outcome, log, errors } = await open([[key, value]]);
      if (!outcome || !('error' in outcome)) throw new Error(`${key}=${value}: the page did not fail`);
      for (const fragment of fragments) expect(outcome.error).toContain(fragment);
      expect(log).toBe(outcome.error);
      expect(errors).toEqual([]);
    }
  });
});

/** How the Node variant is pointed at an adapter of `kind`: Dawn's adapter name, and SwiftShader's ICD. */
function dawnAdapter(kind: AdapterKind): { args: string[]; env: Record<string, string> } {
  switch (kind) {
    case 'lavapipe':
      return { args: ['--adapter', 'llvmpipe'], env: {} };
    case 'swiftshader':
      return { args: ['--adapter', 'SwiftShader'], env: process.env.VK_ICD_FILENAMES ? {} : { VK_ADD_DRIVER_FILES: SWIFTSHADER_ICD } };
    default:
      return { args: [], env: {} };
  }
}

async function runNode(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', [join(outdir, 'node.mjs'), ...args], {
      env: { ...process.env, ...env },
      timeout: 90_000,
      maxBuffer: 64 * 2 ** 20,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; signal?: string; stdout: string; stderr: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout, stderr: `${failed.signal ?? ''}${failed.stderr}` };
  }
}

describe('the Node variant, on a Dawn device it creates itself', () => {
  for (const kind of testAdapterKinds()) {
    it(`computes into its own buffers what the references compute (${kind})`, { timeout: 180_000 }, async () => {
      const adapter = dawnAdapter(kind);
      for (const [index, config] of CONFIGS.entries()) {
        const run = await runNode(['--json', ...adapter.args, ...configPairs(config).map(([key, value]) => `${key}=${value}`)], adapter.env);
        if (run.code !== 0) throw new Error(`node.mjs exited with ${run.code}: ${run.stderr}`);
        const result = JSON.parse(run.stdout) as ExampleResult;
        if (kind !== 'auto') expect(result.gpu.info.kind).toBe(kind);
        check(result, config, `node/${kind}, configuration ${index + 1}`);
      }
    });
  }

  it('reports bad input in one line and exits 1', { timeout: 60_000 }, async () => {
    const lavapipe = dawnAdapter('lavapipe');
    const kernel = await runNode(['kernel=4', ...lavapipe.args], lavapipe.env);
    expect(kernel.code).toBe(1);
    const line = kernel.stderr.split('\n').find((text) => text.startsWith('error: '));
    expect(line).toMatch(/^error: KernelArgumentError: depthwiseConv2d: needs .* 3x3 or 5x5 kernel/);
    expect(kernel.stderr).not.toMatch(/\n\s+at /);
    const unknown = await runNode(['colour=red']);
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining("error: ConfigError: unknown parameter 'colour'") });
    const stray = await runNode(['--verbose']);
    expect(stray).toMatchObject({ code: 1, stderr: expect.stringContaining("unexpected argument '--verbose'") });
  });

  it('--help explains every parameter and option', async () => {
    const help = await runNode(['--help']);
    expect(help.code).toBe(0);
    for (const key of Object.keys(CONFIG_HELP)) expect(help.stdout).toMatch(new RegExp(`^  ${key} +\\S`, 'm'));
    for (const option of ['--adapter NAME', '--json', '--help']) expect(help.stdout).toContain(option);
  });
});
