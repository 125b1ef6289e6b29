import { registerCases } from '../../testing/vitest.js';
import { augmentPolicyCases } from './augment-policy.cases.js';

registerCases(augmentPolicyCases);
