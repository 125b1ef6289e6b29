import { registerCases } from '../../testing/vitest.js';
import { concatCases } from './concat.cases.js';

registerCases(concatCases);
