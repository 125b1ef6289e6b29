/**
 * The page end to end in headless Chromium on SwiftShader, built as it ships (esbuild) and served from 127.0.0.1:
 * - Segment: the bundled-weights path (weights/fold1/best.safetensors, converted from the original's B0 `.pth` of
 *   test/fixtures), a real scan chosen through the file input, 2 test-time views at 64², then RSIP + EMF. The
 *   page's probability map must match the same ensemble run in Node on lavapipe (rel-L2 ≤ 1e-4), its masks (raw and
 *   post-processed) Dice ≥ 0.99 with Node's; the timings are shown, nothing is logged as an error, a screenshot is saved.
 * - Train: 2 steps of batch 2 (one Adam step apart, on the same batch) at 64² on 2 generated phantoms through @ulseg/train; the loss goes down.
 * - No WebGPU (navigator.gpu deleted before the page runs) and a bad URL parameter: one clear message each.
 * Plus the settings parser and the limit check in Node.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePng } from '@ulseg/data';
import { predictEnsemble, weightsMember } from '@ulseg/infer';
import { gpuFor } from '@ulseg/kernels/testing';
import { readWeights, writeSafetensors } from '@ulseg/model';
import { postprocessMask } from '@ulseg/postprocess';
import { chromiumExecutable, COMMON_FLAGS, SWIFTSHADER } from '../../../test/browser/adapters.js';
import { buildPage } from '../build.mjs';
import { serveDirectory } from '../serve.mjs';
import type { PageState } from '../src/page-state.js';
import { ConfigError, DEFAULT_SEGMENT, parseSettings, PARAMETER_HELP } from '../src/params.js';
import { limitProblems, REQUIRED_LIMITS } from '../src/requirements.js';

const APP = dirname(dirname(fileURLToPath(import.meta.url)));
const FIXTURES = join(APP, '../../test/fixtures');
const PTH = join(FIXTURES, 'linknet-b0/model.pth');
const SCAN = join(FIXTURES, 'bdci-samples/test_data/img/1.png');
const RESOLUTION = 64;
const VIEWS = ['identity', 'hflip'] as const;

function relativeL2(actual: Float32Array, expected: Float32Array): number {
  let difference = 0;
  let norm = 0;
  for (let index = 0; index < expected.length; index++) {
    difference += (actual[index]! - expected[index]!) ** 2;
    norm += expected[index]! ** 2;
  }
  return Math.sqrt(difference / norm);
}

function dice(a: Uint8Array, b: Uint8Array): number {
  let both = 0;
  let sum = 0;
  for (let index = 0; index < a.length; index++) {
    const x = a[index] !== 0 ? 1 : 0;
    const y = b[index] !== 0 ? 1 : 0;
    both += x * y;
    sum += x + y;
  }
  return sum === 0 ? 1 : (2 * both) / sum;
}

function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}

describe('settings and limits (Node)', () => {
  it('parses every documented parameter and refuses bad values by name', () => {
    const settings = parseSettings([
      ['tab', 'train'],
      ['weights', 'a.safetensors, b.pth'],
      ['resolution', '96'],
      ['tta', 'identity,rot180'],
      ['threshold', '0.3'],
      ['kernel', '7'],
      ['train-size', '96x64'],
      ['train-lr', '0.005'],
      ['train-network', 'Unet'],
      ['train-backbone', 'resnet34'],
      ['train-decoder-attention', 'scse'],
    ]);
    expect(settings.tab).toBe('train');
    expect(settings.segment).toMatchObject({ weights: ['a.safetensors', 'b.pth'], resolution: 96, tta: ['identity', 'rot180'], threshold: 0.3, kernel: 7, rsip: DEFAULT_SEGMENT.rsip });
    expect(settings.train).toMatchObject({ phantomWidth: [96, 96], phantomHeight: [64, 64], learningRate: 0.005, network: 'unet', encoder: 'resnet34', decoderAttention: 'scse' });
    expect(parseSettings([['train-encoder', 'efficientnet-b3']]).train).toMatchObject({ network: 'linknet', encoder: 'efficientnet-b3', decoderAttention: 'none' });
    const bad: [string, string, string][] = [
      ['resolution', '50', 'resolution must be a multiple of 32'],
      ['tta', 'sideways', "unknown view 'sideways'"],
      ['kernel', '4', 'kernel must be odd'],
      ['threshold', '2', 'threshold must be a number in [0, 1]'],
      ['train-resolution', '32', 'train-resolution must be an integer in 64..4096'],
      ['colour', 'red', "unknown parameter 'colour'"],
      ['train-network', 'segnet', "train-network: unknown network 'segnet'; available: linknet, unet, fpn, pspnet, pan, deeplabv3plus"],
      ['train-backbone', 'vgg16', "train-backbone: unknown backbone 'vgg16'; available: resnet18"],
      ['train-decoder-attention', 'scse', "train-decoder-attention: decoder attention 'scse' exists for unet only, not linknet"],
    ];
    for (const [name, value, message] of bad) {
      expect(() => parseSettings([[name, value]]), `${name}=${value}`).toThrow(ConfigError);
      expect(() => parseSettings([[name, value]])).toThrow(message);
    }
    for (const name of Object.keys(PARAMETER_HELP)) expect(readFileSync(join(APP, 'README.md'), 'utf8')).toContain(`\`${name}\``);
  });

  it('names each limit an adapter lacks', () => {
    expect(limitProblems({ ...REQUIRED_LIMITS }, 'big')).toEqual([]);
    const problems = limitProblems({ ...REQUIRED_LIMITS, maxStorageBuffersPerShaderStage: 4, maxComputeWorkgroupStorageSize: undefined }, 'GLES compat');
    expect(problems).toHaveLength(2);
    expect(problems[0]).toBe("The adapter 'GLES compat' offers maxStorageBuffersPerShaderStage = 4; ulseg's kernels need at least 8.");
    expect(problems[1]).toContain('maxComputeWorkgroupStorageSize = nothing');
  });
});

describe('the page in headless Chromium (SwiftShader)', () => {
  let outdir: string;
  let browser: Browser | undefined;
  let server: { url: string; close: () => Promise<void> } | undefined;
  let userDataDir: string | undefined;

  beforeAll(async () => {
    mkdirSync(join(APP, '.tmp'), { recursive: true });
    outdir = mkdtempSync(join(APP, '.tmp', 'test-'));
    await buildPage(outdir);
    // The bundled-weights layout of `ulseg demo`: the original's B0 .pth converted to safetensors.
    const { weights } = await readWeights(new Uint8Array(readFileSync(PTH)), PTH);
    mkdirSync(join(outdir, 'weights/fold1'), { recursive: true });
    writeFileSync(join(outdir, 'weights/fold1/best.safetensors'), writeSafetensors(weights));
    server = await serveDirectory(outdir);
    userDataDir = mkdtempSync(join(tmpdir(), 'ulseg-web-chromium-'));
    browser = await puppeteer.launch({
      executablePath: chromiumExecutable(),
      headless: true,
      args: [...SWIFTSHADER.flags(), ...COMMON_FLAGS],
      userDataDir,
      env: { ...process.env, ...SWIFTSHADER.env() } as Record<string, string>,
      protocolTimeout: 900_000,
      timeout: 60_000,
    });
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 });
    if (outdir && !process.env.ULSEG_KEEP_TEST_OUTPUT) rmSync(outdir, { recursive: true, force: true });
  });

  /** A new page with console errors and page errors collected; `prepare` runs before navigation. */
  async function open(query: string, prepare?: (page: Page) => Promise<unknown>): Promise<{ page: Page; errors: string[] }> {
    const page = await browser!.newPage();
    await page.setViewport({ width: 1200, height: 1000 });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    // The page probes for the bundled weights (weights/index.json, weights/fold<k>/best.safetensors): those 404s are expected.
    const probe = /\/weights\/(index\.json|fold\d\/best\.safetensors)$/;
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      if (/status of 404/.test(message.text()) && probe.test(message.location().url ?? '')) return;
      errors.push(`${message.text()} (${message.location().url ?? 'no URL'})`);
    });
    await prepare?.(page);
    await page.goto(`${server!.url}${query}`, { waitUntil: 'load' });
    return { page, errors };
  }

  const state = (page: Page): Promise<PageState> => page.evaluate(() => window.ulsegWeb!);
  const phase = (page: Page, key: string, values: string[], timeout: number) =>
    page.waitForFunction((name: string, wanted: string[]) => wanted.includes(document.body.dataset[name] ?? ''), { timeout }, key, values);

  it('segments a scan with the bundled weights as Node does on lavapipe, shows the timings, saves a screenshot', { timeout: 300_000 }, async () => {
    // Node: the same ensemble (the .pth itself), views and resolution on lavapipe.
    const gpu = await gpuFor('lavapipe');
    const image = decodePng(new Uint8Array(readFileSync(SCAN)), SCAN);
    const member = weightsMember('model.pth', async () => new Uint8Array(readFileSync(PTH)));
    let node;
    for await (const prediction of predictEnsemble(gpu, [member], [{ id: '1.png', load: async () => image }], { resolution: RESOLUTION, views: [...VIEWS] })) node = prediction;
    // A threshold at the median probability, so the mask of this (untrained) model covers about half the scan.
    const threshold = Number([...node!.probability].sort((a, b) => a - b)[node!.probability.length >> 1]!.toFixed(4));
    const nodeRaw = Uint8Array.from(node!.probability, (p) => (p >= threshold ? 255 : 0));
    const nodeMask = (await postprocessMask(gpu, nodeRaw, image.width, image.height, {})).mask;

    const { page, errors } = await open(`?resolution=${RESOLUTION}&tta=${VIEWS.join(',')}&threshold=${threshold}`);
    await phase(page, 'gpu', ['ready', 'missing', 'limits', 'error'], 60_000);
    expect(await page.$eval('body', (body) => body.dataset.gpu), (await state(page)).fatal).toBe('ready');
    expect(SWIFTSHADER.verify({ info: (await state(page)).gpu!, adapterFeatures: ['core-features-and-limits'] })).toEqual([]);
    await phase(page, 'weights', ['ready', 'error', 'none'], 60_000);
    const loaded = await state(page);
    expect(loaded.weights).toEqual([{ name: `${server!.url}weights/fold1/best.safetensors`, bytes: statSync(join(outdir, 'weights/fold1/best.safetensors')).size, encoder: 'Linknet on efficientnet-b0' }]);

    const input = await page.$('#scan-input');
    await (input as unknown as { uploadFile(path: string): Promise<void> }).uploadFile(SCAN);
    await phase(page, 'segment', ['done', 'error'], 240_000);
    const result = await state(page);
    expect(result.errors).toEqual([]);
    const segment = result.segment!;
    expect([segment.scan, segment.width, segment.height]).toEqual(['1.png', image.width, image.height]);
    const bytes = fromBase64(segment.probability);
    const probability = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const error = relativeL2(probability, node!.probability);
    const raw = fromBase64(segment.rawMask);
    const mask = fromBase64(segment.mask);
    console.log(`page vs Node: probability rel-L2 ${error.toExponential(2)}, Dice raw ${dice(raw, nodeRaw).toFixed(5)}, post-processed ${dice(mask, nodeMask).toFixed(5)}; page timings ${JSON.stringify(segment.timings)}`);
    expect(error).toBeLessThanOrEqual(1e-4);
    expect(dice(raw, nodeRaw)).toBeGreaterThanOrEqual(0.99);
    expect(dice(mask, nodeMask)).toBeGreaterThanOrEqual(0.99);
    expect(new Set(mask)).toEqual(new Set([0, 255]));
    const covered = mask.reduce((count, value) => count + (value ? 1 : 0), 0) / mask.length;
    expect(covered).toBeGreaterThan(0.05);
    expect(covered).toBeLessThan(0.95);
    // The timings are on the page, one row per phase.
    const timings = await page.$eval('#timings', (table) => ((table as HTMLElement).hidden ? '' : table.textContent ?? ''));
    for (const row of ['decode the scan', 'read + upload weights', 'forward × 2 views', 'ensemble with TTA', 'post-processing', 'total']) expect(timings).toContain(row);
    expect(segment.timings.ensemble).toBeGreaterThan(0);
    expect(await page.$eval('#segment-status', (element) => element.textContent)).toMatch(new RegExp(`^1\\.png: ${image.width}×${image.height}, lesion \\d+ px`));
    // The overlay canvas holds the scan at its size, with red where the mask's boundary is.
    const overlay = await page.$eval('#overlay', (canvas) => {
      const context2d = (canvas as HTMLCanvasElement).getContext('2d')!;
      const data = context2d.getImageData(0, 0, (canvas as HTMLCanvasElement).width, (canvas as HTMLCanvasElement).height).data;
      let red = 0;
      for (let index = 0; index < data.length; index += 4) if (data[index] === 255 && data[index + 1] === 32) red++;
      return { width: (canvas as HTMLCanvasElement).width, height: (canvas as HTMLCanvasElement).height, red };
    });
    expect(overlay).toMatchObject({ width: image.width, height: image.height });
    expect(overlay.red).toBeGreaterThan(0);
    const screenshot = join(outdir, 'segment.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(decodePng(new Uint8Array(readFileSync(screenshot)), screenshot).width).toBeGreaterThan(600);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('trains on generated phantoms: the loss goes down', { timeout: 600_000 }, async () => {
    const query = '?tab=train&train-images=2&train-validation=1&train-size=96x64&train-resolution=64&train-batch=2&train-epochs=2&train-lr=0.01&train-seed=1&train-autostart=1';
    const { page, errors } = await open(query);
    await phase(page, 'train', ['done', 'error', 'stopped'], 580_000);
    const result = await state(page);
    console.log(`page training log:\n${await page.$eval('#train-log', (element) => element.textContent)}`);
    expect(result.errors).toEqual([]);
    const losses = result.train!.steps.map((step) => step.loss);
    console.log(`page training: losses ${losses.map((loss) => loss.toFixed(4)).join(' ')} in ${result.train!.seconds?.toFixed(1)} s`);
    expect(result.train!.steps.map((step) => step.step)).toEqual([1, 2]);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.95);
    expect(result.train!.epochs).toHaveLength(2);
    expect(await page.$eval('#train-status', (element) => element.textContent)).toMatch(/^done: 2 steps/);
    expect(await page.$eval('#train-download', (link) => (link as HTMLElement).hidden)).toBe(false);
    await page.screenshot({ path: join(outdir, 'train.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says so when the browser has no WebGPU, and names a bad URL parameter', { timeout: 60_000 }, async () => {
    const missing = await open('', (page) => page.evaluateOnNewDocument(() => void delete (Object.getPrototypeOf(navigator) as { gpu?: unknown }).gpu));
    await phase(missing.page, 'gpu', ['missing'], 30_000);
    const text = await missing.page.$eval('#gpu-message', (element) => element.textContent ?? '');
    expect(text).toContain('This browser has no WebGPU (navigator.gpu is undefined)');
    expect((await state(missing.page)).fatal).toBe(text);
    expect(await missing.page.$eval('#scan-input', (input) => (input as HTMLInputElement).disabled)).toBe(true);
    expect(missing.errors).toEqual([]);
    await missing.page.close();

    const bad = await open('?resolution=50');
    await phase(bad.page, 'gpu', ['error'], 30_000);
    expect(await bad.page.$eval('#gpu-message', (element) => element.textContent)).toBe(
      "ConfigError: resolution must be a multiple of 32 (the encoder downsamples 5 times), got 50 (in the page's URL)",
    );
    expect(bad.errors).toEqual([]);
    await bad.page.close();
  });
});
