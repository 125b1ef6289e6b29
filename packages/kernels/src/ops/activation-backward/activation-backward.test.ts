import { registerCases } from '../../testing/vitest.js';
import { activationBackwardCases } from './activation-backward.cases.js';

registerCases(activationBackwardCases);
