/** The Chromium adapter configurations live in @ulseg/kernels/chromium (shared with the CLI's `--runtime chromium`). */
export * from '../../packages/kernels/src/chromium/adapters.js';
