import { registerCases } from '../../testing/vitest.js';
import { gemmCases } from './gemm.cases.js';

registerCases(gemmCases);
