// Bundles the CLI from TypeScript sources into one ESM file; Dawn's native module stays external.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/ulseg.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  conditions: ['source'],
  external: ['webgpu'],
  sourcemap: true,
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __ulsegCreateRequire } from 'node:module';\nconst require = __ulsegCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
