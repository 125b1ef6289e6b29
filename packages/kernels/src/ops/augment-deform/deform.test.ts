import { registerCases } from '../../testing/vitest.js';
import { deformCases } from './deform.cases.js';

registerCases(deformCases);
