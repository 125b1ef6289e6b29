/**
 * Our Gpu in Node for a bench run, the same for the kernel and the model suites: the Dawn adapter asked for
 * (`auto`: hardware, else lavapipe, else SwiftShader; createGpu asks for `powerPreference: 'high-performance'`), the
 * run's label from the adapter it got, and its details (vendor, architecture, driver, limits) and known FP32 peak,
 * printed and recorded.
 */
import { createGpu, describeProfile, type Gpu } from '@ulseg/kernels';
import type { NodeAdapterChoice } from '../adapters.js';
import { adapterDetails, describeAdapterDetails, type AdapterDetails } from '../adapter-details.js';
import { fp32PeakOf, peakLine, type Fp32Peak } from '../gpu-peaks.js';

export interface NodeGpu {
  readonly gpu: Gpu;
  /** `node/<kind>`: the kind of the adapter Dawn gave (for `auto`, what it resolved to). */
  readonly label: string;
  readonly details: AdapterDetails;
  readonly peak: Fp32Peak | null;
}

export async function openNodeGpu(
  adapter: NodeAdapterChoice,
  variant: 'tiled' | 'lanes' | 'subgroup' | null | undefined,
  log: (line: string) => void,
  im2col?: boolean | null,
): Promise<NodeGpu> {
  const profile = { ...(variant ? { gemm: variant } : {}), ...(typeof im2col === 'boolean' ? { convIm2col: im2col } : {}) };
  const gpu = await createGpu({ adapter, profile });
  const label = `node/${gpu.info.kind}`;
  const details = adapterDetails((gpu.device as { adapterInfo?: GPUAdapterInfo }).adapterInfo ?? gpu.info, gpu.device.limits);
  const peak = fp32PeakOf(details);
  if (adapter === 'auto' && gpu.info.kind !== 'hardware') log(`[node] Dawn exposes no hardware adapter: going on with ${gpu.info.kind}`);
  log(`[${label}] ${gpu.info.description || gpu.info.device} (features: ${gpu.info.features.join(', ') || 'none'})`);
  log(`[${label}] ${describeAdapterDetails(details)}`);
  log(`[${label}] ${peakLine(peak)}`);
  log(`[${label}] ${describeProfile(gpu.deviceProfile)}`);
  return { gpu, label, details, peak };
}
