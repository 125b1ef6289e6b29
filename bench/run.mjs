#!/usr/bin/env node
// `pnpm bench ...`: bundles bench/src/cli.ts with esbuild (the `source` condition, like the CLI's build) into
// bench/.build/bench.mjs and runs it.
// Dawn, tfjs, esbuild and puppeteer stay external (loaded from node_modules at run time).
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const benchDir = dirname(fileURLToPath(import.meta.url));
const outfile = join(benchDir, '.build', 'bench.mjs');
mkdirSync(dirname(outfile), { recursive: true });
await build({
  entryPoints: [join(benchDir, 'src', 'cli.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  conditions: ['source'],
  external: ['webgpu', '@tensorflow/*', 'esbuild', 'puppeteer-core'],
  sourcemap: 'inline',
  logLevel: 'warning',
  banner: { js: "import { createRequire as __benchCreateRequire } from 'node:module';\nconst require = __benchCreateRequire(import.meta.url);" },
});
await import(pathToFileURL(outfile).href);
