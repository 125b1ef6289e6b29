// esbuild plugin: the virtual module `ulseg-bench:kernel-modules`, generated at bundle time from the launcher
// modules that exist under packages/kernels/src/ops/<folder>/ (every *.ts but tests, cases, references and WGSL).
// A module that does not bundle on its own (a kernel half-written by someone right now) is left out with a warning,
// so the bench keeps working while kernels land.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

export const KERNEL_MODULES = 'ulseg-bench:kernel-modules';
const NOT_LAUNCHERS = /\.(test|cases|reference|wgsl)\.ts$|\.d\.ts$/;

/** Launcher files per op folder of `ops` (packages/kernels/src/ops), as absolute paths. */
export function findOpModules(ops) {
  const found = {};
  if (!existsSync(ops)) return found;
  for (const entry of readdirSync(ops, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const files = readdirSync(join(ops, entry.name))
      .filter((name) => name.endsWith('.ts') && !NOT_LAUNCHERS.test(name))
      .sort();
    if (files.length) found[entry.name] = files.map((name) => join(ops, entry.name, name));
  }
  return found;
}

/** Files of `modules` that esbuild can bundle (platform as the real bundle); the others with their first error. */
async function bundleable(modules, platform) {
  const ok = {};
  const broken = [];
  await Promise.all(
    Object.entries(modules).map(async ([folder, files]) => {
      const good = [];
      for (const file of files) {
        try {
          await build({ entryPoints: [file], bundle: true, write: false, platform, format: 'esm', conditions: ['source'], external: ['webgpu'], logLevel: 'silent' });
          good.push(file);
        } catch (error) {
          const first = error.errors?.[0];
          broken.push(`ops/${folder}/${file.split('/').pop()}: ${first ? first.text : error.message}`);
        }
      }
      if (good.length) ok[folder] = good;
    }),
  );
  return { ok, broken };
}

/** @param {{ platform: 'node' | 'browser', ops: string, warn?: (line: string) => void }} options */
export function kernelModulesPlugin(options) {
  const warn = options.warn ?? ((line) => console.warn(line));
  return {
    name: 'ulseg-bench-kernel-modules',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^ulseg-bench:kernel-modules$/ }, () => ({ path: KERNEL_MODULES, namespace: 'ulseg-bench' }));
      pluginBuild.onLoad({ filter: /.*/, namespace: 'ulseg-bench' }, async () => {
        const { ok, broken } = await bundleable(findOpModules(options.ops), options.platform);
        for (const line of broken) warn(`bench: left out a kernel module that does not bundle: ${line}`);
        const entries = Object.entries(ok)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([folder, files]) => {
            const names = files.map((file) => JSON.stringify(`ops/${folder}/${file.split('/').pop()}`));
            const loads = files.map((file) => `import(${JSON.stringify(file)})`);
            return `  ${JSON.stringify(folder)}: { files: [${names.join(', ')}], load: () => Promise.all([${loads.join(', ')}]) },`;
          });
        return { contents: `export const opModules = {\n${entries.join('\n')}\n};\n`, loader: 'js', resolveDir: options.ops };
      });
    },
  };
}
