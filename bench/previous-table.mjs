#!/usr/bin/env node
/**
 * One markdown table of the issue #14 goal rows: the current kernels, the previous ones, and the peers (tfjs for
 * kernels, PyTorch's reference for the model rows that have one), from the JSON records that bench/previous.sh
 * makes. Usage:
 *   node bench/previous-table.mjs --kernels CURRENT.json PREVIOUS.json [--model CURRENT.json PREVIOUS.json]...
 * CURRENT: a run with the device profile's kernels; PREVIOUS: the same rows with `--variant tiled` (the previous
 * GEMM core). A kernel row's previous figure is its companion row of the same run where the table has one (the
 * "scalar layout", "strided layout", "tiled core" and "(workgroup reduction)" rows run the previous kernels in the
 * same process), else the same row of the PREVIOUS run. Prints the table; writes nothing.
 */
import { readFileSync } from 'node:fs';

const COMPANIONS = [' scalar layout', ' strided layout', ' tiled core', ' (workgroup reduction)'];
const OTHER_CORES = [' lanes core', ' subgroup core'];

function parse(argv) {
  const runs = { kernels: [], model: [] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag !== '--kernels' && flag !== '--model') throw new Error(`previous-table: unknown argument '${flag}' (expected --kernels or --model)`);
    const current = argv[i + 1];
    const previous = argv[i + 2];
    if (!current || !previous) throw new Error(`previous-table: ${flag} needs two JSON files, the current run and the previous one`);
    runs[flag.slice(2)].push({ current: read(current), previous: read(previous), files: [current, previous] });
    i += 2;
  }
  if (runs.kernels.length + runs.model.length === 0) throw new Error('previous-table: give --kernels CURRENT PREVIOUS and/or --model CURRENT PREVIOUS');
  return runs;
}

function read(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`previous-table: cannot read ${file}: ${error.message}`);
  }
}

const number = (value) => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toPrecision(3));
const load = (record) => (record.host?.loadAverage ?? []).map((value) => value.toFixed(1)).join(' / ') || '?';
const ms = (value) => (value >= 1000 ? `${number(value / 1000)} s` : `${number(value)} ms`);

function kernelCell(row, result) {
  if (!result || result.status !== 'ok') return result ? `(${result.status})` : '-';
  const throughput = row.metric === 'gbs' ? `${number(result.gbs)} GB/s` : `${number(result.gflops)} GFLOP/s`;
  const copy = result.copyFraction !== undefined && result.copyFraction !== null ? `, ${(100 * result.copyFraction).toFixed(result.copyFraction < 0.1 ? 1 : 0)}% of copy` : '';
  return `${ms(result.medianMs)} (${throughput}${copy})`;
}

function kernelTable({ current, previous, files }) {
  const rows = new Map(current.results.map((row) => [row.name, row]));
  const previousRows = new Map(previous.results.map((row) => [row.name, row]));
  const lines = [
    `Kernels: current ${files[0]} (${current.adapter?.description ?? current.label}), previous ${files[1]}; load average at start ${load(current)} and ${load(previous)} on ${current.host?.cpus ?? '?'} CPUs`,
    '',
    '| row | current: median (throughput) | previous: median (throughput) | previous from | current vs previous | tfjs median | current vs tfjs |',
    '|---|---:|---:|---|---:|---:|---:|',
  ];
  for (const row of current.results) {
    if ([...COMPANIONS, ...OTHER_CORES].some((suffix) => row.name.endsWith(suffix))) continue;
    const companion = COMPANIONS.map((suffix) => rows.get(`${row.name}${suffix}`)).find(Boolean);
    const before = companion ?? previousRows.get(row.name);
    const source = companion ? `same run: ${companion.name.slice(row.name.length + 1)}` : before ? '`--variant tiled` run' : '-';
    const ours = row.ours?.status === 'ok' ? row.ours : null;
    const old = before?.ours?.status === 'ok' ? before.ours : null;
    const tfjs = row.tfjs?.status === 'ok' ? row.tfjs : null;
    lines.push(
      `| ${row.name} | ${kernelCell(row, row.ours)} | ${before ? kernelCell(before, before.ours) : '-'} | ${source} | ` +
        `${ours && old ? `x${number(old.medianMs / ours.medianMs)}` : '-'} | ${tfjs ? ms(tfjs.medianMs) : '-'} | ${ours && tfjs ? `x${number(tfjs.medianMs / ours.medianMs)}` : '-'} |`,
    );
  }
  return lines.join('\n');
}

function modelTable(runs) {
  const lines = [
    '| model row | current: median (images/s), dispatches | previous (`--variant tiled`): median (images/s), dispatches | current vs previous | PyTorch 1.13 CPU | current vs PyTorch |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const { current, previous } of runs) {
    const label = `${current.settings.network ?? 'linknet'} ${current.settings.encoder} ${current.settings.resolution}²`;
    lines.push(`| ${label}: load average at start ${load(current)} (current), ${load(previous)} (previous) | | | | | |`);
    const previousRows = new Map(previous.rows.map((row) => [row.name, row]));
    for (const row of current.rows) {
      const before = previousRows.get(row.name);
      const cell = (r) => (r?.ours?.status === 'ok' ? `${ms(r.ours.medianMs)} (${number(r.ours.imagesPerSecond)}), ${r.ours.dispatchesPerRun}` : r ? `(${r.ours?.status})` : '-');
      const ok = row.ours?.status === 'ok' && before?.ours?.status === 'ok';
      lines.push(
        `| ${label} ${row.name} | ${cell(row)} | ${cell(before)} | ${ok ? `x${number(before.ours.medianMs / row.ours.medianMs)}` : '-'} | ` +
          `${row.pytorchMs ? ms(row.pytorchMs) : '-'} | ${row.pytorchMs && row.ours?.status === 'ok' ? `${number(row.ours.medianMs / row.pytorchMs)}x PyTorch's time` : '-'} |`,
      );
    }
  }
  return lines.join('\n');
}

try {
  const runs = parse(process.argv.slice(2));
  const parts = runs.kernels.map(kernelTable);
  if (runs.model.length) parts.push(modelTable(runs.model));
  console.log(parts.join('\n\n'));
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
