import { registerCases } from '@ulseg/kernels/testing/vitest';
import { augmentPolicyCases } from './augment-policy.cases.js';

registerCases(augmentPolicyCases);
