import { registerCases } from '../../testing/vitest.js';
import { unaryCases } from './unary.cases.js';

registerCases(unaryCases);
