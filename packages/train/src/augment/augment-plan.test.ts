import { registerCases } from '@ulseg/kernels/testing/vitest';
import { augmentPlanCases } from './augment-plan.cases.js';

registerCases(augmentPlanCases);
