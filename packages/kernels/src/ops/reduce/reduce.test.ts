import { registerCases } from '../../testing/vitest.js';
import { reduceCases } from './reduce.cases.js';

registerCases(reduceCases);
