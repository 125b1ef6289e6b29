/**
 * esbuild bundles of the bench pages (kernels, model, ONNX Runtime), for Chromium: the `source` condition, so
 * `#gpu-provider` resolves to navigator.gpu; cached per entry file for the life of the process.
 */
import { build } from 'esbuild';

const bundles = new Map<string, Promise<string>>();

export interface PageBundleOptions {
  /** Names the page in errors, e.g. 'model bench page'. */
  readonly what: string;
  /** Fail when Dawn's Node provider or the `webgpu` package got in (our kernels' pages must not need Node). */
  readonly refuseNodeOnly?: boolean;
}

export function bundleBenchPage(entry: string, options: PageBundleOptions): Promise<string> {
  let bundle = bundles.get(entry);
  if (!bundle) {
    bundle = build({
      entryPoints: [entry],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'chrome121',
      conditions: ['source'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    }).then((result) => {
      if (options.refuseNodeOnly) {
        const nodeOnly = Object.keys(result.metafile.inputs).filter((input) => /provider-node|node_modules\/webgpu\//.test(input));
        if (nodeOnly.length) throw new Error(`the ${options.what} pulled in Node-only modules: ${nodeOnly.join(', ')}`);
      }
      const output = result.outputFiles[0];
      if (!output) throw new Error(`esbuild produced no ${options.what}`);
      return output.text;
    });
    bundles.set(entry, bundle);
  }
  return bundle;
}
