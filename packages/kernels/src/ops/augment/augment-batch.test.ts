import { registerCases } from '../../testing/vitest.js';
import { augmentBatchCases } from './augment-batch.cases.js';

registerCases(augmentBatchCases);
