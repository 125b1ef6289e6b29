// Bundles the page with esbuild (browser platform, the workspace packages' TypeScript source through the `source`
// condition, so no `pnpm build` is needed) and writes into OUTDIR (default dist):
//   index.html, app.js (+ app.js.map), app.meta.json (esbuild's list of bundled inputs)
// Every file is written through a temporary file and a rename. Usage: node build.mjs [OUTDIR]
import { build } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function writeAtomic(path, contents) {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

/** Builds the page into `outdir`; rejects if the bundle pulled in a Node-only module. */
export async function buildPage(outdir) {
  const result = await build({
    entryPoints: [join(here, 'src/main.ts')],
    outfile: join(outdir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    sourcemap: true,
    minify: false,
    write: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: here,
  });
  const nodeOnly = Object.keys(result.metafile.inputs).filter((input) => /provider-node|node_modules\/webgpu\/|^node:/.test(input));
  if (nodeOnly.length > 0) throw new Error(`the page pulled in Node-only modules: ${nodeOnly.join(', ')}`);
  for (const file of result.outputFiles) writeAtomic(file.path, file.contents);
  writeAtomic(join(outdir, 'app.meta.json'), JSON.stringify(result.metafile, null, 1));
  writeAtomic(join(outdir, 'index.html'), readFileSync(join(here, 'index.html')));
  return result.metafile;
}

const main = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (main && process.argv.includes('--help')) {
  console.log(
    'Usage: node build.mjs [OUTDIR]\n' +
      '  OUTDIR  where to write index.html, app.js (+ map) and app.meta.json (default: dist beside this script)\n' +
      'Demo weights: copy checkpoints to OUTDIR/weights/fold<k>/best.safetensors (as `ulseg demo` writes them), or list\n' +
      'them in OUTDIR/weights/index.json; then `node serve.mjs OUTDIR`.',
  );
} else if (main) {
  const outdir = resolve(process.argv[2] ?? join(here, 'dist'));
  try {
    const metafile = await buildPage(outdir);
    const bytes = Object.values(metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
    console.log(`built the page into ${outdir} (${(bytes / 2 ** 20).toFixed(1)} MiB); serve it with \`node serve.mjs ${outdir}\``);
  } catch (error) {
    const messages = error.errors?.map((entry) => `${entry.location ? `${entry.location.file}:${entry.location.line}: ` : ''}${entry.text}`) ?? [error.message];
    console.error(`error: building the page failed:\n  ${messages.join('\n  ')}`);
    process.exitCode = 1;
  }
}
