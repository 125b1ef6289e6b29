/** Bundles src/main.ts into `outfile` (absolute, or relative to packages/cli); default dist/ulseg.js. */
export function buildCli(outfile?: string, logLevel?: 'warning' | 'error' | 'silent'): Promise<void>;
