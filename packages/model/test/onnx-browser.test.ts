/**
 * The ONNX export in onnxruntime-web inside headless Chromium on SwiftShader: the WebGPU execution provider (JSEP)
 * and the wasm one, each in its own session, against our eval-mode logits computed in Node (Linknet-B0 from the
 * original model.pth, the fixture input [2, 1, 64, 96]). Both providers must agree to rel-L2 1e-4; where WebGPU
 * cannot run, the test fails with what ORT said, unless ULSEG_ORT_WEBGPU=optional (then it logs it and checks wasm).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SWIFTSHADER } from '@ulseg/kernels/chromium';
import { noGrad, parseNpy, Tensor } from '@ulseg/autograd';
import { compare, gpuFor, testAdapterKinds } from '@ulseg/kernels/testing';
import { exportOnnx, readPth, SegmentationModel } from '../src/index.js';
import { runOrtPage, type OrtBrowserReport } from '@ulseg/model/testing/chromium';
import type { OrtRun } from '@ulseg/model/testing/ort';
import type { OrtPageReport } from '@ulseg/model/testing/ort-page';
import type { LogitsRequest } from './onnx-browser-page.js';

const PAGE = fileURLToPath(new URL('./onnx-browser-page.ts', import.meta.url));
const fixtures = new URL('../../../test/fixtures/linknet-b0/', import.meta.url);
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, fixtures)));
const AGREEMENT = 1e-4;

describe('ONNX export in onnxruntime-web in Chromium (SwiftShader)', () => {
  let ours: Float32Array;
  let report: OrtPageReport<OrtRun> & OrtBrowserReport;
  let model: SegmentationModel | undefined;

  beforeAll(async () => {
    const gpu = await gpuFor(testAdapterKinds()[0]!);
    model = new SegmentationModel(gpu, { encoder: 'efficientnet-b0', inChannels: 1, classes: 1 });
    model.load(await readPth(read('model.pth'), 'model.pth'));
    model.eval();
    const input = parseNpy(read('input.npy'));
    const tensor = Tensor.fromArray(gpu, input.data, input.shape);
    const logits = noGrad(() => model!.forward(tensor));
    ours = await logits.toArray();
    logits.dispose();
    tensor.dispose();
    const bytes = await exportOnnx(model, { height: 64, width: 96, batch: 'dynamic' });
    report = await runOrtPage<LogitsRequest, OrtPageReport<OrtRun>>({
      adapter: SWIFTSHADER,
      page: PAGE,
      model: bytes,
      input: input.data,
      request: { shape: input.shape, executionProviders: ['webgpu', 'wasm'] },
    });
  }, 600_000);
  afterAll(() => model?.dispose());

  it('the page sees SwiftShader', () => {
    if (report.console.length) console.log(`page console (${report.console.length} lines):\n  ${report.console.slice(0, 20).join('\n  ')}`);
    expect(report.adapter?.description.toLowerCase()).toContain('swiftshader');
  });

  for (const provider of ['wasm', 'webgpu'] as const) {
    it(`ORT's ${provider} execution provider gives our logits (rel-L2 <= 1e-4)`, () => {
      const run = report.runs.find((entry) => entry.executionProvider === provider)!;
      if (!run.ok) {
        const why = `ORT ${provider} on SwiftShader failed: ${run.error}\n  page console:\n    ${report.console.slice(0, 10).join('\n    ')}`;
        if (provider === 'webgpu' && process.env.ULSEG_ORT_WEBGPU === 'optional') {
          console.warn(why);
          return;
        }
        throw new Error(why);
      }
      const result = compare(run.logits, ours);
      console.log(
        `chromium/swiftshader ${run.runtime} ${provider}: rel-L2 ${result.relativeL2.toExponential(2)}, max |Δ| ${result.maxAbsolute.toExponential(2)} (${report.browser})`,
      );
      expect(run.logitsShape).toEqual([2, 1, 64, 96]);
      expect(result.nonFinite).toBe(0);
      expect(result.relativeL2).toBeLessThanOrEqual(AGREEMENT);
    });
  }
});
