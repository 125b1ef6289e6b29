// Bundles the CLI from TypeScript sources into one ESM file; Dawn's native module stays external. Beside it,
// ulseg-page.js: the page of `--runtime chromium` (src/chromium/page.ts) bundled for the browser, where
// `#gpu-provider` resolves to navigator.gpu; Dawn or any node: module in it is an error.
// `node build.mjs` writes dist/ulseg.js; tests import buildCli to bundle the same way into a private file.
import { build } from 'esbuild';
import { dirname, isAbsolute, join } from 'node:path';
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
  const page = await build({
    absWorkingDir: packageRoot,
    entryPoints: ['src/chromium/page.ts'],
    outfile: join(dirname(isAbsolute(outfile) ? outfile : join(packageRoot, outfile)), 'ulseg-page.js'),
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'chrome121',
    conditions: ['source'],
    metafile: true,
    logLevel,
  });
  const nodeOnly = Object.keys(page.metafile.inputs).filter((input) => /provider-node|node_modules\/webgpu\/|^node:/.test(input));
  if (nodeOnly.length > 0) throw new Error(`the Chromium page bundle pulled in Node-only modules: ${nodeOnly.join(', ')}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await buildCli();
