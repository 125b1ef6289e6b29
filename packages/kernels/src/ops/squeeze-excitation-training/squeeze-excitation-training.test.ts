import { registerCases } from '../../testing/vitest.js';
import { squeezeExcitationTrainingCases } from './squeeze-excitation-training.cases.js';

registerCases(squeezeExcitationTrainingCases);
