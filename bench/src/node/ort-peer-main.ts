/**
 * `node bench/ort-peer.mjs --model model.onnx ...`: the ORT peer on its own, until `pnpm bench model` wires it in.
 * Runs an exported model (ulseg export-onnx) in onnxruntime-node (WebGPU on its own Dawn, cpu), in onnxruntime-web
 * in Node (wasm, or WebGPU on a Dawn adapter) or in headless Chromium, prints cold and warm timings per execution
 * provider and, with --reference, the agreement of the logits with a .npy (e.g. `ulseg forward` on the same input).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { COMPAT, SWIFTSHADER } from '@ulseg/kernels/chromium';
import { parseNpy } from '@ulseg/autograd';
import { inspectOnnx } from '@ulseg/model';
import { runOrtPage } from '@ulseg/model/testing/chromium';
import type { OrtPageRequest, OrtPeerPageReport } from '../browser/ort-page.js';
import { ortInput, runOrtPeer, type OrtExecutionProvider, type OrtPeerResult } from '../ort-peer.js';
import { dawnAdapter, loadOrtNode, loadOrtWasm, loadOrtWebGpu } from './ort-node.js';

/** The repository root: the first folder above this file (or its bundle in bench/.build) with pnpm-workspace.yaml. */
function repositoryRoot(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, 'pnpm-workspace.yaml'))) {
    const parent = resolve(folder, '..');
    if (parent === folder) throw new Error('cannot find the ulseg checkout (pnpm-workspace.yaml) above bench/');
    folder = parent;
  }
  return folder;
}

export const ORT_PEER_USAGE = `Usage: node bench/ort-peer.mjs --model FILE.onnx [options]

Runs an exported model (ulseg export-onnx) in ONNX Runtime and prints cold and warm timings per execution provider.

Options:
  --model <file>          the .onnx file (input [N, C, H, W] float32)
  --batch <n>             batch size (default: the model's, or 1 when its batch is dynamic)
  --where <place>         node (default): onnxruntime-node, WebGPU on its own Dawn (lavapipe here) and cpu;
                          node-web: onnxruntime-web in Node, wasm and WebGPU on a Dawn adapter (--adapter);
                          chromium (SwiftShader) or chromium-compat: onnxruntime-web in headless Chromium
  --providers <list>      execution providers to try, each on its own (default webgpu,cpu for node, else
                          webgpu,wasm)
  --adapter <kind>        node-web's WebGPU adapter: lavapipe (default) or swiftshader
  --warm <n>              timed warm runs after the cold one (default 5)
  --input <file.npy>      the input (default: seeded uniform [0, 1), the same everywhere)
  --reference <file.npy>  logits to compare with (relative L2 and max |difference|)
  -h, --help              this text`;

const describeRun = (result: OrtPeerResult): string =>
  `create ${result.createMs.toFixed(0)} ms + first run ${result.firstRunMs.toFixed(0)} ms = cold ${result.coldMs.toFixed(0)} ms; ` +
  `warm median ${result.warmMedianMs.toFixed(1)} ms, p90 ${result.warmP90Ms.toFixed(1)} ms over ${result.warmMs.length}`;

function agreement(logits: ArrayLike<number>, reference: ArrayLike<number>): string {
  if (logits.length !== reference.length) return `reference has ${reference.length} values, the logits ${logits.length}`;
  let difference = 0;
  let norm = 0;
  let worst = 0;
  for (let index = 0; index < logits.length; index++) {
    const d = logits[index]! - reference[index]!;
    difference += d * d;
    norm += reference[index]! ** 2;
    worst = Math.max(worst, Math.abs(d));
  }
  return `vs reference: rel-L2 ${Math.sqrt(difference / norm).toExponential(2)}, max |Δ| ${worst.toExponential(2)}`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      model: { type: 'string' },
      batch: { type: 'string' },
      providers: { type: 'string' },
      where: { type: 'string', default: 'node' },
      adapter: { type: 'string', default: 'lavapipe' },
      warm: { type: 'string', default: '5' },
      input: { type: 'string' },
      reference: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.model) {
    console.log(ORT_PEER_USAGE);
    return values.help ? 0 : 2;
  }
  if (!['node', 'node-web', 'chromium', 'chromium-compat'].includes(values.where)) {
    throw new Error(`--where must be node, node-web, chromium or chromium-compat, not '${values.where}'`);
  }
  const allowed = values.where === 'node' ? ['webgpu', 'cpu'] : ['webgpu', 'wasm'];
  const providers = (values.providers ?? allowed.join(',')).split(',').map((name) => name.trim());
  for (const name of providers) if (!allowed.includes(name)) throw new Error(`--providers: '${name}' is not one of ${allowed.join(', ')} for --where ${values.where}`);
  if (values.adapter !== 'lavapipe' && values.adapter !== 'swiftshader') throw new Error(`--adapter must be lavapipe or swiftshader, not '${values.adapter}'`);
  const warmRuns = Number(values.warm);
  if (!Number.isInteger(warmRuns) || warmRuns < 1) throw new Error(`--warm needs a positive integer, got '${values.warm}'`);
  const model = new Uint8Array(readFileSync(values.model));
  const summary = inspectOnnx(model, values.model);
  const dims = summary.inputs[0]?.shape ?? [];
  const [modelBatch, channels, height, width] = dims;
  if (typeof channels !== 'number' || typeof height !== 'number' || typeof width !== 'number') {
    throw new Error(`${values.model}: the input must be [N, C, H, W] with fixed C, H and W, got [${dims.join(', ')}]`);
  }
  const batch = values.batch ? Number(values.batch) : typeof modelBatch === 'number' ? modelBatch : 1;
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`--batch needs a positive integer, got '${values.batch}'`);
  const count = batch * channels * height * width;
  const input = values.input ? parseNpy(readFileSync(values.input)).data : ortInput(count);
  const reference = values.reference ? parseNpy(readFileSync(values.reference)).data : undefined;
  console.log(`${values.model}: ${summary.metadata.encoder ?? 'model'}, input [${batch}, ${channels}, ${height}, ${width}], ${summary.nodes.length} nodes`);
  let failures = 0;
  if (values.where === 'node' || values.where === 'node-web') {
    for (const provider of providers as OrtExecutionProvider[]) {
      try {
        const ort = values.where === 'node' ? loadOrtNode() : provider === 'wasm' ? await loadOrtWasm() : await loadOrtWebGpu(await dawnAdapter(values.adapter));
        const result = await runOrtPeer(ort, { model, batch, channels, resolution: [height, width], input, executionProviders: [provider], warmRuns });
        const where = values.where === 'node-web' && provider === 'webgpu' ? ` (${values.adapter})` : '';
        console.log(`${result.runtime} ${provider}${where}: ${describeRun(result)}${reference ? `; ${agreement(result.logits, reference)}` : ''}`);
      } catch (error) {
        failures++;
        console.log(`${values.where} ${provider}: failed: ${(error as Error).message}`);
      }
    }
  } else {
    const report = await runOrtPage<OrtPageRequest, OrtPeerPageReport>({
      adapter: values.where === 'chromium' ? SWIFTSHADER : COMPAT,
      page: join(repositoryRoot(), 'bench/src/browser/ort-page.ts'),
      model,
      input,
      request: { batch, resolution: [height, width], executionProviders: providers as OrtExecutionProvider[], warmRuns, maxSeconds: 60 },
    });
    console.log(`${report.browser} on ${report.adapter?.description ?? 'no WebGPU adapter'}`);
    for (const run of report.runs) {
      if (!run.ok) {
        failures++;
        console.log(`${values.where} ${run.executionProvider}: failed: ${run.error}`);
      } else {
        console.log(`${values.where} ${run.executionProvider}: ${describeRun({ ...run, logits: Float32Array.from(run.logits) })}${reference ? `; ${agreement(run.logits, reference)}` : ''}`);
      }
    }
    for (const line of report.console.slice(0, 10)) console.log(`  page: ${line}`);
  }
  return failures ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`ort-peer: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
});
