#!/usr/bin/env node
// `node bench/ort-peer.mjs --model model.onnx [...]`: the ONNX Runtime Web peer on its own (see
// bench/src/node/ort-peer-main.ts), bundled into bench/.build/ort-peer.mjs and run (bundle.mjs); Dawn, esbuild and
// puppeteer stay external, onnxruntime-web is loaded from its dist folder at run time.
import { bundleAndRun } from './bundle.mjs';

await bundleAndRun('node/ort-peer-main.ts', 'ort-peer.mjs', ['webgpu', 'esbuild', 'puppeteer-core', 'onnxruntime-web']);
