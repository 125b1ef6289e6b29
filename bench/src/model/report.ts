/**
 * The model benchmark's outputs: a dated markdown section per adapter for bench/RESULTS.md, the model part of
 * bench/report.html, and reading model records back from bench/results.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeAdapterDetails } from '../adapter-details.js';
import { peakLine, type Fp32Peak } from '../gpu-peaks.js';
import { formatBytes, formatNumber } from '../report/format.js';
import { peakCell } from '../report/markdown.js';
import { labelRank } from '../report/metadata.js';
import { SCHEMA } from '../schema.js';
import { modelChartFileName, modelChartTitle, renderModelChart } from './chart.js';
import { PYTORCH_REFERENCE } from './pytorch.js';
import type { ModelRow, ModelRunRecord, PeerOutcome } from './schema.js';
import { formatSeconds } from './format.js';

/** Kernels listed per profiled row in the markdown and HTML. */
export const TOP_KERNELS = 8;

export const modelRecordFileName = (record: ModelRunRecord): string => `${record.stamp}-model-${record.label.replace(/[^a-z0-9]+/gi, '-')}.json`;

const plural = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;

const escapeCell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function peerCell(outcome: PeerOutcome | null): string {
  if (!outcome) return '-';
  if (outcome.status === 'skipped') return `skipped (${outcome.reason})`;
  if (outcome.status === 'error') return 'error';
  return `${formatSeconds(outcome.medianMs)} (${outcome.runs})`;
}

/**
 * FLOP of one run of the row: 2 per multiply-add of the forward pass times the batch; a training step counts 3x the
 * forward (the input and the weight gradients each cost about as much as the forward). Null without the row's MACs.
 */
export function modelRowFlops(row: Pick<ModelRow, 'pass' | 'batch' | 'forwardMacsPerImage'>): number | null {
  if (row.forwardMacsPerImage === undefined) return null;
  return 2 * row.forwardMacsPerImage * row.batch * (row.pass === 'train-step' ? 3 : 1);
}

/** The cells of one row, shared by the markdown and the HTML tables. */
function cells(row: ModelRow, peak: Fp32Peak | null | undefined): string[] {
  const ours = row.ours;
  if (ours.status !== 'ok') {
    const text = ours.status === 'error' ? `error: ${ours.error.split('\n')[0] ?? ''}` : `skipped: ${ours.reason}`;
    return [row.name, text, '', '', '', '', '', '', '', '', peerCell(row.peer)];
  }
  const losses = ours.losses;
  return [
    row.name,
    `${formatSeconds(ours.medianMs)} / ${formatSeconds(ours.p90Ms)} (${ours.repeats})`,
    `${formatSeconds(ours.coldMs)} (${ours.coldPipelines} pipelines)`,
    ((flops) => {
      const ofPeak = flops === null ? '' : peakCell(flops / ours.medianMs / 1e6, peak);
      return ofPeak ? `${formatNumber(ours.imagesPerSecond)} (${ofPeak})` : formatNumber(ours.imagesPerSecond);
    })(modelRowFlops(row)),
    ours.gpuMedianMs === null ? '-' : formatSeconds(ours.gpuMedianMs),
    `${formatBytes(ours.peakBytes)} (${formatBytes(ours.baseBytes)} before)`,
    `${ours.dispatchesPerRun} / ${ours.submitsPerRun}`,
    row.pytorchMs === null ? '-' : formatSeconds(row.pytorchMs),
    row.timeVsPyTorch === null ? '-' : `${formatNumber(row.timeVsPyTorch)}x`,
    losses ? `${formatNumber(losses[0]!)} → ${formatNumber(losses.at(-1)!)}` : '-',
    row.timeVsPeer === null ? peerCell(row.peer) : `${peerCell(row.peer)}, ours ${formatNumber(row.timeVsPeer)}x its time`,
  ];
}

const HEADERS = [
  'row',
  'ours median / p90 (timed runs)',
  'cold (pipelines created)',
  'images/s',
  'GPU span median',
  'peak GPU memory (pool)',
  'dispatches / submits per run',
  'PyTorch 1.13 CPU',
  'time vs PyTorch',
  'Dice loss, first → last run',
  'peer',
];

function kernelLine(row: ModelRow): string | null {
  const profile = row.profile;
  if (!profile) return null;
  const top = profile.byKernel
    .slice(0, TOP_KERNELS)
    .map((entry) => `${entry.kernel} ${formatSeconds(entry.gpuMs)} (${(100 * entry.share).toFixed(1)}%, ${entry.dispatches}x)`)
    .join(', ');
  return `${row.name}: ${formatSeconds(profile.gpuMs)} of GPU time in ${profile.dispatches} dispatches (profiled run ${formatSeconds(profile.wallMs)} wall): ${top}`;
}

function describeAdapter(record: ModelRunRecord): string {
  return record.adapter.description || record.adapter.device || record.adapter.vendor || 'unknown adapter';
}

/** `jsonPath` and `chartPath` relative to bench/ (RESULTS.md's folder); the chart is linked when given. */
export function modelMarkdownSection(record: ModelRunRecord, jsonPath: string, chartPath?: string): string {
  const { settings, model } = record;
  const lines = [
    `## ${record.date.slice(0, 16).replace('T', ' ')} UTC — model, ${record.label}`,
    '',
    `- command: \`${record.command}\``,
    `- model: ${model.name} at ${settings.resolution}x${settings.resolution}, ${model.parameters.toLocaleString('en-US')} parameters, ${formatNumber(model.forwardMacsPerImage / 1e9)} GMAC per image; seed ${settings.seed}`,
    `- adapter: ${describeAdapter(record)} (${record.adapter.kind}${record.adapter.featureLevel === 'compatibility' ? ', compatibility mode' : ''})`,
    record.runtime.kind === 'chromium'
      ? `- browser: ${record.runtime.browser ?? '?'}, flags: \`${record.runtime.flags.join(' ')}\``
      : `- runtime: Node ${record.host.node} (Dawn, npm webgpu)`,
    `- commit ${record.git.commit?.slice(0, 10) ?? '?'}${record.git.dirty ? ' (with uncommitted changes)' : ''}; peer: ${record.peer ? `${record.peer.name} ${record.peer.version} (${record.peer.device})` : 'none'}`,
    `- settings: warm-up ${settings.warmup} untimed runs per row (cold${settings.profile ? ' and profiled' : ''} included), ${plural(settings.repeats, 'timed forward pass', 'timed forward passes')} and ${plural(settings.steps, 'timed training step', 'timed training steps')} per batch size (at most ${settings.maxSeconds} s of timed runs per row); load average at start ${record.host.loadAverage.map((value) => value.toFixed(1)).join(' / ')} on ${record.host.cpus} CPUs; ${formatNumber(record.wallSeconds / 60)} min in all`,
    `- times are wall-clock from the start of recording to the device finishing (what a caller waits); PyTorch: ${PYTORCH_REFERENCE.source}; JSON: \`${jsonPath}\`${chartPath ? `; chart: [${chartPath}](${chartPath})` : ''}`,
    ...(record.adapterDetails ? [`- adapter details: ${describeAdapterDetails(record.adapterDetails)}`] : []),
    ...(record.fp32Peak !== undefined ? [`- ${peakLine(record.fp32Peak)}; a training step counts 3x the forward's FLOP`] : []),
    ...record.notes.map((note) => `- note: ${escapeCell(note)}`),
    '',
    `| ${HEADERS.join(' | ')} |`,
    `|---|${HEADERS.slice(1).map(() => '---:').join('|')}|`,
    ...record.rows.map((row) => `| ${cells(row, record.fp32Peak).map(escapeCell).join(' | ')} |`),
    '',
  ];
  const kernels = record.rows.map(kernelLine).filter((line): line is string => line !== null);
  if (kernels.length) lines.push(`GPU time per kernel (one profiled run per row, top ${TOP_KERNELS}):`, '', ...kernels.map((line) => `- ${line}`), '');
  return lines.join('\n');
}

/** Every model RunRecord under `resultsDir`, by stamp, then by adapter (Node first, as the runs go). */
export function readModelRecords(resultsDir: string): ModelRunRecord[] {
  if (!existsSync(resultsDir)) return [];
  const records: ModelRunRecord[] = [];
  for (const name of readdirSync(resultsDir).filter((file) => file.endsWith('.json')).sort()) {
    try {
      const record = JSON.parse(readFileSync(join(resultsDir, name), 'utf8')) as ModelRunRecord;
      if (record.schema === SCHEMA && record.suite === 'model') records.push(record);
    } catch {
      // not a results file
    }
  }
  return records.sort((a, b) => a.stamp.localeCompare(b.stamp) || labelRank(a.label) - labelRank(b.label) || a.label.localeCompare(b.label));
}

export interface ModelSectionOptions {
  /** The file names under bench/results (to link each run's JSON and chart where they exist). */
  readonly files?: readonly string[];
}

/**
 * The model part of report.html: a chart of the latest model run on each adapter (ours and the peer, warm median,
 * log scale; model/chart.ts), then per adapter that run's table and kernel breakdown.
 */
export function renderModelSection(records: readonly ModelRunRecord[], options: ModelSectionOptions = {}): string {
  if (records.length === 0) return '<h2>Model benchmarks</h2>\n<p class="muted">No model run yet: <code>pnpm bench model</code> (or <code>pnpm bench</code>, which runs every suite).</p>';
  const latestPerAdapter = new Map<string, ModelRunRecord>();
  for (const record of records) latestPerAdapter.set(record.label, record);
  const latest = [...latestPerAdapter.values()].sort((a, b) => labelRank(a.label) - labelRank(b.label) || a.label.localeCompare(b.label));
  const files = new Set(options.files ?? []);
  const links = (record: ModelRunRecord): string => {
    const names = [modelRecordFileName(record), modelChartFileName(record.stamp)].filter((name) => files.has(name));
    return names.length ? ` · ${names.map((name) => `<a href="results/${escapeHtml(name)}">${escapeHtml(name)}</a>`).join(', ')}` : '';
  };
  const parts = [
    '<h2>Model benchmarks</h2>',
    `<p class="muted">Generated by <code>pnpm bench model</code> (and <code>pnpm bench</code>): the latest run on each adapter (their dates differ: compare within one table). Wall-clock per run (recording to device done); time vs PyTorch = ours / ${escapeHtml(PYTORCH_REFERENCE.source)}. The chart: warm median per row and adapter, ours filled, the peer (ONNX Runtime with <code>--peer ort</code>) outlined, log scale; a row the peer did not run says why instead of a bar.</p>`,
    `<div class="model-chart" style="overflow-x:auto">${renderModelChart(latest, modelChartTitle(latest))}</div>`,
  ];
  for (const record of latest) {
    const { settings, model } = record;
    parts.push(
      `<h3>${escapeHtml(record.label)}: ${escapeHtml(model.name)} at ${settings.resolution}², ${escapeHtml(record.date.slice(0, 16).replace('T', ' '))} UTC</h3>`,
      `<p>${escapeHtml(describeAdapter(record))} · ${escapeHtml(record.runtime.browser ?? `Node ${record.host.node}`)} · load ${record.host.loadAverage.map((value) => value.toFixed(1)).join(' / ')}${
        record.notes.length ? ` · ${escapeHtml(record.notes.join(' · '))}` : ''
      }${links(record)}</p>`,
      `<table><thead><tr>${HEADERS.map((header) => `<th>${escapeHtml(header)}</th>`).join('')}</tr></thead><tbody>`,
      ...record.rows.map((row) => `<tr>${cells(row, record.fp32Peak).map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`),
      '</tbody></table>',
    );
    const kernels = record.rows.map(kernelLine).filter((line): line is string => line !== null);
    if (kernels.length) parts.push('<ul>', ...kernels.map((line) => `<li>${escapeHtml(line)}</li>`), '</ul>');
  }
  return parts.join('\n');
}
