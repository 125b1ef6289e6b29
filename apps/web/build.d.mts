/** Bundles the page (index.html, app.js, app.meta.json) into `outdir`; resolves to esbuild's metafile. */
export function buildPage(outdir: string): Promise<{ inputs: Record<string, unknown>; outputs: Record<string, { bytes: number }> }>;
