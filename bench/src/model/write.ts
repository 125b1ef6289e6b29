/**
 * Writes a model run (Node only), each file atomically (a temporary file beside it, then a rename): one JSON per
 * record under results/, the run's chart results/<stamp>-model.svg (model/chart.ts), the sections appended to
 * RESULTS.md (each linking the JSON and the chart), and report.html regenerated with the model part.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { RESULTS_HEADER } from '../report/markdown.js';
import { writeReport } from '../report/write.js';
import { modelChartFileName, modelChartTitle, renderModelChart } from './chart.js';
import { modelMarkdownSection, modelRecordFileName } from './report.js';
import type { ModelRunRecord } from './schema.js';

export interface WrittenModelFiles {
  readonly json: string[];
  readonly markdown: string;
  /** results/<stamp>-model.svg */
  readonly chart: string;
  readonly report: string;
}

export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new Error(`could not write '${path}': ${(error as Error).message}`);
  }
}

export function writeModelRun(records: readonly ModelRunRecord[], benchDir: string): WrittenModelFiles {
  const json: string[] = [];
  const sections: string[] = [];
  const chart = join(benchDir, 'results', modelChartFileName(records[0]?.stamp ?? 'unknown'));
  for (const record of records) {
    const path = join(benchDir, 'results', modelRecordFileName(record));
    writeFileAtomic(path, `${JSON.stringify(record, null, 1)}\n`);
    json.push(path);
    sections.push(modelMarkdownSection(record, relative(benchDir, path), relative(benchDir, chart)));
  }
  writeFileAtomic(chart, renderModelChart(records, modelChartTitle(records)));
  const markdown = join(benchDir, 'RESULTS.md');
  const previous = existsSync(markdown) ? readFileSync(markdown, 'utf8') : RESULTS_HEADER;
  writeFileAtomic(markdown, `${previous}\n${sections.join('\n')}`);
  return { json, markdown, chart, report: writeReport(benchDir) };
}
