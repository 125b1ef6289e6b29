import { registerCases } from '../../testing/vitest.js';
import { transposeCases } from './transpose.cases.js';

registerCases(transposeCases);
