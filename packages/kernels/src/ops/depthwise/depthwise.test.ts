import { registerCases } from '../../testing/vitest.js';
import { depthwiseCases } from './depthwise.cases.js';

registerCases(depthwiseCases);
