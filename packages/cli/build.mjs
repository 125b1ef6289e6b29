// Bundles the CLI from TypeScript sources into one ESM file; Dawn's native module stays external.
// `node build.mjs` writes dist/ulseg.js; tests import buildCli to bundle the same way into a private file.
import { build } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';

const packageRoot = fileURLToPath(new URL('.', import.meta.url));

/** Bundles src/main.ts into `outfile` (absolute, or relative to this package). */
export async function buildCli(outfile = 'dist/ulseg.js', logLevel = 'warning') {
  await build({
    absWorkingDir: packageRoot,
    entryPoints: ['src/main.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['source'],
    external: ['webgpu'],
    sourcemap: true,
    banner: { js: "#!/usr/bin/env node\nimport { createRequire as __ulsegCreateRequire } from 'node:module';\nconst require = __ulsegCreateRequire(import.meta.url);" },
    logLevel,
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await buildCli();
