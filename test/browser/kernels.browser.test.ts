/**
 * Every kernel case (packages/*\/src/**\/*.cases.ts) but the whole-network ones in headless Chromium, on every
 * browser adapter (SwiftShader and compat): one page session per adapter (browser-suite.ts, env there).
 *
 *   pnpm vitest run test/browser/kernels.browser.test.ts
 */
import { describeBrowserCases } from './browser-suite.js';

describeBrowserCases('kernels');
