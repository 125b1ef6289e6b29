import { registerCases } from '@ulseg/kernels/testing/vitest';
import { checkpointCases } from './checkpoint.cases.js';

registerCases(checkpointCases);
