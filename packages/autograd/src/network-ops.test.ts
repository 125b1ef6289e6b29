import { registerCases } from '@ulseg/kernels/testing/vitest';
import { networkOpCases } from './network-ops.cases.js';

registerCases(networkOpCases);
