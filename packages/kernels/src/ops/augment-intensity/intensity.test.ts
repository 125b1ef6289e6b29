import { registerCases } from '../../testing/vitest.js';
import { intensityCases } from './intensity.cases.js';

registerCases(intensityCases);
