import { registerCases } from '../testing/vitest.js';
import { wgslLibraryCases } from './wgsl.cases.js';

registerCases(wgslLibraryCases);
