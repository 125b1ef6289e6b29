/** @ulseg/postprocess: RSIP (small-region removal, hole filling) and the edge-band median filter (EMF). */
export { labelComponents, type Components, type Connectivity } from './components.js';
export { removeSmallRegions, type RsipOptions, type RsipResult } from './rsip.js';
export { edgeMedian } from './emf.js';
export { postprocessMask, type PostprocessOptions, type PostprocessResult } from './postprocess.js';
