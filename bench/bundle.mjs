// Bundles one bench entry point with esbuild (the `source` condition, like the CLI's build) into bench/.build/ and
// runs it in this process. Native and heavy packages stay external and load from node_modules at run time.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const benchDir = dirname(fileURLToPath(import.meta.url));

/**
 * @param {string} entry path of the entry point under bench/src
 * @param {string} name file name of the bundle under bench/.build
 * @param {string[]} external packages left out of the bundle
 */
export async function bundleAndRun(entry, name, external) {
  const outfile = join(benchDir, '.build', name);
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [join(benchDir, 'src', entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['source'],
    external,
    sourcemap: 'inline',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __benchCreateRequire } from 'node:module';\nconst require = __benchCreateRequire(import.meta.url);" },
  });
  await import(pathToFileURL(outfile).href);
}
