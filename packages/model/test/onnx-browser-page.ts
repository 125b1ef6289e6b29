/** The page of onnx-browser.test.ts: each requested provider's logits from one run of the served model (runOrt). */
import * as ort from 'onnxruntime-web';
import { runOrt, type OrtRun } from '@ulseg/model/testing/ort';
import { installOrtPage, type OrtPageRequest } from '@ulseg/model/testing/ort-page';

export interface LogitsRequest extends OrtPageRequest {
  /** The input's [N, C, H, W]. */
  readonly shape: readonly number[];
}

installOrtPage<LogitsRequest, OrtRun>(ort, ({ model, input, executionProvider, request }) =>
  runOrt(ort, model, input, request.shape, { executionProviders: [executionProvider] }),
);
