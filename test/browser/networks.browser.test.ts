/**
 * The whole-network fixture cases (packages/model/src/network-fixtures.cases.ts: eval and train logits, loss,
 * BatchNorm buffers and gradients of every network against test/fixtures/networks) in headless Chromium, on the core
 * SwiftShader adapter: one page session for all of them (browser-suite.ts, env there). The compat adapter runs every
 * kernel they are made of through kernels.browser.test.ts.
 *
 *   pnpm vitest run test/browser/networks.browser.test.ts
 */
import { describeBrowserCases } from './browser-suite.js';

describeBrowserCases('networks');
