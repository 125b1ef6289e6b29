/** Run metadata gathered in Node: git commit, host, the invocation's time stamp. */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import type { RunRecord } from '../schema.js';

const LABEL_ORDER = ['node/lavapipe', 'node/swiftshader', 'chromium/swiftshader', 'chromium/compat'];

/** Where an adapter's label sorts in reports and charts: Node first, then Chromium, in the order runs go. */
export const labelRank = (label: string): number => (LABEL_ORDER.includes(label) ? LABEL_ORDER.indexOf(label) : LABEL_ORDER.length);

/** File-name form of a date: 2026-11-26T23-10 (UTC, minutes). */
export const stampOf = (date: Date): string => date.toISOString().slice(0, 16).replace(':', '-');

export function gitInfo(cwd: string): RunRecord['git'] {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const status = execFileSync('git', ['status', '--porcelain'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return { commit, dirty: status.trim() !== '' };
  } catch {
    return { commit: null, dirty: null };
  }
}

/** A Node run's runtime entry: Dawn, and the Vulkan loader variables that chose its driver. */
export function nodeRuntime(): RunRecord['runtime'] {
  return {
    kind: 'node',
    browser: null,
    userAgent: null,
    flags: [],
    env: Object.fromEntries(
      ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES', 'VK_ADD_DRIVER_FILES'].flatMap((name) => (process.env[name] ? [[name, process.env[name] ?? '']] : [])),
    ),
  };
}

export function hostInfo(): RunRecord['host'] {
  const list = cpus();
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cpus: list.length,
    loadAverage: loadavg().map((value) => Number(value.toFixed(2))),
  };
}

/** The fields every record of a run has (kernels and model), but the suite's own. */
export type RecordHeader = Pick<RunRecord, 'schema' | 'date' | 'stamp' | 'label' | 'command' | 'git' | 'host' | 'runtime' | 'adapter' | 'adapterDetails' | 'fp32Peak'>;

export const loadNote = (): string => `load average at the end of this adapter's run: ${loadavg().map((value) => value.toFixed(2)).join(' / ')}`;
