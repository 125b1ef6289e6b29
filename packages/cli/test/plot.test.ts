/** Training curves: the vega-lite spec carries every finite value, and the headless render is a standalone SVG. */
import { describe, expect, it } from 'vitest';
import { curvesSpec, renderCurvesSvg, type CurveRow } from '../src/plot.js';

const rows: CurveRow[] = [1, 2, 3].flatMap((epoch) =>
  [1, 2].map((fold) => ({
    fold,
    epoch,
    trainLoss: 0.8 - 0.1 * epoch,
    validationLoss: fold === 2 && epoch === 3 ? Number.NaN : 0.85 - 0.1 * epoch,
    trainDice: 0.2 * epoch,
    validationDice: 0.15 * epoch + 0.01 * fold,
    savedBest: epoch === 2,
  })),
);

describe('renderCurvesSvg', () => {
  it('puts every finite value of every fold in the spec and marks the best epochs', () => {
    const spec = curvesSpec(rows, { title: 'two folds' }) as unknown as { data: { values: { fold: string; metric: string; split: string; value: number; best: boolean }[] }; hconcat: unknown[] };
    const values = spec.data.values;
    expect(values).toHaveLength(rows.length * 4 - 1);
    expect(values.filter((point) => point.best)).toHaveLength(2 * 2);
    expect(new Set(values.map((point) => point.fold))).toEqual(new Set(['fold 1', 'fold 2']));
    expect(values.find((point) => point.fold === 'fold 2' && point.metric === 'Dice' && point.split === 'validation' && point.value === 0.47)).toBeDefined();
    expect(spec.hconcat).toHaveLength(2);
  });

  it('renders a standalone SVG headless, with titles, axes and legends', async () => {
    const svg = await renderCurvesSvg(rows, { title: 'fold curves' });
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* width="\d+" height="\d+"/);
    for (const text of ['fold curves', 'mean per-image Dice', 'epoch', 'fold 1', 'fold 2', 'training', 'validation']) expect(svg).toContain(text);
    expect(svg.match(/role-mark/g)?.length ?? 0).toBeGreaterThan(4);
  });
});
