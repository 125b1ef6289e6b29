/**
 * createGpu: a ready Gpu in Node (Dawn) or a browser (navigator.gpu), or around a device the caller already has.
 * Requests the adapter's maxima for the limits the kernels depend on, and the optional features they can use.
 */
import { Gpu, type GpuInfo } from '../runtime/gpu.js';
import { limitsRecord } from '../runtime/limits.js';
import { classifyAdapter, parseAdapterKind, type AdapterKind, type ResolvedAdapterKind } from './adapters.js';
import { environmentAdapterKind, hostCores, requestAdapter } from '#gpu-provider';
import { GpuUnavailableError } from './errors.js';
import { describeProfile, profileFor, type DeviceProfile, type ProfileOverrides } from './profile.js';

export interface CreateGpuOptions {
  /** Which adapter: `auto` (hardware, then lavapipe, then SwiftShader), or one kind. Default: env ULSEG_ADAPTER or auto. */
  adapter?: AdapterKind;
  /** Adopt a device the caller created (embedding): nothing is requested, nothing destroyed on `destroy()`. */
  device?: GPUDevice;
  /** Adapter info to report for an adopted device, when the caller knows it. */
  adapterInfo?: GPUAdapterInfo;
  /** `compatibility` asks for a WebGPU compatibility-mode adapter (e.g. Chromium's OpenGL ES backend). */
  featureLevel?: 'core' | 'compatibility';
  /** Replaces fields of the device profile made from the adapter (e.g. `{ gemm: 'tiled' }`): tests and benchmarks. */
  profile?: ProfileOverrides;
}

/** Limits the kernels size their work by: requested at the adapter's maximum. */
const LIMITS_AT_MAXIMUM = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
  'maxBindGroups',
] as const;

const OPTIONAL_FEATURES = ['timestamp-query', 'shader-f16', 'subgroups'] as const;

export async function createGpu(options: CreateGpuOptions = {}): Promise<Gpu> {
  if (options.device) {
    const info = describe(options.device, options.adapterInfo, true, 'core');
    return new Gpu(options.device, info, makeProfile(info, options.adapterInfo, options.profile));
  }
  const kind = options.adapter ?? parseAdapterKind(environmentAdapterKind(), 'ULSEG_ADAPTER');
  const featureLevel = options.featureLevel ?? 'core';
  const adapter = await requestAdapter({ kind, featureLevel });
  // Each limit this Dawn has, at the adapter's maximum (a limit it lacks is left out).
  const requiredLimits = limitsRecord(adapter.limits, LIMITS_AT_MAXIMUM);
  const requiredFeatures = OPTIONAL_FEATURES.filter((feature) => adapter.features.has(feature));
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'ulseg' });
  } catch (error) {
    throw new GpuUnavailableError(`The adapter refused a device: ${(error as Error).message}`);
  }
  const info = describe(device, adapter.info, false, featureLevel);
  if (kind !== 'auto' && info.kind !== kind) {
    device.destroy();
    throw new GpuUnavailableError(`Asked for a ${kind} adapter but got '${info.description || info.device}' (${info.kind}).`);
  }
  return new Gpu(device, info, makeProfile(info, adapter.info, options.profile));
}

function makeProfile(info: GpuInfo, adapterInfo: GPUAdapterInfo | undefined, overrides: ProfileOverrides | undefined): DeviceProfile {
  const subgroupMinSize = (adapterInfo as { subgroupMinSize?: number } | undefined)?.subgroupMinSize;
  return profileFor({ kind: info.kind, features: info.features, subgroupMinSize: subgroupMinSize || undefined, cores: hostCores() }, overrides);
}

function describe(
  device: GPUDevice,
  adapterInfo: GPUAdapterInfo | undefined,
  adopted: boolean,
  featureLevel: 'core' | 'compatibility',
): GpuInfo {
  const source = adapterInfo ?? (device as { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  const text = {
    vendor: source?.vendor ?? '',
    architecture: source?.architecture ?? '',
    device: source?.device ?? '',
    description: source?.description ?? '',
  };
  const limits = limitsRecord(device.limits, [...LIMITS_AT_MAXIMUM, 'minStorageBufferOffsetAlignment', 'minUniformBufferOffsetAlignment']);
  const kind: ResolvedAdapterKind = classifyAdapter(text);
  return { kind, ...text, featureLevel, features: [...device.features].sort(), limits, adopted };
}

export function describeGpu(gpu: Gpu): string {
  const { info } = gpu;
  const name = info.description || info.device || info.vendor || 'unknown adapter';
  const mib = (bytes: number | undefined): string => (bytes === undefined ? '?' : `${(bytes / 2 ** 20).toFixed(0)} MiB`);
  return [
    `adapter: ${name} (${info.kind}${info.featureLevel === 'compatibility' ? ', compatibility mode' : ''})`,
    `vendor: ${info.vendor || '?'}  architecture: ${info.architecture || '?'}`,
    `features: ${info.features.join(', ') || 'none'}`,
    `limits: maxStorageBufferBindingSize ${mib(info.limits.maxStorageBufferBindingSize)}, maxBufferSize ` +
      `${mib(info.limits.maxBufferSize)}, maxComputeInvocationsPerWorkgroup ${info.limits.maxComputeInvocationsPerWorkgroup}, ` +
      `maxStorageBuffersPerShaderStage ${info.limits.maxStorageBuffersPerShaderStage}, maxComputeWorkgroupStorageSize ` +
      `${info.limits.maxComputeWorkgroupStorageSize}`,
    describeProfile(gpu.deviceProfile),
  ].join('\n');
}
