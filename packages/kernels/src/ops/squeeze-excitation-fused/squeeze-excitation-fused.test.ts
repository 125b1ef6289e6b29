import { registerCases } from '../../testing/vitest.js';
import { squeezeExcitationFusedCases } from './squeeze-excitation-fused.cases.js';

registerCases(squeezeExcitationFusedCases);
