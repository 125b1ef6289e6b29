import { formatNumber } from '../report/format.js';

/** `850 ms`, `12.3 s`. */
export const formatSeconds = (ms: number): string => (ms >= 1000 ? `${formatNumber(ms / 1000)} s` : `${formatNumber(ms)} ms`);
