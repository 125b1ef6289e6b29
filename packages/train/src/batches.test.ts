import { registerCases } from '@ulseg/kernels/testing/vitest';
import { batchCases } from './batches.cases.js';

registerCases(batchCases);
