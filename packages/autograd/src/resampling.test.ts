import { registerCases } from '@ulseg/kernels/testing/vitest';
import { resamplingCases } from './resampling.cases.js';

registerCases(resamplingCases);
