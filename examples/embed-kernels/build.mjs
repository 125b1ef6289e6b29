// Bundles the example with esbuild, as an app that depends on the published @ulseg/kernels would: the package's
// default export condition (its compiled ESM in packages/kernels/dist, so run `pnpm build` first), and for the page
// the browser entry of its device module. Writes, into OUTDIR (default dist):
//   index.html, app.js (+ map, + app.meta.json: esbuild's list of bundled inputs)  the page
//   node.mjs (+ map)                                                             the Node variant (Dawn stays external)
// Usage: node build.mjs [OUTDIR]
import { build } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
function writeAtomic(path, contents) {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

async function bundle(options) {
  const result = await build({ bundle: true, format: 'esm', sourcemap: true, write: false, metafile: true, logLevel: 'silent', absWorkingDir: here, ...options });
  for (const file of result.outputFiles) writeAtomic(file.path, file.contents);
  return result.metafile;
}

export async function buildExample(outdir) {
  const page = await bundle({ entryPoints: ['src/page.ts'], outfile: join(outdir, 'app.js'), platform: 'browser', target: 'es2022' });
  writeAtomic(join(outdir, 'app.meta.json'), JSON.stringify(page, null, 1));
  writeAtomic(join(outdir, 'index.html'), readFileSync(join(here, 'index.html')));
  await bundle({ entryPoints: ['node.ts'], outfile: join(outdir, 'node.mjs'), platform: 'node', target: 'node20', external: ['webgpu'] });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv.includes('--help')) {
  console.log('Usage: node build.mjs [OUTDIR]\n  OUTDIR  where to write index.html, app.js, app.meta.json and node.mjs (default: dist beside this script)');
} else if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outdir = resolve(process.argv[2] ?? join(here, 'dist'));
  try {
    await buildExample(outdir);
    console.log(`built the example into ${outdir}: open index.html through \`node serve.mjs\`, or run \`node ${join(outdir, 'node.mjs')} --help\``);
  } catch (error) {
    const messages = error.errors?.map((entry) => `${entry.location ? `${entry.location.file}:${entry.location.line}: ` : ''}${entry.text}`) ?? [error.message];
    console.error(`error: building the example failed (run \`pnpm build\` first, so that @ulseg/kernels has its dist/):\n  ${messages.join('\n  ')}`);
    process.exitCode = 1;
  }
}
