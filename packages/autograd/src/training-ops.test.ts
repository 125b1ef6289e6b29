import { registerCases } from '@ulseg/kernels/testing/vitest';
import { trainingOpCases } from './training-ops.cases.js';

registerCases(trainingOpCases);
