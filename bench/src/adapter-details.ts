/**
 * What a run records and prints about its adapter beside GpuInfo: the driver, backend and type Chromium reports
 * with `--enable-webgpu-developer-features` (Dawn in Node reports what its adapter info holds), and the limits that
 * size GPU work. No Node or DOM APIs: the bench pages use it too.
 */
export interface AdapterDetails {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** Driver name or version where the runtime reports one (Chromium developer features), else ''. */
  readonly driver: string;
  /** Dawn backend (vulkan, metal, d3d12, ...) where reported, else ''. */
  readonly backend: string;
  /** discrete GPU, integrated GPU, CPU, ... where reported, else ''. */
  readonly type: string;
  readonly limits: Readonly<Record<string, number>>;
}

/** The limits recorded and printed: those the kernels size their work by. */
export const RECORDED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
  'minStorageBufferOffsetAlignment',
] as const;

type InfoLike = Partial<Record<'vendor' | 'architecture' | 'device' | 'description' | 'driver' | 'backend' | 'type', unknown>>;

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Reads GPUAdapterInfo (standard and developer-feature fields) and the limits (a GPUSupportedLimits or a record). */
export function adapterDetails(info: InfoLike | undefined, limits: object): AdapterDetails {
  const recorded: Record<string, number> = {};
  for (const name of RECORDED_LIMITS) {
    const value = (limits as Record<string, unknown>)[name];
    if (typeof value === 'number') recorded[name] = value;
  }
  return {
    vendor: text(info?.vendor),
    architecture: text(info?.architecture),
    device: text(info?.device),
    description: text(info?.description),
    // Chromium's developer features report `driver`; Dawn in Node reports the driver in `description` (the spec's
    // "description of the driver"), e.g. 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)'.
    driver: text(info?.driver) || text(info?.description),
    backend: text(info?.backend),
    type: text(info?.type),
    limits: recorded,
  };
}

const size = (bytes: number): string => (bytes >= 2 ** 30 ? `${+(bytes / 2 ** 30).toFixed(1)} GiB` : bytes >= 2 ** 20 ? `${+(bytes / 2 ** 20).toFixed(1)} MiB` : `${bytes}`);

/** One line: vendor, architecture, device, driver, backend, type and the recorded limits. */
export function describeAdapterDetails(details: AdapterDetails): string {
  const fields = [
    `vendor ${details.vendor || '?'}`,
    `architecture ${details.architecture || '?'}`,
    `device ${details.device || details.description || '?'}`,
    `driver ${details.driver || '(not reported)'}`,
    ...(details.backend ? [`backend ${details.backend}`] : []),
    ...(details.type ? [`type ${details.type}`] : []),
  ];
  const limits = Object.entries(details.limits).map(([name, value]) => `${name} ${/Size$/.test(name) ? size(value) : value}`);
  return `${fields.join(', ')}; limits: ${limits.join(', ') || 'none read'}`;
}
