/**
 * Training curves as SVG, rendered headless with vega-lite → vega (no DOM, no canvas): loss and mean per-image Dice
 * against the epoch, training and validation. Rows of several folds are drawn one colour per fold (solid: training,
 * dashed: validation). Used for each fold's curves.svg and by the demo report.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface CurveRow {
  readonly fold: number;
  /** 1-based. */
  readonly epoch: number;
  readonly trainLoss: number;
  readonly validationLoss: number;
  readonly trainDice: number;
  readonly validationDice: number;
  /** Marks the epochs that became best.safetensors. */
  readonly savedBest?: boolean;
}

export interface CurvesOptions {
  readonly title?: string;
  /** Width of each of the two panels in px (default 320). */
  readonly width?: number;
}

interface Point {
  fold: string;
  epoch: number;
  split: 'training' | 'validation';
  metric: 'loss' | 'Dice';
  value: number;
  best: boolean;
}

function points(rows: readonly CurveRow[]): Point[] {
  const out: Point[] = [];
  for (const row of rows) {
    const fold = `fold ${row.fold}`;
    const best = row.savedBest ?? false;
    out.push(
      { fold, epoch: row.epoch, split: 'training', metric: 'loss', value: row.trainLoss, best: false },
      { fold, epoch: row.epoch, split: 'validation', metric: 'loss', value: row.validationLoss, best },
      { fold, epoch: row.epoch, split: 'training', metric: 'Dice', value: row.trainDice, best: false },
      { fold, epoch: row.epoch, split: 'validation', metric: 'Dice', value: row.validationDice, best },
    );
  }
  return out.filter((point) => Number.isFinite(point.value));
}

/** The vega-lite spec (exported for tests and for reports that embed the spec rather than the SVG). */
export function curvesSpec(rows: readonly CurveRow[], options: CurvesOptions = {}): TopLevelSpec {
  const width = options.width ?? 320;
  const panel = (metric: 'loss' | 'Dice', title: string) => ({
    width,
    height: 200,
    title,
    transform: [{ filter: { field: 'metric', equal: metric } }],
    layer: [
      {
        mark: { type: 'line' as const, point: { size: 16 } },
        encoding: {
          x: { field: 'epoch', type: 'quantitative' as const, title: 'epoch', axis: { tickMinStep: 1 } },
          y: { field: 'value', type: 'quantitative' as const, title: metric, ...(metric === 'Dice' ? { scale: { domain: [0, 1] } } : {}) },
          color: { field: 'fold', type: 'nominal' as const, title: null, legend: { symbolType: 'stroke' } },
          strokeDash: { field: 'split', type: 'nominal' as const, title: null, scale: { domain: ['training', 'validation'], range: [[1, 0], [5, 3]] }, legend: { symbolType: 'stroke', symbolStrokeColor: 'gray' } },
        },
      },
      {
        mark: { type: 'point' as const, shape: 'diamond', size: 90, filled: true, color: 'black' },
        transform: [{ filter: 'datum.best' }],
        encoding: { x: { field: 'epoch', type: 'quantitative' as const }, y: { field: 'value', type: 'quantitative' as const } },
      },
    ],
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title ? { title: options.title } : {}),
    // vega-lite's data values are untyped records; our points are a typed interface without an index signature.
    data: { values: points(rows) as unknown as Record<string, unknown>[] },
    hconcat: [panel('loss', 'loss (w·BCE + (1 − w)·Dice)'), panel('Dice', 'mean per-image Dice (◆ best checkpoint)')],
    config: { font: 'sans-serif', view: { stroke: '#ccc' } },
  } as TopLevelSpec;
}

/** The curves as an SVG document. */
export async function renderCurvesSvg(rows: readonly CurveRow[], options: CurvesOptions = {}): Promise<string> {
  const view = new vega.View(vega.parse(compile(curvesSpec(rows, options)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
