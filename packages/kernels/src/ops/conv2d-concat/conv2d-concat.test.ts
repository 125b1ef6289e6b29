import { registerCases } from '../../testing/vitest.js';
import { conv2dConcatCases } from './conv2d-concat.cases.js';

registerCases(conv2dConcatCases);
