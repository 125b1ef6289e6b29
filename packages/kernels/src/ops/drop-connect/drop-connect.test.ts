import { registerCases } from '../../testing/vitest.js';
import { dropConnectCases } from './drop-connect.cases.js';

registerCases(dropConnectCases);
