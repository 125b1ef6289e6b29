/** Errors a user can act on: each says what failed, where, and what to do. */

export class GpuUnavailableError extends Error {
  override name = 'GpuUnavailableError';
}

export class GpuValidationError extends Error {
  override name = 'GpuValidationError';
}

export class DeviceLostError extends Error {
  override name = 'DeviceLostError';
}

/** A kernel was called with arguments it cannot run on: wrong shapes, dtypes or sizes over a device limit. */
export class KernelArgumentError extends Error {
  override name = 'KernelArgumentError';
}

export const INSTALL_ADVICE =
  'Install a WebGPU-capable driver: on Debian/Ubuntu run `bash scripts/setup` from the ulseg checkout ' +
  '(Mesa >= 23 lavapipe: `apt-get install -t bookworm-backports mesa-vulkan-drivers`; SwiftShader ships with ' +
  "Debian's `chromium` package). In a browser, use Chrome/Edge 113+ or enable WebGPU.";
