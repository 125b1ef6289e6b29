/**
 * A dependency-free SVG bar chart of one invocation: per benchmark row, one bar per (adapter, implementation), on a
 * log-scale axis (throughputs span four orders of magnitude). Two panels: GFLOP/s rows and GB/s rows.
 */
import { isMeasurement, type BenchmarkResult, type Outcome, type RunRecord } from '../schema.js';
import { formatNumber } from './format.js';

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const LABEL_WIDTH = 330;
const PLOT_WIDTH = 560;
const BAR = 9;
const GAP = 8;

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

interface Bar {
  readonly series: number;
  readonly implementation: 'ours' | 'tfjs';
  readonly value: number;
}

function valueOf(outcome: Outcome | null, metric: BenchmarkResult['metric']): number | null {
  if (!isMeasurement(outcome)) return null;
  const value = metric === 'gflops' ? outcome.gflops : outcome.gbs;
  return value !== null && value > 0 ? value : null;
}

/** Rows of one panel: benchmark name → bars, in the order of the first record that has the row. */
function panelRows(records: readonly RunRecord[], metric: BenchmarkResult['metric']): Map<string, Bar[]> {
  const rows = new Map<string, Bar[]>();
  records.forEach((record, series) => {
    for (const result of record.results) {
      if (result.metric !== metric) continue;
      for (const implementation of ['ours', 'tfjs'] as const) {
        const value = valueOf(implementation === 'ours' ? result.ours : result.tfjs, metric);
        if (value === null) continue;
        const bars = rows.get(result.name) ?? [];
        bars.push({ series, implementation, value });
        rows.set(result.name, bars);
      }
    }
  });
  return rows;
}

function panel(records: readonly RunRecord[], metric: BenchmarkResult['metric'], top: number): { svg: string; height: number } {
  const rows = panelRows(records, metric);
  if (rows.size === 0) return { svg: '', height: 0 };
  const values = [...rows.values()].flat().map((bar) => bar.value);
  const low = 10 ** Math.floor(Math.log10(Math.min(...values)));
  const high = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  const decades = Math.max(1, Math.round(Math.log10(high / low)));
  const x = (value: number): number => LABEL_WIDTH + (Math.log10(value / low) / decades) * PLOT_WIDTH;
  const unit = metric === 'gflops' ? 'GFLOP/s' : 'GB/s';
  const parts: string[] = [`<text x="${LABEL_WIDTH}" y="${top + 14}" class="title">${unit} (log scale)</text>`];
  let y = top + 28;
  const axisTop = y;
  for (const [name, bars] of rows) {
    const height = bars.length * BAR;
    parts.push(`<text x="${LABEL_WIDTH - 6}" y="${y + height / 2 + 4}" class="label" text-anchor="end">${escapeXml(name)}</text>`);
    bars.forEach((bar, index) => {
      const color = PALETTE[bar.series % PALETTE.length] ?? '#333';
      const width = Math.max(1, x(bar.value) - LABEL_WIDTH);
      const fill = bar.implementation === 'ours' ? color : 'white';
      const title = `${records[bar.series]?.label ?? ''} ${bar.implementation}: ${formatNumber(bar.value)} ${unit}`;
      parts.push(
        `<rect x="${LABEL_WIDTH}" y="${y + index * BAR}" width="${width.toFixed(1)}" height="${BAR - 1}" fill="${fill}" stroke="${color}"><title>${escapeXml(title)}</title></rect>`,
        `<text x="${(LABEL_WIDTH + width + 3).toFixed(1)}" y="${y + index * BAR + BAR - 1.5}" class="value">${formatNumber(bar.value)}</text>`,
      );
    });
    y += height + GAP;
  }
  for (let decade = 0; decade <= decades; decade++) {
    const value = low * 10 ** decade;
    const position = x(value).toFixed(1);
    parts.push(
      `<line x1="${position}" y1="${axisTop - 4}" x2="${position}" y2="${y}" class="grid"/>`,
      `<text x="${position}" y="${y + 12}" class="value" text-anchor="middle">${formatNumber(value)}</text>`,
    );
  }
  return { svg: parts.join('\n'), height: y + 20 - top };
}

/** The chart of all records of one invocation (one series per adapter; ours filled, tfjs outlined). */
export function renderChart(records: readonly RunRecord[], title: string): string {
  const legend = records.flatMap((record, series) => {
    const color = PALETTE[series % PALETTE.length] ?? '#333';
    const x = 10 + series * 310;
    return [
      `<rect x="${x}" y="30" width="12" height="9" fill="${color}" stroke="${color}"/><text x="${x + 16}" y="38" class="label">${escapeXml(record.label)} ours</text>`,
      `<rect x="${x + 200}" y="30" width="12" height="9" fill="white" stroke="${color}"/><text x="${x + 216}" y="38" class="label">tfjs</text>`,
    ];
  });
  const compute = panel(records, 'gflops', 50);
  const memory = panel(records, 'gbs', 50 + compute.height + (compute.height ? 10 : 0));
  const height = 60 + compute.height + memory.height + 20;
  const empty = compute.height + memory.height === 0 ? `<text x="10" y="70" class="label">no measurements</text>` : '';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.max(LABEL_WIDTH + PLOT_WIDTH + 80, 20 + records.length * 310)}" height="${Math.max(height, 90)}" font-family="sans-serif">`,
    '<style>.title{font-size:13px;font-weight:bold}.label{font-size:11px}.value{font-size:9px;fill:#444}.grid{stroke:#ccc;stroke-width:0.5}</style>',
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="18" class="title">${escapeXml(title)}</text>`,
    ...legend,
    compute.svg,
    memory.svg,
    empty,
    '</svg>',
    '',
  ].join('\n');
}
