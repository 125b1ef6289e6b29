/**
 * `ulseg demo --networks linknet,unet`: the original's comparison of networks (its results table: Linknet, Unet, …
 * on one backbone) on the demo's data. Every listed network is trained on the same folds with the same settings as
 * the demo's Linknet and scored by the same pipeline (ulseg evaluate --ablation: one model, + flip TTA,
 * + ensemble, + RSIP, + EMF on the held-out scans); report.html puts them in one table (docs/ORIGINAL.md §10).
 */
import { describeNetwork, NETWORK_TITLES, type BackboneName, type NetworkName } from '@ulseg/model';
import type { AblationRow, AblationTable } from './ablation.js';

export interface NetworkComparisonRow {
  readonly network: NetworkName;
  /** e.g. "Unet on efficientnet-b0". */
  readonly description: string;
  /** The fold checkpoints it was scored with. */
  readonly checkpoints: readonly string[];
  readonly ablation: AblationTable;
}

/** The row of `stage` (a name or a pattern) in an ablation table (its stages are fixed: see ablation.ts). */
export function ablationStage(table: AblationTable, stage: string | RegExp): AblationRow {
  const row = table.rows.find((entry) => (typeof stage === 'string' ? entry.stage === stage : stage.test(entry.stage)));
  if (!row) throw new Error(`the ablation table has no '${stage}' row (stages: ${table.rows.map((entry) => entry.stage).join(', ')})`);
  return row;
}

/** The columns of the comparison: mean Dice of one model, of the ensemble with flips, and after post-processing. */
export const NETWORK_COLUMNS = [
  ['one model', 'one model (fold 1)'],
  [/^\+ \d+-model ensemble$/, 'ensemble + flip TTA'],
  ['+ EMF', 'after RSIP + EMF'],
] as const;

export function networkRow(network: NetworkName, backbone: BackboneName, checkpoints: readonly string[], ablation: AblationTable): NetworkComparisonRow {
  return { network, description: describeNetwork(network, backbone), checkpoints, ablation };
}

/** The comparison as text (one line per network), for the terminal. */
export function formatNetworkText(rows: readonly NetworkComparisonRow[]): string {
  const header = `networks (mean Dice on ${rows[0]?.ablation.scans.length ?? 0} held-out scans): ${NETWORK_COLUMNS.map(([, title]) => title).join(' | ')}\n`;
  return header + rows.map((row) => `  ${row.description.padEnd(32)} ${NETWORK_COLUMNS.map(([stage]) => ablationStage(row.ablation, stage).meanDice.toFixed(4)).join('   ')}\n`).join('');
}

/** report.html's section: one row per network, like the original's results table. */
export function renderNetworkSection(rows: readonly NetworkComparisonRow[], escapeHtml: (text: string) => string): string {
  const best = Math.max(...rows.map((row) => ablationStage(row.ablation, '+ EMF').meanDice));
  const body = rows
    .map((row) => {
      const cells = NETWORK_COLUMNS.map(([stage]) => {
        const dice = ablationStage(row.ablation, stage).meanDice;
        return `<td>${stage === '+ EMF' && dice === best ? `<b>${dice.toFixed(4)}</b>` : dice.toFixed(4)}</td>`;
      }).join('');
      const lowest = ablationStage(row.ablation, '+ EMF').minDice;
      return `<tr><td>${escapeHtml(NETWORK_TITLES[row.network])}</td><td>${escapeHtml(row.description)}</td>${cells}<td>${lowest.toFixed(4)}</td><td>${row.checkpoints.length}</td></tr>`;
    })
    .join('\n');
  return `<section id="networks"><h2>Networks compared</h2>
<p>Each network trained on the same folds with the same settings and scored by the same pipeline on the same
${rows[0]?.ablation.scans.length ?? 0} held-out scans (mean Dice; the original's results table compares its networks this way).</p>
<table><tr><th>network</th><th>model</th>${NETWORK_COLUMNS.map(([, title]) => `<th>${escapeHtml(title)}</th>`).join('')}<th>lowest Dice after post-processing</th><th>fold models</th></tr>
${body}</table></section>
`;
}
