import { registerCases } from '@ulseg/kernels/testing/vitest';
import { convBatchNormCases } from './conv-batch-norm.cases.js';

registerCases(convBatchNormCases);
