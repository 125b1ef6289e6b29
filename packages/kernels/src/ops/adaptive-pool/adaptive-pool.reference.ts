/** float64 reference of adaptive average pooling (PyTorch's windows, see adaptive-pool.ts). */

/** Window k of an n-long axis pooled to o: [⌊k·n/o⌋, ⌈(k+1)·n/o⌉). */
export function adaptiveWindow(k: number, n: number, o: number): [number, number] {
  return [Math.floor((k * n) / o), Math.ceil(((k + 1) * n) / o)];
}

export function adaptiveAvgPool2dReference(x: ArrayLike<number>, shape: readonly number[], outHeight: number, outWidth: number): Float64Array {
  const [n, c, h, w] = shape as [number, number, number, number];
  const y = new Float64Array(n * c * outHeight * outWidth);
  for (let p = 0; p < n * c; p++) {
    for (let k = 0; k < outHeight; k++) {
      const [y0, y1] = adaptiveWindow(k, h, outHeight);
      for (let l = 0; l < outWidth; l++) {
        const [x0, x1] = adaptiveWindow(l, w, outWidth);
        let total = 0;
        for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) total += x[(p * h + iy) * w + ix]!;
        y[(p * outHeight + k) * outWidth + l] = total / ((y1 - y0) * (x1 - x0));
      }
    }
  }
  return y;
}

/** Scatter form of the gradient: each dy[p, k, l]/|window| added over its window. */
export function adaptiveAvgPool2dBackwardReference(dy: ArrayLike<number>, inShape: readonly number[], outHeight: number, outWidth: number): Float64Array {
  const [n, c, h, w] = inShape as [number, number, number, number];
  const dx = new Float64Array(n * c * h * w);
  for (let p = 0; p < n * c; p++) {
    for (let k = 0; k < outHeight; k++) {
      const [y0, y1] = adaptiveWindow(k, h, outHeight);
      for (let l = 0; l < outWidth; l++) {
        const [x0, x1] = adaptiveWindow(l, w, outWidth);
        const share = dy[(p * outHeight + k) * outWidth + l]! / ((y1 - y0) * (x1 - x0));
        for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) dx[(p * h + iy) * w + ix]! += share;
      }
    }
  }
  return dx;
}
