import { registerCases } from '../../testing/vitest.js';
import { col2imCases } from './col2im.cases.js';

registerCases(col2imCases);
