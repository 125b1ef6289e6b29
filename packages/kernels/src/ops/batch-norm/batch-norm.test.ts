import { registerCases } from '../../testing/vitest.js';
import { batchNormCases } from './batch-norm.cases.js';

registerCases(batchNormCases);
