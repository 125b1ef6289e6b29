import { registerCases } from '../../testing/vitest.js';
import { fillCases } from './fill.cases.js';

registerCases(fillCases);
