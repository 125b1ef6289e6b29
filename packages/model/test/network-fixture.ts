/**
 * The network fixtures in Node tests: everything of src/testing/network-fixture.ts (pattern, loader, checker) and
 * describeNetworkCase, which registers a case's shared check on every test adapter
 * (the same body the Chromium harness runs through src/network-fixtures.cases.ts).
 */
import { registerCases } from '@ulseg/kernels/testing/vitest';
import type { Tensor } from '@ulseg/autograd';
import { networkFixtureCase, type NetworkCaseName, type NetworkUnderTest } from '../src/testing/network-fixture.js';

export * from '../src/testing/network-fixture.js';

export interface DescribeNetworkOptions {
  /** Test timeout of the forward/backward test (ms). */
  timeout?: number;
}

/** The fixture checks of one network case on every test adapter (networkFixtureCase through registerCases). */
export function describeNetworkCase(name: NetworkCaseName, build: (gpu: Tensor['gpu']) => NetworkUnderTest, options: DescribeNetworkOptions = {}): void {
  registerCases([networkFixtureCase(name, build, options.timeout ? { timeoutMs: options.timeout } : {})]);
}
