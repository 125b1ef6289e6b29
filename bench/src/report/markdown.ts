/** The dated markdown section each run appends to bench/RESULTS.md: one table per adapter. */
import { describeAdapterDetails } from '../adapter-details.js';
import { fractionOfPeak, peakLine, type Fp32Peak } from '../gpu-peaks.js';
import { isMeasurement, type BenchmarkResult, type Outcome, type RunRecord } from '../schema.js';
import { formatBytes, formatMs, formatNumber, formatRatio, formatShape, formatThroughput } from './format.js';

export const RESULTS_HEADER = `# Kernel benchmark results

Appended by \`pnpm bench\` (its kernels and model suites; see bench/README.md); newest last. Each section is one run on one adapter, with
its command, commit and JSON file under \`bench/results/\`.

**Noise.** These machines have 2 vCPUs shared with other engineers' jobs, and the adapters here are CPU
implementations of WebGPU (lavapipe, SwiftShader, llvmpipe under ANGLE): absolute figures move 1.5-2x between runs.
Compare rows only within one section (ours and tfjs ran in the same process on the same adapter, one after the
other); never compare across sections or machines.

Columns: median and p90 over the timed repeats (GPU timestamps where the adapter has them, else wall-clock from
recording to onSubmittedWorkDone), throughput in the row's metric, cold = first run's wall-clock (pipeline
compilation included), speed ours/tfjs = tfjs median / ours median (> 1: ours faster).
`;

const escapeCell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function timeCell(outcome: Outcome | null): string {
  if (!outcome) return '-';
  if (outcome.status === 'skipped') return 'skipped';
  if (outcome.status === 'error') return 'error';
  return `${formatNumber(outcome.medianMs)} / ${formatNumber(outcome.p90Ms)}`;
}

function coldCell(outcome: Outcome | null): string {
  return isMeasurement(outcome) ? formatMs(outcome.coldMs) : '-';
}

function copyCell(outcome: Outcome | null): string {
  if (!isMeasurement(outcome) || outcome.copyFraction === null) return '';
  const percent = 100 * outcome.copyFraction;
  return `${percent < 10 ? percent.toFixed(1) : percent.toFixed(0)}%`;
}

/** `12% of FP32 peak` for a GFLOP/s row on a known GPU, else ''. */
export function peakCell(gflops: number | null, peak: Fp32Peak | null | undefined): string {
  if (!peak || gflops === null) return '';
  const percent = 100 * fractionOfPeak(gflops, peak);
  return `${percent < 10 ? percent.toFixed(1) : percent.toFixed(0)}% of FP32 peak`;
}

function row(result: BenchmarkResult, peak: Fp32Peak | null | undefined): string {
  const ours = result.ours;
  const throughput = (outcome: Outcome | null): string => {
    const text = formatThroughput(outcome, result.metric);
    const copy = copyCell(outcome);
    const ofPeak = result.metric === 'gflops' && isMeasurement(outcome) ? peakCell(outcome.gflops, peak) : '';
    return copy ? `${text} (${copy} of copy)` : ofPeak ? `${text} (${ofPeak})` : text;
  };
  const cells = [
    result.name,
    formatShape(result.shape),
    timeCell(ours),
    throughput(ours),
    coldCell(ours),
    isMeasurement(ours) ? formatBytes(ours.bytesAllocated) : '-',
    timeCell(result.tfjs),
    throughput(result.tfjs),
    coldCell(result.tfjs),
    result.ratio === null ? '-' : formatRatio(result.ratio),
  ];
  return `| ${cells.map(escapeCell).join(' | ')} |`;
}

function problems(results: readonly BenchmarkResult[]): string[] {
  const lines: string[] = [];
  for (const result of results) {
    for (const [who, outcome] of [['ours', result.ours], ['tfjs', result.tfjs]] as const) {
      if (outcome?.status === 'error') lines.push(`- ${result.name} (${who}): error: ${escapeCell(outcome.error.split('\n')[0] ?? '')}`);
    }
  }
  return lines;
}

/** One section: heading, metadata, the table of rows that ran, and the rows skipped for missing kernels. */
export function markdownSection(record: RunRecord, jsonPath: string): string {
  const adapter = record.adapter.description || record.adapter.device || record.adapter.vendor || 'unknown adapter';
  const timing = [...new Set(record.results.flatMap((result) => [result.ours, result.tfjs]).filter(isMeasurement).map((outcome) => outcome.timing))];
  const ran = record.results.filter((result) => result.ours.status !== 'skipped' || result.tfjs !== null);
  const skipped = record.results.filter((result) => result.ours.status === 'skipped' && result.tfjs === null);
  const lines = [
    `## ${record.date.slice(0, 16).replace('T', ' ')} UTC — ${record.label}`,
    '',
    `- command: \`${record.command}\``,
    `- adapter: ${adapter} (${record.adapter.kind}${record.adapter.featureLevel === 'compatibility' ? ', compatibility mode' : ''}); timing: ${timing.join(', ') || '-'}`,
    record.runtime.kind === 'chromium'
      ? `- browser: ${record.runtime.browser ?? '?'}, flags: \`${record.runtime.flags.join(' ')}\``
      : `- runtime: Node ${record.host.node} (Dawn, npm webgpu)`,
    `- peer: ${record.peer ? `${record.peer.version} on the ${record.peer.device}` : 'none'}; commit ${record.git.commit?.slice(0, 10) ?? '?'}${record.git.dirty ? ' (with uncommitted changes)' : ''}`,
    `- settings: warm-up ${record.settings.warmup} (cold run included), up to ${record.settings.repeats} repeats or ${record.settings.maxSeconds} s per implementation; load average at start ${record.host.loadAverage.map((value) => value.toFixed(1)).join(' / ')} on ${record.host.cpus} CPUs (noisy: compare within this table only)`,
    ...(record.adapterDetails ? [`- adapter details: ${describeAdapterDetails(record.adapterDetails)}`] : []),
    ...(record.fp32Peak !== undefined ? [`- ${peakLine(record.fp32Peak)}`] : []),
    `- copy bandwidth: ${record.copyBandwidthGBs === null ? 'not measured' : `${formatNumber(record.copyBandwidthGBs)} GB/s`}; JSON: \`${jsonPath}\``,
    ...record.notes.map((note) => `- note: ${escapeCell(note)}`),
    '',
  ];
  if (ran.length) {
    lines.push(
      '| benchmark | shape | ours ms (median / p90) | ours throughput | ours cold | ours allocated | tfjs ms (median / p90) | tfjs throughput | tfjs cold | speed ours/tfjs |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...ran.map((result) => row(result, record.fp32Peak)),
      '',
    );
  }
  const errors = problems(ran);
  if (errors.length) lines.push('Errors:', '', ...errors, '');
  if (skipped.length) {
    lines.push(`Not available yet (${skipped.length} rows, kernels still being written): ` + [...new Set(skipped.map((result) => result.ours.status === 'skipped' ? result.ours.reason.replace(/^not available yet: /, '') : ''))].map((reason) => `\`${escapeCell(reason)}\``).join('; '), '');
  }
  return lines.join('\n');
}
