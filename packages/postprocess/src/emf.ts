/**
 * EMF, the edge-band median filter (ORIGINAL.md §7): band = pixels where the k x k dilation and erosion of the mask
 * differ; inside the band a pixel becomes the k x k median (replicate border), elsewhere it is unchanged. For a
 * binary mask this equals the plain k x k median (outside the band the window is constant), so the band only saves
 * work. Runs on the GPU (binary counting path of @ulseg/kernels' edgeMedianFilter).
 */
import { edgeMedianFilter, type Gpu } from '@ulseg/kernels';

export async function edgeMedian(gpu: Gpu, mask: Uint8Array, width: number, height: number, kernel = 19): Promise<Uint8Array> {
  if (mask.length !== width * height) throw new Error(`edgeMedian: ${mask.length} pixels for a ${width}x${height} mask`);
  if (!(Number.isInteger(kernel) && kernel % 2 === 1 && kernel >= 1)) {
    throw new Error(`edgeMedian: the kernel size must be an odd positive integer, got ${kernel}`);
  }
  const input = gpu.upload(Float32Array.from(mask, (value) => (value >= 128 ? 255 : 0)), [1, 1, height, width]);
  const output = edgeMedianFilter(gpu, input, kernel, { binary: true });
  const values = await gpu.read(output);
  gpu.release(input);
  gpu.release(output);
  return Uint8Array.from(values, (value) => (value >= 128 ? 255 : 0));
}
