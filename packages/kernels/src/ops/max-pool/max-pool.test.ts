import { registerCases } from '../../testing/vitest.js';
import { maxPoolCases } from './max-pool.cases.js';

registerCases(maxPoolCases);
