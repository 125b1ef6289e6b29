import { registerCases } from '../testing/vitest.js';
import { profilerCases } from './profiler.cases.js';

registerCases(profilerCases);
