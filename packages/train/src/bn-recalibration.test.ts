import { registerCases } from '@ulseg/kernels/testing/vitest';
import { bnRecalibrationCases } from './bn-recalibration.cases.js';

registerCases(bnRecalibrationCases);
