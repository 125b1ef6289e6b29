/**
 * `pnpm bench` / `pnpm bench all` (the argument parsing and the runner of both suites), the model run's chart
 * (ours vs the peer per row and adapter) and its place in RESULTS.md and report.html. No GPU: the records are
 * made up here, and timing is never asserted.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAll, type SuiteRunner } from '../src/all.js';
import { ALL_MODEL_PEER_ARGUMENTS, allPlan, parseArguments, parseModelArguments, QUICK_KERNEL_ARGUMENTS, QUICK_MODEL_ARGUMENTS, USAGE } from '../src/args.js';
import { modelChartFileName, modelChartTitle, renderModelChart } from '../src/model/chart.js';
import { DEFAULT_MODEL_SETTINGS } from '../src/model/model-config.js';
import { modelRecordFileName } from '../src/model/report.js';
import type { ModelMeasurement, ModelRow, ModelRunRecord, PeerOutcome } from '../src/model/schema.js';
import { writeModelRun } from '../src/model/write.js';
import { redrawAll } from '../src/report/write.js';
import { SCHEMA } from '../src/schema.js';

describe('pnpm bench arguments', () => {
  it('runs every suite without one (plain pnpm bench) and with `all`: kernels, then the model with the ORT peer', () => {
    for (const argv of [[], ['--'], ['all'], ['--', 'all']]) {
      const args = parseArguments(argv);
      expect(args, argv.join(' ')).toMatchObject({ suite: 'all', quick: false, shared: [], write: true, node: true, browser: true });
      expect(allPlan(args)).toEqual({ kernels: [], model: ['--peer', 'ort'] });
    }
    // Each suite keeps its own defaults.
    const model = parseModelArguments(allPlan(parseArguments([])).model);
    expect(model.settings).toEqual({ ...DEFAULT_MODEL_SETTINGS, peer: 'ort' });
    expect(model).toMatchObject({ node: true, browser: true, browserAdapters: ['swiftshader'], write: true });
    const kernels = parseArguments(['kernels', ...allPlan(parseArguments([])).kernels]);
    expect(kernels).toMatchObject({ suite: 'kernels', repeats: 10, warmup: 2, maxSeconds: 20, browserAdapters: ['swiftshader', 'compat'], peers: true });
  });

  it('all --quick: kernels with 2 repeats, the model on B0 at 64², batch 1 and 2, forward only, 2 repeats', () => {
    for (const argv of [['all', '--quick'], ['--quick'], ['--', '--quick', 'all']]) {
      const args = parseArguments(argv);
      expect(args, argv.join(' ')).toMatchObject({ suite: 'all', quick: true });
      const plan = allPlan(args);
      expect(plan.kernels).toEqual(QUICK_KERNEL_ARGUMENTS);
      expect(plan.model).toEqual([...QUICK_MODEL_ARGUMENTS, ...ALL_MODEL_PEER_ARGUMENTS]);
    }
    const plan = allPlan(parseArguments(['all', '--quick']));
    expect(parseArguments(['kernels', ...plan.kernels])).toMatchObject({ repeats: 2, warmup: 1, maxSeconds: 5, node: true, browser: true });
    const model = parseModelArguments(plan.model);
    expect(model.settings).toMatchObject({ encoder: 'efficientnet-b0', resolution: 64, batches: [1, 2], passes: ['forward'], repeats: 2, peer: 'ort' });
    expect(model).toMatchObject({ node: true, browser: true, write: true });
  });

  it('passes --no-write and the adapter options to both suites', () => {
    const args = parseArguments(['all', '--quick', '--no-write', '--node-only', '--adapter', 'swiftshader']);
    expect(args).toMatchObject({ suite: 'all', quick: true, write: false, browser: false, shared: ['--no-write', '--node-only', '--adapter', 'swiftshader'] });
    const plan = allPlan(args);
    expect(parseArguments(['kernels', ...plan.kernels])).toMatchObject({ write: false, browser: false, adapter: 'swiftshader', repeats: 2 });
    expect(parseModelArguments(plan.model)).toMatchObject({ write: false, browser: false, adapter: 'swiftshader' });
    const browser = allPlan(parseArguments(['--browser-only', '--browser-adapters', 'chromium/compat']));
    expect(browser.model).toEqual(['--peer', 'ort', '--browser-only', '--browser-adapters', 'compat']);
    expect(parseModelArguments(browser.model)).toMatchObject({ node: false, browserAdapters: ['compat'] });
  });

  it('keeps --help / -h printing the usage, which says what pnpm bench runs and how long it takes', () => {
    for (const argv of [['--help'], ['-h'], ['all', '--help'], ['--', '-h'], ['kernels', '--help']]) expect(parseArguments(argv).suite, argv.join(' ')).toBe('help');
    expect(USAGE).toMatch(/^Usage: pnpm bench \[<suite>\]/);
    expect(USAGE).toMatch(/all {7}the default \(plain `pnpm bench`\)/);
    expect(USAGE).toContain('--peer ort');
    expect(USAGE).toContain(`--quick`);
    expect(USAGE).toContain(QUICK_MODEL_ARGUMENTS.join(' '));
    expect(USAGE).toMatch(/takes hours/);
  });

  it('rejects --quick with a single suite, kernel-only options with all, and unknown suites', () => {
    const fails = (argv: string[], message: RegExp): void => expect(() => parseArguments(argv), argv.join(' ')).toThrow(message);
    fails(['kernels', '--quick'], /--quick goes with pnpm bench all/);
    fails(['all', '--filter', 'conv'], /--filter: an option of the kernels suite alone .*pnpm bench all takes --gpu, --quick/);
    fails(['--repeats', '3'], /--repeats: an option of the kernels suite alone/);
    fails(['bogus'], /unknown suite 'bogus' \(all, kernels, model, report\)/);
    fails(['all', 'kernels'], /one suite at a time/);
    fails(['--node-only', '--browser-only'], /exclude each other/);
    fails(['kernels', '--repeats'], /option '--repeats <n>' argument missing/);
    fails(['kernels', '--bogus'], /unknown option '--bogus' for the kernels suite/);
    // The suite's name may follow its options (the values of options are not taken for a suite).
    expect(parseArguments(['--node-only', 'kernels', '--filter', 'model', '--repeats', '3'])).toMatchObject({ suite: 'kernels', browser: false, filter: 'model', repeats: 3 });
    // The kernels suite alone is unchanged.
    expect(parseArguments(['kernels', '--filter', 'conv', '--repeats', '3'])).toMatchObject({ suite: 'kernels', filter: 'conv', repeats: 3, quick: false });
    expect(parseArguments(['report']).suite).toBe('report');
  });
});

describe('pnpm bench all runs both suites', () => {
  const quiet = { log: () => undefined, error: () => undefined };

  it('runs the kernels, then the model, each with its arguments; 0 when both pass', async () => {
    const calls: string[] = [];
    const runner = (name: string): SuiteRunner => async (argv, invokedAs) => {
      calls.push(`${name} ${argv.join(' ')} | ${invokedAs}`);
      return 0;
    };
    const plan = allPlan(parseArguments(['all', '--quick']));
    const { code, outcomes } = await runAll({ plan, command: 'pnpm bench all --quick', runners: { kernels: runner('kernels'), model: runner('model') }, ...quiet });
    expect(code).toBe(0);
    expect(calls).toEqual([
      `kernels ${QUICK_KERNEL_ARGUMENTS.join(' ')} | pnpm bench all --quick`,
      `model ${[...QUICK_MODEL_ARGUMENTS, '--peer', 'ort'].join(' ')} | pnpm bench all --quick`,
    ]);
    expect(outcomes.map((outcome) => [outcome.suite, outcome.code, outcome.error])).toEqual([['kernels', 0, null], ['model', 0, null]]);
  });

  it('still runs the model when the kernels throw or fail, and exits 1 if either failed', async () => {
    const plan = allPlan(parseArguments([]));
    const ran: string[] = [];
    const errors: string[] = [];
    const thrown = await runAll({
      plan,
      command: 'pnpm bench',
      runners: {
        kernels: () => Promise.reject(new Error('Chromium did not start')),
        model: async () => {
          ran.push('model');
          return 0;
        },
      },
      log: () => undefined,
      error: (line) => errors.push(line),
    });
    expect(ran).toEqual(['model']);
    expect(thrown.code).toBe(1);
    expect(thrown.outcomes[0]).toMatchObject({ suite: 'kernels', code: 1, error: 'Chromium did not start' });
    expect(errors.join('\n')).toMatch(/kernels suite threw: Chromium did not start[\s\S]*kernels failed \(exit 1\).*model ok/);

    const modelFails = await runAll({ plan, command: 'pnpm bench', runners: { kernels: async () => 0, model: async () => 1 }, ...quiet });
    expect(modelFails.code).toBe(1);
    expect(modelFails.outcomes.map((outcome) => outcome.code)).toEqual([0, 1]);
  });
});

// ----- the model chart -----

function measurement(medianMs: number): ModelMeasurement {
  return {
    status: 'ok',
    coldMs: medianMs * 3,
    coldPipelines: 10,
    warmup: 2,
    repeats: 2,
    medianMs,
    p90Ms: medianMs * 1.1,
    minMs: medianMs * 0.9,
    samplesMs: [medianMs * 0.9, medianMs * 1.1],
    gpuMedianMs: medianMs * 0.8,
    imagesPerSecond: 1000 / medianMs,
    baseBytes: 2 ** 20,
    peakBytes: 2 ** 24,
    buffersCreatedWhileTimed: 0,
    dispatchesPerRun: 300,
    submitsPerRun: 2,
    losses: null,
  };
}

const peerOk = (medianMs: number, provider = 'webgpu'): PeerOutcome => ({
  status: 'ok',
  runs: `onnxruntime-node 1.30.0, ${provider} EP`,
  coldMs: 1500,
  medianMs,
  p90Ms: medianMs * 1.2,
  samplesMs: [medianMs],
  imagesPerSecond: 1000 / medianMs,
  note: 'logits vs ours rel-L2 1.0e-6',
});

function row(name: string, ours: ModelRow['ours'], peer: PeerOutcome | null): ModelRow {
  const [pass, batch] = name.split(' b') as [ModelRow['pass'], string];
  return {
    name,
    pass,
    batch: Number(batch),
    ours,
    profile: null,
    pytorchMs: null,
    timeVsPyTorch: null,
    peer,
    timeVsPeer: ours.status === 'ok' && peer?.status === 'ok' ? ours.medianMs / peer.medianMs : null,
  };
}

function modelRecord(label: string, stamp: string, rows: ModelRow[], peer: ModelRunRecord['peer'], settingsPeer: string | null = peer ? 'ort' : null): ModelRunRecord {
  const chromium = label.startsWith('chromium/');
  return {
    schema: SCHEMA,
    suite: 'model',
    date: `${stamp.slice(0, 10)}T${stamp.slice(11).replace('-', ':')}:00.000Z`,
    stamp,
    label,
    command: 'pnpm bench model --peer ort (part of pnpm bench all --quick)',
    git: { commit: '0123456789abcdef0123456789abcdef01234567', dirty: false },
    host: { node: 'v20.0.0', platform: 'linux x64', cpuModel: 'test CPU', cpus: 2, loadAverage: [1, 1, 1] },
    runtime: { kind: chromium ? 'chromium' : 'node', browser: chromium ? 'Chrome/150' : null, userAgent: null, flags: [], env: {} },
    adapter: { kind: chromium ? 'swiftshader' : 'lavapipe', vendor: 'mesa', architecture: '', device: '', description: `${label} adapter`, featureLevel: 'core', features: [], limits: {}, adopted: false },
    settings: { ...DEFAULT_MODEL_SETTINGS, encoder: 'efficientnet-b0', resolution: 64, batches: [1, 8], peer: settingsPeer },
    model: { name: 'Linknet-B0 (1 channel, 1 class)', parameters: 6_000_000, stateDictEntries: 300, forwardMacsPerImage: 1e8 },
    peer,
    rows,
    wallSeconds: 60,
    notes: [],
  };
}

const ORT_NODE = { name: 'onnxruntime-node', version: '1.30.0', device: 'WebGPU EP on lavapipe' };
const ORT_WEB = { name: 'onnxruntime-web', version: '1.30.0', device: "WebGPU EP on the page's adapter" };

const nodeRun = modelRecord('node/lavapipe', '2000-01-01T00-00', [
  row('forward b1', measurement(200), peerOk(120)),
  row('forward b8', measurement(2000), peerOk(900)),
  row('train-step b1', measurement(1500), { status: 'skipped', reason: 'onnxruntime-node runs inference only here (no training)' }),
  row('train-step b8', { status: 'error', error: 'out of memory\nstack' }, { status: 'skipped', reason: 'onnxruntime-node runs inference only here (no training)' }),
], ORT_NODE);
const browserRun = modelRecord('chromium/swiftshader', '2000-01-01T00-00', [
  row('forward b1', measurement(700), { status: 'error', error: 'session creation failed: no adapter' }),
  row('train-step b1', measurement(9000), { status: 'skipped', reason: 'onnxruntime-web runs inference only here (no training)' }),
], ORT_WEB);

/** The bars (rects at the panel's left edge) of a chart and their tooltips. */
const bars = (svg: string): { fill: string; stroke: string; width: number; title: string }[] =>
  [...svg.matchAll(/<rect x="130" y="[\d.]+" width="([\d.]+)" height="8" fill="([^"]+)" stroke="([^"]+)"><title>([^<]*)<\/title><\/rect>/g)].map((match) => ({
    width: Number(match[1]),
    fill: match[2]!,
    stroke: match[3]!,
    title: match[4]!,
  }));

describe('the model chart (results/<stamp>-model.svg)', () => {
  const svg = renderModelChart([nodeRun, browserRun], modelChartTitle([nodeRun, browserRun]));

  it('is an SVG titled with the model, the peer, the stamp and the commit', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(modelChartFileName('2000-01-01T00-00')).toBe('2000-01-01T00-00-model.svg');
    expect(svg).toContain('ulseg Linknet-B0 (1 channel, 1 class) at 64² vs onnxruntime-node, onnxruntime-web 2000-01-01T00-00 (commit 0123456789');
    expect(svg).toContain('warm median wall-clock per run');
    expect(svg).toContain('log scale');
  });

  it('names every row once and every adapter in the legend, ours filled and the peer outlined', () => {
    for (const name of ['forward b1', 'forward b8', 'train-step b1', 'train-step b8']) expect(svg.match(new RegExp(`>${name}</text>`, 'g')), name).toHaveLength(1);
    expect(svg.indexOf('>forward b1<')).toBeLessThan(svg.indexOf('>train-step b8<'));
    expect(svg).toContain('node/lavapipe ours</text>');
    expect(svg).toContain('chromium/swiftshader ours</text>');
    expect(svg).toContain('onnxruntime-node 1.30.0</text>');
    expect(svg).toContain('onnxruntime-web 1.30.0</text>');
  });

  it('draws a bar for ours and one for the peer where both measured, side by side, on a log axis', () => {
    const drawn = bars(svg);
    // ours: node forward b1, b8, train-step b1; chromium forward b1, train-step b1. The peer: node forward b1, b8.
    expect(drawn).toHaveLength(7);
    const ours = drawn.filter((bar) => bar.fill !== 'white');
    const peer = drawn.filter((bar) => bar.fill === 'white');
    expect(ours.map((bar) => bar.title.split(':')[0])).toEqual(['node/lavapipe ours', 'chromium/swiftshader ours', 'node/lavapipe ours', 'node/lavapipe ours', 'chromium/swiftshader ours']);
    expect(peer.map((bar) => bar.title.split(':')[0])).toEqual(['node/lavapipe onnxruntime-node (onnxruntime-node 1.30.0, webgpu EP)', 'node/lavapipe onnxruntime-node (onnxruntime-node 1.30.0, webgpu EP)']);
    expect(ours[0]!.title).toContain('median 200 ms of 2 timed runs');
    expect(peer[0]!.title).toContain('median 120 ms');
    expect(peer[0]!.stroke).toBe(ours[0]!.fill); // the same adapter's colour
    expect(ours[1]!.fill).not.toBe(ours[0]!.fill);
    // The axis spans 100 ms .. 10 s (two decades over 620 px): widths grow with log(time).
    const width = (ms: number): number => (620 * Math.log10(ms / 100)) / 2;
    expect(ours[0]!.width).toBeCloseTo(width(200), 0);
    expect(peer[0]!.width).toBeCloseTo(width(120), 0);
    expect(ours[4]!.width).toBeCloseTo(width(9000), 0);
    for (const tick of ['100 ms', '1.00 s', '10.0 s']) expect(svg).toContain(`text-anchor="middle">${tick}</text>`);
    expect(svg).toContain('200 ms · ours/onnxruntime-node 1.67x');
    expect(svg).toContain('120 ms · webgpu EP');
  });

  it('draws a peer that did not measure a row as absent (its reason in the slot), never as a zero bar', () => {
    expect(svg).not.toMatch(/width="0(\.0)?"/);
    const missing = [...svg.matchAll(/class="missing"[^>]*><title>[^<]*<\/title>([^<]*)<\/text>/g)].map((match) => match[1]);
    // Row by row, adapter by adapter. Chromium ran no batch 8: those rows have only a note for ours, no peer slot.
    expect(missing).toEqual([
      'onnxruntime-web: error (session creation failed: no adapter)',
      'ours: not run on this adapter',
      'onnxruntime-node: skipped (onnxruntime-node runs inference only here (no training))',
      'onnxruntime-web: skipped (onnxruntime-web runs inference only here (no training))',
      'ours: error (out of memory)',
      'onnxruntime-node: skipped (onnxruntime-node runs inference only here (no training))',
      'ours: not run on this adapter',
    ]);
  });

  it('has no peer slots for a run without a peer, and says so in the legend', () => {
    const alone = modelRecord('node/lavapipe', '2000-01-01T00-00', [row('forward b1', measurement(200), null)], null);
    const chart = renderModelChart([alone], modelChartTitle([alone]));
    expect(bars(chart)).toHaveLength(1);
    expect(chart).toContain('no peer</text>');
    expect(chart).not.toContain('class="missing"');
    expect(modelChartTitle([alone])).not.toContain(' vs ');
    // A peer that was asked for but could not start: its slots say so.
    const unavailable = modelRecord('node/lavapipe', '2000-01-01T00-00', [row('forward b1', measurement(200), null)], null, 'ort');
    const chart2 = renderModelChart([unavailable], modelChartTitle([unavailable]));
    expect(chart2).toContain('ort (unavailable)</text>');
    expect(chart2).toMatch(/class="missing"[^>]*><title>[^<]*<\/title>ort: not run<\/text>/);
  });
});

describe('the model chart in RESULTS.md and report.html', () => {
  const benchDir = mkdtempSync(join(tmpdir(), 'ulseg-bench-all-test-'));
  afterAll(() => rmSync(benchDir, { recursive: true, force: true }));

  it('writeModelRun writes <stamp>-model.svg beside the JSON, links it from RESULTS.md and embeds it in report.html', () => {
    const written = writeModelRun([nodeRun, browserRun], benchDir);
    expect(written.chart).toBe(join(benchDir, 'results', '2000-01-01T00-00-model.svg'));
    expect(readFileSync(written.chart, 'utf8')).toBe(renderModelChart([nodeRun, browserRun], modelChartTitle([nodeRun, browserRun])));
    const markdown = readFileSync(written.markdown, 'utf8');
    expect(markdown.match(/chart: \[results\/2000-01-01T00-00-model\.svg\]\(results\/2000-01-01T00-00-model\.svg\)/g)).toHaveLength(2);
    const html = readFileSync(written.report, 'utf8');
    expect(html).toContain('<h2>Model benchmarks</h2>');
    const chart = html.match(/<div class="model-chart"[^>]*>(<svg[\s\S]*?<\/svg>)/)?.[1] ?? '';
    expect(bars(chart)).toHaveLength(7);
    expect(chart).toContain('>train-step b8</text>');
    expect(chart).toContain('onnxruntime-node: skipped');
    expect(html.indexOf('class="model-chart"')).toBeLessThan(html.indexOf('<h3>node/lavapipe'));
    expect(html).toContain(`<a href="results/${modelRecordFileName(nodeRun)}">`);
    expect(html).toContain('<a href="results/2000-01-01T00-00-model.svg">');
  });

  it('pnpm bench report (redrawAll) redraws the model charts from the model JSON files', () => {
    const later = modelRecord('node/lavapipe', '2000-01-02T00-00', [row('forward b1', measurement(150), peerOk(100))], ORT_NODE);
    const resultsDir = join(benchDir, 'results');
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, modelRecordFileName(later)), JSON.stringify(later));
    rmSync(join(resultsDir, '2000-01-01T00-00-model.svg'));
    const paths = redrawAll(benchDir);
    expect(paths).toContain(join(resultsDir, '2000-01-01T00-00-model.svg'));
    expect(paths).toContain(join(resultsDir, '2000-01-02T00-00-model.svg'));
    expect(existsSync(join(resultsDir, '2000-01-01T00-00-model.svg'))).toBe(true);
    expect(bars(readFileSync(join(resultsDir, '2000-01-02T00-00-model.svg'), 'utf8'))).toHaveLength(2);
    // report.html: the latest run per adapter (node from the 2nd, chromium from the 1st), in one chart.
    const html = readFileSync(join(benchDir, 'report.html'), 'utf8');
    const chart = html.match(/<div class="model-chart"[^>]*>(<svg[\s\S]*?<\/svg>)/)?.[1] ?? '';
    expect(chart).toContain('latest run per adapter: 2000-01-02T00-00, 2000-01-01T00-00');
    expect(bars(chart).map((bar) => bar.title.split(':')[0])).toEqual([
      'node/lavapipe ours',
      'node/lavapipe onnxruntime-node (onnxruntime-node 1.30.0, webgpu EP)',
      'chromium/swiftshader ours',
      'chromium/swiftshader ours',
    ]);
  });
});
