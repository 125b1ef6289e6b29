/** Number formatting shared by the progress lines, the markdown tables, the chart and the HTML report. */
import type { Outcome } from '../schema.js';

/** 3 significant digits, no exponent for the usual range. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  if (magnitude >= 0.01) return value.toFixed(3);
  return value.toPrecision(2);
}

export const formatMs = (ms: number): string => `${formatNumber(ms)} ms`;

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${formatNumber(value)} ${units[unit]}`;
}

/** Speed ratio ours/tfjs, e.g. `x2.31` (ours faster) or `x0.42` (tfjs faster). */
export const formatRatio = (ratio: number): string => `x${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}`;

export function formatShape(shape: Readonly<Record<string, number>>): string {
  return Object.entries(shape)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
}

/** Throughput of an outcome in the row's metric, e.g. `12.3 GFLOP/s`; `-` when it did not run. */
export function formatThroughput(outcome: Outcome | null, metric: 'gflops' | 'gbs'): string {
  if (outcome?.status !== 'ok') return '-';
  const value = metric === 'gflops' ? outcome.gflops : outcome.gbs;
  if (value === null) return '-';
  return `${formatNumber(value)} ${metric === 'gflops' ? 'GFLOP/s' : 'GB/s'}`;
}

/** One progress-line fragment: `123 ms (p90 130, cold 2.1 s) 17.4 GFLOP/s`. */
export function formatOutcome(outcome: Outcome, metric: 'gflops' | 'gbs'): string {
  if (outcome.status === 'skipped') return outcome.reason;
  if (outcome.status === 'error') return `ERROR ${outcome.error.split('\n')[0]}`;
  const cold = outcome.coldMs >= 1000 ? `${formatNumber(outcome.coldMs / 1000)} s` : formatMs(outcome.coldMs);
  const timing = outcome.timing === 'wall' ? ' wall' : '';
  return `${formatMs(outcome.medianMs)}${timing} (p90 ${formatNumber(outcome.p90Ms)}, cold ${cold}) ${formatThroughput(outcome, metric)}`;
}
