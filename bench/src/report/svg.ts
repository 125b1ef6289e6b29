/**
 * Dependency-free SVG bar charts on a log-scale axis. `renderChart` draws one kernel invocation: per benchmark row,
 * one bar per (adapter, implementation), in two panels (GFLOP/s rows and GB/s rows; throughputs span four orders of
 * magnitude). The model chart (model/chart.ts) uses the same pieces: `logBarPanel`, `legendItem`, `svgDocument`.
 */
import { isMeasurement, type BenchmarkResult, type Outcome, type RunRecord } from '../schema.js';
import { formatNumber } from './format.js';

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const LABEL_WIDTH = 330;
const PLOT_WIDTH = 560;
const BAR = 9;
const GAP = 8;

export const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The colour of series (adapter) `series`. */
export const seriesColor = (series: number): string => PALETTE[series % PALETTE.length] ?? '#333';

/** One bar of a panel row: filled (ours) or outlined (the peer); `value` null draws `missing` as text, no bar. */
export interface PanelBar {
  readonly series: number;
  readonly filled: boolean;
  readonly value: number | null;
  /** The tooltip. */
  readonly title: string;
  /** What a bar without a value says instead (e.g. `ort: skipped (no training)`). */
  readonly missing?: string;
  /** The text at the bar's end; `format(value)` when absent. */
  readonly label?: string;
}

export interface PanelRow {
  readonly name: string;
  readonly bars: readonly PanelBar[];
}

export interface PanelOptions {
  /** The panel's heading, e.g. `GFLOP/s (log scale)`. */
  readonly heading: string;
  /** y of the panel's top edge. */
  readonly top: number;
  /** Value labels at the bars' ends and under the grid lines. */
  readonly format?: (value: number) => string;
  readonly labelWidth?: number;
  readonly plotWidth?: number;
}

/**
 * Horizontal bars on a log-scale axis spanning whole decades, one block of bars per row (its name at the left), and
 * a grid line per decade. Bars without a value draw their `missing` text in their slot: absent, never a zero.
 */
export function logBarPanel(rows: readonly PanelRow[], options: PanelOptions): { svg: string; height: number } {
  const { heading, top, format = formatNumber, labelWidth = LABEL_WIDTH, plotWidth = PLOT_WIDTH } = options;
  if (rows.length === 0) return { svg: '', height: 0 };
  const values = rows.flatMap((row) => row.bars.map((bar) => bar.value)).filter((value): value is number => value !== null && value > 0);
  const low = values.length ? 10 ** Math.floor(Math.log10(Math.min(...values))) : 1;
  const high = values.length ? 10 ** Math.ceil(Math.log10(Math.max(...values))) : 10;
  const decades = Math.max(1, Math.round(Math.log10(high / low)));
  const x = (value: number): number => labelWidth + (Math.log10(value / low) / decades) * plotWidth;
  const parts: string[] = [`<text x="${labelWidth}" y="${top + 14}" class="title">${escapeXml(heading)}</text>`];
  let y = top + 28;
  const axisTop = y;
  for (const row of rows) {
    const height = row.bars.length * BAR;
    parts.push(`<text x="${labelWidth - 6}" y="${y + height / 2 + 4}" class="label" text-anchor="end">${escapeXml(row.name)}</text>`);
    row.bars.forEach((bar, index) => {
      const color = seriesColor(bar.series);
      const top = y + index * BAR;
      if (bar.value === null || !(bar.value > 0)) {
        parts.push(`<text x="${labelWidth + 3}" y="${top + BAR - 1.5}" class="missing" fill="${color}"><title>${escapeXml(bar.title)}</title>${escapeXml(bar.missing ?? 'not measured')}</text>`);
        return;
      }
      const width = Math.max(1, x(bar.value) - labelWidth);
      parts.push(
        `<rect x="${labelWidth}" y="${top}" width="${width.toFixed(1)}" height="${BAR - 1}" fill="${bar.filled ? color : 'white'}" stroke="${color}"><title>${escapeXml(bar.title)}</title></rect>`,
        `<text x="${(labelWidth + width + 3).toFixed(1)}" y="${top + BAR - 1.5}" class="value">${escapeXml(bar.label ?? format(bar.value))}</text>`,
      );
    });
    y += height + GAP;
  }
  for (let decade = 0; decade <= decades; decade++) {
    const value = low * 10 ** decade;
    const position = x(value).toFixed(1);
    parts.push(
      `<line x1="${position}" y1="${axisTop - 4}" x2="${position}" y2="${y}" class="grid"/>`,
      `<text x="${position}" y="${y + 12}" class="value" text-anchor="middle">${escapeXml(format(value))}</text>`,
    );
  }
  return { svg: parts.join('\n'), height: y + 20 - top };
}

/** A legend entry at (x, y): a swatch, filled or outlined, and its text. */
export function legendItem(x: number, y: number, series: number, filled: boolean, text: string): string {
  const color = seriesColor(series);
  return `<rect x="${x}" y="${y}" width="12" height="9" fill="${filled ? color : 'white'}" stroke="${color}"/><text x="${x + 16}" y="${y + 8}" class="label">${escapeXml(text)}</text>`;
}

/** The <svg> document around `body`: white background, the title at the top, the shared styles. */
export function svgDocument(width: number, height: number, title: string, body: readonly string[]): string {
  // Wide enough for the title (13px bold: ~7.5 px a character).
  const fullWidth = Math.max(width, Math.ceil(20 + title.length * 7.5));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${fullWidth}" height="${height}" font-family="sans-serif">`,
    '<style>.title{font-size:13px;font-weight:bold}.label{font-size:11px}.value{font-size:9px;fill:#444}.missing{font-size:9px;font-style:italic}.grid{stroke:#ccc;stroke-width:0.5}</style>',
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="18" class="title">${escapeXml(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function valueOf(outcome: Outcome | null, metric: BenchmarkResult['metric']): number | null {
  if (!isMeasurement(outcome)) return null;
  const value = metric === 'gflops' ? outcome.gflops : outcome.gbs;
  return value !== null && value > 0 ? value : null;
}

/** Rows of one kernel panel, in the order of the first record that has the row; only bars with a value. */
function panelRows(records: readonly RunRecord[], metric: BenchmarkResult['metric']): PanelRow[] {
  const unit = metric === 'gflops' ? 'GFLOP/s' : 'GB/s';
  const rows = new Map<string, PanelBar[]>();
  records.forEach((record, series) => {
    for (const result of record.results) {
      if (result.metric !== metric) continue;
      for (const implementation of ['ours', 'tfjs'] as const) {
        const value = valueOf(implementation === 'ours' ? result.ours : result.tfjs, metric);
        if (value === null) continue;
        const bars = rows.get(result.name) ?? [];
        bars.push({ series, filled: implementation === 'ours', value, title: `${record.label} ${implementation}: ${formatNumber(value)} ${unit}` });
        rows.set(result.name, bars);
      }
    }
  });
  return [...rows].map(([name, bars]) => ({ name, bars }));
}

/** The chart of all records of one invocation (one series per adapter; ours filled, tfjs outlined). */
export function renderChart(records: readonly RunRecord[], title: string): string {
  const legend = records.flatMap((record, series) => [
    legendItem(10 + series * 310, 30, series, true, `${record.label} ours`),
    legendItem(10 + series * 310 + 200, 30, series, false, 'tfjs'),
  ]);
  const compute = logBarPanel(panelRows(records, 'gflops'), { heading: 'GFLOP/s (log scale)', top: 50 });
  const memory = logBarPanel(panelRows(records, 'gbs'), { heading: 'GB/s (log scale)', top: 50 + compute.height + (compute.height ? 10 : 0) });
  const height = 60 + compute.height + memory.height + 20;
  const empty = compute.height + memory.height === 0 ? `<text x="10" y="70" class="label">no measurements</text>` : '';
  return svgDocument(Math.max(LABEL_WIDTH + PLOT_WIDTH + 80, 20 + records.length * 310), Math.max(height, 90), title, [...legend, compute.svg, memory.svg, empty]);
}
