import { registerCases } from '../../testing/vitest.js';
import { adaptivePoolCases } from './adaptive-pool.cases.js';

registerCases(adaptivePoolCases);
