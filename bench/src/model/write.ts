/**
 * Writes a model run (Node only), each file atomically (a temporary file beside it, then a rename): one JSON per
 * record under results/, the sections appended to RESULTS.md, and report.html regenerated with the model part.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { RESULTS_HEADER } from '../report/markdown.js';
import { writeReport } from '../report/write.js';
import { modelMarkdownSection, modelRecordFileName } from './report.js';
import type { ModelRunRecord } from './schema.js';

export interface WrittenModelFiles {
  readonly json: string[];
  readonly markdown: string;
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
  for (const record of records) {
    const path = join(benchDir, 'results', modelRecordFileName(record));
    writeFileAtomic(path, `${JSON.stringify(record, null, 1)}\n`);
    json.push(path);
    sections.push(modelMarkdownSection(record, relative(benchDir, path)));
  }
  const markdown = join(benchDir, 'RESULTS.md');
  const previous = existsSync(markdown) ? readFileSync(markdown, 'utf8') : RESULTS_HEADER;
  writeFileAtomic(markdown, `${previous}\n${sections.join('\n')}`);
  return { json, markdown, report: writeReport(benchDir) };
}
