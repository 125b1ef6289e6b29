/**
 * The ONNX Runtime Web page of the bench's ORT peer: installOrtPage (@ulseg/model/testing/ort-page, which fetches the
 * served model and input and tries each provider in a session of its own) running bench/src/ort-peer.ts's timed
 * peer per execution provider.
 */
import * as ort from 'onnxruntime-web';
import { installOrtPage, type OrtPageReport, type OrtPageRequest as PageRequestBase } from '@ulseg/model/testing/ort-page';
import { runOrtPeer, type OrtPeerResult } from '../ort-peer.js';

export interface OrtPageRequest extends PageRequestBase {
  readonly batch: number;
  readonly resolution: readonly [number, number];
  readonly warmRuns: number;
  readonly maxSeconds: number;
}

export type OrtPeerPageReport = OrtPageReport<OrtPeerResult>;

installOrtPage<OrtPageRequest, OrtPeerResult>(ort, ({ model, input, executionProvider, request }) =>
  runOrtPeer(ort, {
    model,
    batch: request.batch,
    resolution: request.resolution,
    input,
    executionProviders: [executionProvider],
    warmRuns: request.warmRuns,
    maxSeconds: request.maxSeconds,
  }),
);
