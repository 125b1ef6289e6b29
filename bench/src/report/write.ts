/**
 * Writes an invocation's outputs (Node only): one JSON per record under results/, the markdown sections appended to
 * RESULTS.md, the chart results/<stamp>-kernels.svg, and report.html regenerated from every JSON under results/
 * (kernel and model runs). `redrawAll` redraws every kernel and model chart from the JSON files.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SCHEMA, type RunRecord } from '../schema.js';
import { renderReport } from './html.js';
import { markdownSection, RESULTS_HEADER } from './markdown.js';
import { renderChart } from './svg.js';
import { modelChartFileName, modelChartTitle, renderModelChart } from '../model/chart.js';
import { readModelRecords, renderModelSection } from '../model/report.js';
import { labelRank } from './metadata.js';

export interface WrittenFiles {
  readonly json: string[];
  readonly markdown: string;
  readonly chart: string;
  readonly report: string;
}

export const recordFileName = (record: RunRecord): string => `${record.stamp}-${record.label.replace(/[^a-z0-9]+/gi, '-')}.json`;

export const chartFileName = (stamp: string): string => `${stamp}-kernels.svg`;

export function chartTitle(records: readonly RunRecord[]): string {
  const first = records[0];
  return `ulseg kernels vs tfjs-backend-webgpu ${first ? first.stamp : ''} (commit ${first?.git.commit?.slice(0, 10) ?? '?'}; 2 shared vCPUs, noisy)`;
}

/** Every RunRecord under `resultsDir` (files that are not ours are ignored), by stamp, then in run order. */
export function readRecords(resultsDir: string): RunRecord[] {
  if (!existsSync(resultsDir)) return [];
  const records: RunRecord[] = [];
  for (const name of readdirSync(resultsDir).filter((file) => file.endsWith('.json')).sort()) {
    try {
      const record = JSON.parse(readFileSync(join(resultsDir, name), 'utf8')) as RunRecord;
      if (record.schema === SCHEMA && record.suite === 'kernels') records.push(record);
    } catch {
      // not a results file
    }
  }
  return records.sort((a, b) => a.stamp.localeCompare(b.stamp) || labelRank(a.label) - labelRank(b.label) || a.date.localeCompare(b.date));
}

/** Regenerates report.html in `benchDir` from the JSON files under `benchDir/results`. */
export function writeReport(benchDir: string): string {
  const resultsDir = join(benchDir, 'results');
  const records = readRecords(resultsDir);
  const stamps = [...new Set(records.map((record) => record.stamp))].sort().reverse();
  const latestStamp = stamps[0];
  const latest = records.filter((record) => record.stamp === latestStamp);
  const chartPath = latestStamp ? join(resultsDir, chartFileName(latestStamp)) : '';
  const chart = latestStamp && existsSync(chartPath) ? readFileSync(chartPath, 'utf8') : renderChart(latest, chartTitle(latest));
  const history = stamps.slice(1).map((stamp) => ({
    stamp,
    files: readdirSync(resultsDir)
      .filter((file) => file.startsWith(stamp))
      .sort()
      .map((file) => `results/${file}`),
  }));
  const path = join(benchDir, 'report.html');
  const model = renderModelSection(readModelRecords(resultsDir), { files: existsSync(resultsDir) ? readdirSync(resultsDir) : [] });
  writeFileSync(path, renderReport({ latest, chart: chart.replace(/^<\?xml[^>]*>\s*/, ''), history, model }));
  return path;
}

/**
 * Redraws every run's chart from its JSON files, kernel runs (`<stamp>-kernels.svg`) and model runs
 * (`<stamp>-model.svg`), and regenerates report.html (`pnpm bench report`).
 */
export function redrawAll(benchDir: string): string[] {
  const resultsDir = join(benchDir, 'results');
  const charts: string[] = [];
  const records = readRecords(resultsDir);
  for (const stamp of [...new Set(records.map((record) => record.stamp))].sort()) {
    const run = records.filter((record) => record.stamp === stamp);
    const path = join(resultsDir, chartFileName(stamp));
    writeFileSync(path, renderChart(run, chartTitle(run)));
    charts.push(path);
  }
  const modelRecords = readModelRecords(resultsDir);
  for (const stamp of [...new Set(modelRecords.map((record) => record.stamp))].sort()) {
    const run = modelRecords.filter((record) => record.stamp === stamp);
    const path = join(resultsDir, modelChartFileName(stamp));
    writeFileSync(path, renderModelChart(run, modelChartTitle(run)));
    charts.push(path);
  }
  return [...charts, writeReport(benchDir)];
}

export function writeRun(records: readonly RunRecord[], benchDir: string): WrittenFiles {
  const resultsDir = join(benchDir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const json: string[] = [];
  const sections: string[] = [];
  for (const record of records) {
    const path = join(resultsDir, recordFileName(record));
    writeFileSync(path, `${JSON.stringify(record, null, 1)}\n`);
    json.push(path);
    sections.push(markdownSection(record, relative(benchDir, path)));
  }
  const markdown = join(benchDir, 'RESULTS.md');
  if (!existsSync(markdown)) writeFileSync(markdown, RESULTS_HEADER);
  appendFileSync(markdown, `\n${sections.join('\n')}`);
  const stamp = records[0]?.stamp ?? 'unknown';
  const chart = join(resultsDir, chartFileName(stamp));
  writeFileSync(chart, renderChart(records, chartTitle(records)));
  return { json, markdown, chart, report: writeReport(benchDir) };
}
