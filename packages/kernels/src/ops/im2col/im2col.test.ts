import { registerCases } from '../../testing/vitest.js';
import { im2colCases } from './im2col.cases.js';

registerCases(im2colCases);
