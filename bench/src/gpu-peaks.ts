/**
 * FP32 peak throughput of known GPUs (non-tensor-core FMA rate: 2 FLOP per FMA lane per clock at the boost clock),
 * so that a run on a hardware adapter can state its GFLOP/s as a fraction of what the chip can do.
 *
 * Sources (vendor figures where published, else ALUs x 2 x boost clock):
 * - NVIDIA data-centre: H100 and H200 product pages / datasheets (FP32 67 TFLOPS SXM, 51 PCIe, 60 NVL), A100
 *   datasheet (19.5), A10 (31.2), L4 (30.3), L40S (91.6), T4 (8.1) datasheets.
 * - NVIDIA GeForce RTX 30xx / 40xx: TechPowerUp GPU Database (shaders x 2 x boost clock; desktop parts: laptop
 *   parts of the same name have other clocks and are not matched).
 * - Apple M1-M3: Wikipedia "Apple M1/M2/M3" GPU tables (128 ALUs per GPU core x 2 x clock), the largest GPU
 *   configuration of each chip (WebGPU does not report the core count).
 * - Intel: Iris Xe 96 EU, UHD 620/630, Arc A-series and Meteor Lake Arc from Intel ARK / Wikipedia "Intel Xe"
 *   (8 FP32 lanes per EU x 2 x clock).
 * - AMD: Radeon 680M / 780M (RDNA 2 / 3 iGPUs; 780M with RDNA 3 dual issue as AMD states it), Vega 8, RX 6800 XT,
 *   RX 6900 XT, RX 7900 XTX: AMD product pages / TechPowerUp.
 */

export interface KnownGpu {
  /** Name as printed in reports. */
  readonly name: string;
  /** FP32 peak in TFLOP/s. */
  readonly fp32Tflops: number;
  /** Matched against the adapter's description and device, lower-cased. More specific entries come first. */
  readonly pattern: RegExp;
}

const NOT_LAPTOP = '(?!.*(laptop|mobile|max-q))';
const rtx = (model: string, fp32Tflops: number): KnownGpu => ({
  name: `GeForce RTX ${model.toUpperCase()}`,
  fp32Tflops,
  pattern: new RegExp(`rtx ${model.replace(/ /g, '[ -]?')}\\b${NOT_LAPTOP}`),
});

export const KNOWN_GPUS: readonly KnownGpu[] = [
  { name: 'NVIDIA H200 NVL', fp32Tflops: 60, pattern: /h200 nvl/ },
  { name: 'NVIDIA H200 (SXM)', fp32Tflops: 67, pattern: /h200/ },
  { name: 'NVIDIA H100 PCIe', fp32Tflops: 51, pattern: /h100 pcie/ },
  { name: 'NVIDIA H100 NVL', fp32Tflops: 60, pattern: /h100 nvl/ },
  { name: 'NVIDIA H100 (SXM)', fp32Tflops: 67, pattern: /h100/ },
  { name: 'NVIDIA A100', fp32Tflops: 19.5, pattern: /a100/ },
  { name: 'NVIDIA L40S', fp32Tflops: 91.6, pattern: /l40s/ },
  { name: 'NVIDIA L4', fp32Tflops: 30.3, pattern: /nvidia l4\b/ },
  { name: 'NVIDIA A10', fp32Tflops: 31.2, pattern: /nvidia a10\b/ },
  { name: 'NVIDIA T4', fp32Tflops: 8.1, pattern: /tesla t4|nvidia t4\b/ },
  rtx('4090', 82.6),
  rtx('4080 super', 52.2),
  rtx('4080', 48.7),
  rtx('4070 ti super', 44.1),
  rtx('4070 ti', 40.1),
  rtx('4070 super', 35.5),
  rtx('4070', 29.1),
  rtx('4060 ti', 22.1),
  rtx('4060', 15.1),
  rtx('3090 ti', 40),
  rtx('3090', 35.6),
  rtx('3080 ti', 34.1),
  rtx('3080', 29.8),
  rtx('3070 ti', 21.7),
  rtx('3070', 20.3),
  rtx('3060 ti', 16.2),
  rtx('3060', 12.7),
  rtx('3050', 9.1),
  { name: 'Apple M1 Ultra', fp32Tflops: 21.2, pattern: /apple m1 ultra/ },
  { name: 'Apple M1 Max', fp32Tflops: 10.4, pattern: /apple m1 max/ },
  { name: 'Apple M1 Pro', fp32Tflops: 5.2, pattern: /apple m1 pro/ },
  { name: 'Apple M1', fp32Tflops: 2.6, pattern: /apple m1\b/ },
  { name: 'Apple M2 Ultra', fp32Tflops: 27.2, pattern: /apple m2 ultra/ },
  { name: 'Apple M2 Max', fp32Tflops: 13.6, pattern: /apple m2 max/ },
  { name: 'Apple M2 Pro', fp32Tflops: 6.8, pattern: /apple m2 pro/ },
  { name: 'Apple M2', fp32Tflops: 3.6, pattern: /apple m2\b/ },
  { name: 'Apple M3 Max', fp32Tflops: 16.4, pattern: /apple m3 max/ },
  { name: 'Apple M3 Pro', fp32Tflops: 7.4, pattern: /apple m3 pro/ },
  { name: 'Apple M3', fp32Tflops: 4.1, pattern: /apple m3\b/ },
  { name: 'Intel Arc A770', fp32Tflops: 17.2, pattern: /arc\(tm\) a770|arc a770/ },
  { name: 'Intel Arc A750', fp32Tflops: 14.7, pattern: /arc\(tm\) a750|arc a750/ },
  { name: 'Intel Iris Xe (96 EU)', fp32Tflops: 2.2, pattern: /iris\(r\) xe|iris xe/ },
  { name: 'Intel UHD 630', fp32Tflops: 0.46, pattern: /uhd graphics 630|uhd 630/ },
  { name: 'Intel UHD 620', fp32Tflops: 0.4, pattern: /uhd graphics 620|uhd 620/ },
  { name: 'Intel Arc (Meteor Lake, 8 Xe cores)', fp32Tflops: 4.6, pattern: /intel\(r\) arc\(tm\) graphics|intel arc graphics/ },
  { name: 'AMD Radeon 780M', fp32Tflops: 8.9, pattern: /radeon 780m/ },
  { name: 'AMD Radeon 680M', fp32Tflops: 3.4, pattern: /radeon 680m/ },
  { name: 'AMD Radeon Vega 8', fp32Tflops: 1.8, pattern: /radeon vega 8\b/ },
  { name: 'AMD Radeon RX 7900 XTX', fp32Tflops: 61.4, pattern: /rx 7900 xtx/ },
  { name: 'AMD Radeon RX 6900 XT', fp32Tflops: 23, pattern: /rx 6900 xt/ },
  { name: 'AMD Radeon RX 6800 XT', fp32Tflops: 20.7, pattern: /rx 6800 xt/ },
];

export interface Fp32Peak {
  readonly name: string;
  readonly fp32Tflops: number;
}

/** The known GPU the adapter's description or device names, or null (CPU adapters, unknown or unnamed GPUs). */
export function fp32PeakOf(adapter: { readonly description: string; readonly device: string }): Fp32Peak | null {
  const text = `${adapter.description} ${adapter.device}`.toLowerCase();
  const known = KNOWN_GPUS.find((gpu) => gpu.pattern.test(text));
  return known ? { name: known.name, fp32Tflops: known.fp32Tflops } : null;
}

/** GFLOP/s as a fraction of the peak (0.25 = 25%). */
export const fractionOfPeak = (gflops: number, peak: Fp32Peak): number => gflops / (peak.fp32Tflops * 1000);

/** The line a run prints about its adapter's peak. */
export function peakLine(peak: Fp32Peak | null): string {
  return peak ? `FP32 peak ${peak.fp32Tflops} TFLOP/s (${peak.name}, bench/src/gpu-peaks.ts)` : 'FP32 peak: not in the table of known GPUs (bench/src/gpu-peaks.ts): no fraction of peak';
}
