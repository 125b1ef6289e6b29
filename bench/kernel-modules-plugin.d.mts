/** Types of kernel-modules-plugin.mjs (plain JS so that run.mjs can use it before anything is bundled). */
import type { Plugin } from 'esbuild';

export declare const KERNEL_MODULES: 'ulseg-bench:kernel-modules';
export declare function findOpModules(ops: string): Record<string, string[]>;
export declare function kernelModulesPlugin(options: { platform: 'node' | 'browser'; ops: string; warn?: (line: string) => void }): Plugin;
