/**
 * The chart of a model run, `results/<stamp>-model.svg`: per row (forward b1, forward b8, train-step b1 ...) and per
 * adapter, the warm median wall-clock of ours (filled) and of the peer (outlined, e.g. ONNX Runtime), side by side
 * on a log-scale time axis. A peer that did not measure a row (a training row ORT cannot run, an error, no peer) is
 * drawn as a note in its slot, never as a zero-length bar. Built from report/svg.ts's pieces like the kernel chart.
 */
import { formatNumber } from '../report/format.js';
import { legendItem, logBarPanel, svgDocument, type PanelBar, type PanelRow } from '../report/svg.js';
import { formatSeconds } from './format.js';
import type { ModelRow, ModelRunRecord } from './schema.js';

const LABEL_WIDTH = 130;
const PLOT_WIDTH = 620;
/** Room right of the plot for the longest value label (`178 s · ours/onnxruntime-node 2.50x`). */
const WIDTH = LABEL_WIDTH + PLOT_WIDTH + 230;

export const modelChartFileName = (stamp: string): string => `${stamp}-model.svg`;

const firstLine = (text: string, length = 60): string => {
  const line = text.split('\n')[0] ?? '';
  return line.length > length ? `${line.slice(0, length - 1)}…` : line;
};

/** `Linknet-B0 (1 channel, 1 class) at 64²`, or the distinct models of the records joined. */
function describeModels(records: readonly ModelRunRecord[]): string {
  return [...new Set(records.map((record) => `${record.model.name} at ${record.settings.resolution}²`))].join(', ') || 'Linknet';
}

function peerNameOf(record: ModelRunRecord): string | null {
  return record.peer?.name ?? record.settings.peer;
}

/** The chart's title: model, peer, the run's stamp and commit (several of each for the latest run per adapter). */
export function modelChartTitle(records: readonly ModelRunRecord[]): string {
  const distinct = (values: readonly (string | null)[]): string[] => [...new Set(values.filter((value): value is string => value !== null))];
  const peers = distinct(records.map(peerNameOf));
  const stamps = distinct(records.map((record) => record.stamp));
  const commits = distinct(records.map((record) => record.git.commit?.slice(0, 10) ?? '?'));
  const when = stamps.length > 1 ? `latest run per adapter: ${stamps.join(', ')}` : (stamps[0] ?? '');
  return `ulseg ${describeModels(records)}${peers.length ? ` vs ${peers.join(', ')}` : ''} ${when} (commit ${commits.join(', ') || '?'}; 2 shared vCPUs, noisy)`;
}

function oursBar(record: ModelRunRecord, series: number, row: ModelRow | undefined): PanelBar {
  const who = `${record.label} ours`;
  if (!row) return { series, filled: true, value: null, title: `${record.label}: row not run`, missing: 'ours: not run on this adapter' };
  const ours = row.ours;
  if (ours.status === 'skipped') return { series, filled: true, value: null, title: `${who}: skipped: ${ours.reason}`, missing: `ours: skipped (${firstLine(ours.reason)})` };
  if (ours.status === 'error') return { series, filled: true, value: null, title: `${who}: error: ${ours.error}`, missing: `ours: error (${firstLine(ours.error)})` };
  const versus = row.timeVsPeer === null ? '' : ` · ours/${peerNameOf(record) ?? 'peer'} ${formatNumber(row.timeVsPeer)}x`;
  return {
    series,
    filled: true,
    value: ours.medianMs,
    title: `${who}: median ${formatSeconds(ours.medianMs)} of ${ours.repeats} timed runs (p90 ${formatSeconds(ours.p90Ms)}, cold ${formatSeconds(ours.coldMs)})${versus}`,
    label: `${formatSeconds(ours.medianMs)}${versus}`,
  };
}

function peerBar(record: ModelRunRecord, series: number, row: ModelRow): PanelBar {
  const name = peerNameOf(record) ?? 'peer';
  const who = `${record.label} ${name}`;
  const peer = row.peer;
  if (!record.settings.peer) return { series, filled: false, value: null, title: `${record.label}: run without a peer`, missing: 'no peer in this run' };
  if (!peer) return { series, filled: false, value: null, title: `${who}: not run (see the run's notes)`, missing: `${name}: not run` };
  if (peer.status === 'skipped') return { series, filled: false, value: null, title: `${who}: skipped: ${peer.reason}`, missing: `${name}: skipped (${firstLine(peer.reason)})` };
  if (peer.status === 'error') return { series, filled: false, value: null, title: `${who}: error: ${peer.error}`, missing: `${name}: error (${firstLine(peer.error)})` };
  const provider = peer.runs.split(', ').at(-1) ?? peer.runs;
  return {
    series,
    filled: false,
    value: peer.medianMs,
    title: `${who} (${peer.runs}): median ${formatSeconds(peer.medianMs)} (p90 ${formatSeconds(peer.p90Ms)}, cold ${formatSeconds(peer.coldMs)})${peer.note ? `; ${peer.note}` : ''}`,
    label: `${formatSeconds(peer.medianMs)} · ${provider}`,
  };
}

/** The panel's rows: every row name in the order of the first record that has it; per adapter, ours then the peer. */
export function modelChartRows(records: readonly ModelRunRecord[]): PanelRow[] {
  const names = [...new Set(records.flatMap((record) => record.rows.map((row) => row.name)))];
  const withPeer = records.some((record) => record.settings.peer !== null);
  return names.map((name) => ({
    name,
    bars: records.flatMap((record, series) => {
      const row = record.rows.find((entry) => entry.name === name);
      const ours = oursBar(record, series, row);
      return withPeer && row ? [ours, peerBar(record, series, row)] : [ours];
    }),
  }));
}

/** The chart of model records (one series per adapter: ours filled, the peer outlined; warm median, log scale). */
export function renderModelChart(records: readonly ModelRunRecord[], title: string): string {
  // Records of different models (the latest run per adapter in report.html) say which model in the legend.
  const mixed = new Set(records.map((record) => `${record.settings.network} ${record.settings.encoder} ${record.settings.resolution}`)).size > 1;
  const entries = records.flatMap((record, series) => {
    const network = (record.settings.network ?? 'linknet') === 'linknet' ? '' : `${record.settings.network} `;
    const model = mixed ? ` (${network}${record.settings.encoder.replace(/^efficientnet-/, '')} ${record.settings.resolution}²)` : '';
    const peer = record.peer ? `${record.peer.name} ${record.peer.version}` : record.settings.peer ? `${record.settings.peer} (unavailable)` : 'no peer';
    return [
      { series, filled: true, text: `${record.label} ours${model}` },
      { series, filled: false, text: peer },
    ];
  });
  // One line, wrapping where it would pass the plot's right edge (11px text: ~6.2 px a character).
  const legend: string[] = [];
  let x = 10;
  let y = 30;
  for (const entry of entries) {
    const width = 16 + Math.ceil(entry.text.length * 6.2) + 18;
    if (x > 10 && x + width > WIDTH) {
      x = 10;
      y += 16;
    }
    legend.push(legendItem(x, y, entry.series, entry.filled, entry.text));
    x += width;
  }
  const top = y + 20;
  const panel = logBarPanel(modelChartRows(records), {
    heading: 'warm median wall-clock per run: recording to device done (log scale)',
    top,
    format: formatSeconds,
    labelWidth: LABEL_WIDTH,
    plotWidth: PLOT_WIDTH,
  });
  const empty = panel.height === 0 ? `<text x="10" y="${top + 20}" class="label">no model rows</text>` : '';
  return svgDocument(WIDTH, Math.max(top + 10 + panel.height + 20, 90), title, [...legend, panel.svg, empty]);
}
