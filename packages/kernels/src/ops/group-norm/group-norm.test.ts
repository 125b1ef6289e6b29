import { registerCases } from '../../testing/vitest.js';
import { groupNormCases } from './group-norm.cases.js';

registerCases(groupNormCases);
