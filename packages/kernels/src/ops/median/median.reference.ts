/**
 * Exact CPU references of the k × k window filters on [N, C, H, W] planes, replicate borders, centred windows:
 * median (scipy.ndimage.median_filter(size=k, mode='nearest') of 8-bit values), dilation / erosion (grey_dilation /
 * grey_erosion, mode='nearest'), the edge band (dilation ≠ erosion) and the edge median filter.
 */
function planes(shape: readonly number[]): { count: number; height: number; width: number } {
  const [n = 1, c = 1, height = 1, width = 1] = shape;
  return { count: n * c, height, width };
}

/** Calls visit(window values, output index) for every pixel; the window is gathered with clamped coordinates. */
function eachWindow(x: ArrayLike<number>, shape: readonly number[], k: number, visit: (window: number[], index: number) => void): void {
  const { count, height, width } = planes(shape);
  const r = (k - 1) / 2;
  const clamp = (v: number, n: number): number => Math.min(Math.max(v, 0), n - 1);
  const window: number[] = [];
  for (let p = 0; p < count; p++) {
    for (let h = 0; h < height; h++) {
      for (let w = 0; w < width; w++) {
        window.length = 0;
        for (let i = -r; i <= r; i++) {
          for (let j = -r; j <= r; j++) window.push(x[(p * height + clamp(h + i, height)) * width + clamp(w + j, width)]!);
        }
        visit(window, (p * height + h) * width + w);
      }
    }
  }
}

const level = (v: number): number => Math.min(Math.max(Math.round(v), 0), 255);

/** The ((k² + 1)/2)-th smallest window value (inputs rounded and clamped to 0..255). */
export function medianReference(x: ArrayLike<number>, shape: readonly number[], k: number): Float64Array {
  const y = new Float64Array(x.length);
  eachWindow(x, shape, k, (window, index) => {
    const sorted = window.map(level).sort((a, b) => a - b);
    y[index] = sorted[(k * k - 1) / 2]!;
  });
  return y;
}

export function dilationReference(x: ArrayLike<number>, shape: readonly number[], k: number): Float64Array {
  const y = new Float64Array(x.length);
  eachWindow(x, shape, k, (window, index) => (y[index] = Math.max(...window)));
  return y;
}

export function erosionReference(x: ArrayLike<number>, shape: readonly number[], k: number): Float64Array {
  const y = new Float64Array(x.length);
  eachWindow(x, shape, k, (window, index) => (y[index] = Math.min(...window)));
  return y;
}

/** 255 where the k × k dilation and erosion differ (the window is not constant), else 0. */
export function edgeBandReference(x: ArrayLike<number>, shape: readonly number[], k: number): Float64Array {
  const dilation = dilationReference(x, shape, k);
  const erosion = erosionReference(x, shape, k);
  return dilation.map((v, i) => (v !== erosion[i] ? 255 : 0));
}

/** where(band, median, x) (ORIGINAL.md §7). */
export function edgeMedianReference(x: ArrayLike<number>, shape: readonly number[], k: number): Float64Array {
  const band = edgeBandReference(x, shape, k);
  const median = medianReference(x, shape, k);
  return median.map((v, i) => (band[i] ? v : x[i]!));
}

/** Binary masks: foreground is v ≥ 128; the median is 255 iff at least (k² + 1)/2 window pixels are foreground. */
export function binaryMedianReference(x: ArrayLike<number>, shape: readonly number[], k: number): Float64Array {
  return medianReference(Float64Array.from(x, (v) => (v >= 128 ? 255 : 0)), shape, k);
}
