import { registerCases } from '../../testing/vitest.js';
import { batchNormActivationCases } from './batch-norm-activation.cases.js';

registerCases(batchNormActivationCases);
