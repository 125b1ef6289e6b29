import { registerCases } from '../../testing/vitest.js';
import { dropoutCases } from './dropout.cases.js';

registerCases(dropoutCases);
