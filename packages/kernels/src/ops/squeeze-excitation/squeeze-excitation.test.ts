import { registerCases } from '../../testing/vitest.js';
import { squeezeExcitationCases } from './squeeze-excitation.cases.js';

registerCases(squeezeExcitationCases);
