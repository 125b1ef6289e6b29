import { registerCases } from '@ulseg/kernels/testing/vitest';
import { convolutionCases } from './convolution.cases.js';

registerCases(convolutionCases);
