import { registerCases } from '../../testing/vitest.js';
import { conv2dIm2colCases } from './conv2d-im2col.cases.js';

registerCases(conv2dIm2colCases);
