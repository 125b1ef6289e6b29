/** Bundles the page (index.html, app.js, app.meta.json) and the Node variant (node.mjs) into `outdir`. */
export function buildExample(outdir: string): Promise<void>;
