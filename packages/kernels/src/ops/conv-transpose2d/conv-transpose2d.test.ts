import { registerCases } from '../../testing/vitest.js';
import { convTranspose2dCases } from './conv-transpose2d.cases.js';

registerCases(convTranspose2dCases);
