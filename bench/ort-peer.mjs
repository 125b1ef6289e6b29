#!/usr/bin/env node
// `node bench/ort-peer.mjs --model model.onnx [...]`: the ONNX Runtime Web peer on its own (see
// bench/src/node/ort-peer-main.ts). Bundles it with esbuild (the `source` condition) into bench/.build/ort-peer.mjs
// and runs it; Dawn, esbuild and puppeteer stay external, onnxruntime-web is loaded from its dist folder at run time.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const benchDir = dirname(fileURLToPath(import.meta.url));
const outfile = join(benchDir, '.build', 'ort-peer.mjs');
mkdirSync(dirname(outfile), { recursive: true });
await build({
  entryPoints: [join(benchDir, 'src', 'node', 'ort-peer-main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  conditions: ['source'],
  external: ['webgpu', 'esbuild', 'puppeteer-core', 'onnxruntime-web'],
  sourcemap: 'inline',
  logLevel: 'warning',
  banner: { js: "import { createRequire as __benchCreateRequire } from 'node:module';\nconst require = __benchCreateRequire(import.meta.url);" },
});
await import(pathToFileURL(outfile).href);
