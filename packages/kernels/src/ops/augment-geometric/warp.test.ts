import { registerCases } from '../../testing/vitest.js';
import { warpCases } from './warp.cases.js';

registerCases(warpCases);
