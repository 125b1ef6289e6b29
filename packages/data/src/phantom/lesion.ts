import type { Random } from '@ulseg/base';

/**
 * An irregular smooth lesion outline: an ellipse (aspect = width/height, tilted by `angle`) whose radius is
 * modulated by low-frequency Fourier terms, r(θ) = 1 + Σ_{k=2..5} a_k cos(kθ + φ_k) — the lobulated, wider-than-tall
 * shapes of the real masks.
 */
export interface LesionShape {
  readonly centerX: number;
  readonly centerY: number;
  readonly aspect: number;
  readonly angle: number;
  /** a_k, φ_k for k = 2, 3, 4, 5. */
  readonly harmonics: readonly { readonly amplitude: number; readonly phase: number }[];
}

export function randomLesionShape(random: Random, centerX: number, centerY: number): LesionShape {
  const harmonics = [];
  for (let order = 2; order <= 5; order++) harmonics.push({ amplitude: random.uniform(0, 0.11) / (order - 1) ** 0.6, phase: random.uniform(0, 2 * Math.PI) });
  return { centerX, centerY, aspect: random.uniform(1.2, 2.3), angle: random.uniform(-0.25, 0.25), harmonics };
}

export interface RasterLesion {
  /** 1 inside the lesion, 0 outside. */
  readonly inside: Uint8Array;
  readonly area: number;
  /** ρ/(s·r(θ)) per pixel: < 1 inside, 1 on the outline, Infinity far outside; for soft edges. */
  readonly relativeRadius: Float32Array;
  /** The lesion's short semi-axis s in pixels (the long one is `aspect` times this). */
  readonly semiAxis: number;
  /** A box (inclusive) holding the lesion and the pixels near it (relativeRadius < 2 where computed), for its soft edge. */
  readonly bounds: { readonly x0: number; readonly y0: number; readonly x1: number; readonly y1: number };
}

/**
 * Rasterises `shape` at the scale s whose pixel count over the pixels `allowed` marks is `targetArea` (or all of
 * them, if fewer): p = ρ/r(θ) is computed once per pixel and s is put between the target-th and the next smallest
 * p, so clipping by the image or the skin needs no iteration.
 */
export function rasterizeLesion(shape: LesionShape, width: number, height: number, allowed: Uint8Array, targetArea: number): RasterLesion {
  const cos = Math.cos(shape.angle);
  const sin = Math.sin(shape.angle);
  // cos(kθ + φ) = cos kθ cos φ − sin kθ sin φ, with cos kθ, sin kθ by complex powers of (cos θ, sin θ): no atan2.
  const cosTerms = shape.harmonics.map(({ amplitude, phase }) => amplitude * Math.cos(phase));
  const sinTerms = shape.harmonics.map(({ amplitude, phase }) => amplitude * Math.sin(phase));
  const maximum = 1 + shape.harmonics.reduce((sum, { amplitude }) => sum + amplitude, 0);
  const target = Math.max(0, Math.round(targetArea));
  const normalised = new Float32Array(width * height).fill(Infinity);
  let candidates = new Float32Array(0);
  let count = 0;
  let box = { x0: 0, y0: 0, x1: -1, y1: -1 };
  let bound = 1.2 * Math.sqrt(target / (Math.PI * shape.aspect)) + 2;
  for (let attempt = 0; attempt < 12; attempt++) {
    // Half extents of the rotated ellipse of semi-axes bound·max·aspect and bound·max.
    const reachX = bound * maximum * (shape.aspect * Math.abs(cos) + Math.abs(sin)) + 2;
    const reachY = bound * maximum * (shape.aspect * Math.abs(sin) + Math.abs(cos)) + 2;
    box = {
      x0: Math.max(0, Math.floor(shape.centerX - reachX)),
      x1: Math.min(width - 1, Math.ceil(shape.centerX + reachX)),
      y0: Math.max(0, Math.floor(shape.centerY - reachY)),
      y1: Math.min(height - 1, Math.ceil(shape.centerY + reachY)),
    };
    candidates = new Float32Array((box.x1 - box.x0 + 1) * (box.y1 - box.y0 + 1));
    count = 0;
    for (let y = box.y0; y <= box.y1; y++) {
      for (let x = box.x0; x <= box.x1; x++) {
        const dx = x + 0.5 - shape.centerX;
        const dy = y + 0.5 - shape.centerY;
        const u = (cos * dx + sin * dy) / shape.aspect;
        const v = cos * dy - sin * dx;
        const rho = Math.sqrt(u * u + v * v);
        let radius = 1;
        if (rho > 0) {
          const c1 = u / rho;
          const s1 = v / rho;
          let ck = c1 * c1 - s1 * s1;
          let sk = 2 * c1 * s1;
          for (let term = 0; term < cosTerms.length; term++) {
            radius += ck * (cosTerms[term] as number) - sk * (sinTerms[term] as number);
            const next = ck * c1 - sk * s1;
            sk = sk * c1 + ck * s1;
            ck = next;
          }
        }
        const p = rho / radius;
        const index = y * width + x;
        normalised[index] = p;
        if (p < bound && allowed[index] === 1) candidates[count++] = p;
      }
    }
    if (count > target || (box.x0 === 0 && box.y0 === 0 && box.x1 === width - 1 && box.y1 === height - 1)) break;
    bound *= 1.4;
  }
  const values = candidates.subarray(0, count);
  const area = Math.min(target, count);
  let scale = 0;
  if (area > 0) {
    const below = selectSmallest(values, area - 1);
    let next = Infinity;
    for (let index = area; index < count; index++) next = Math.min(next, values[index] as number);
    scale = area < count ? (below + next) / 2 : below * 1.001 + 1e-6;
  }
  const inside = new Uint8Array(width * height);
  let insideCount = 0;
  const bounds = { x0: width, y0: height, x1: -1, y1: -1 };
  for (let y = box.y0; y <= box.y1; y++) {
    for (let x = box.x0; x <= box.x1; x++) {
      const index = y * width + x;
      const p = normalised[index] as number;
      if (p < scale && allowed[index] === 1) {
        inside[index] = 1;
        insideCount++;
      }
      const relative = scale > 0 ? p / scale : Infinity;
      normalised[index] = relative;
      if (relative < 2) {
        bounds.x0 = Math.min(bounds.x0, x);
        bounds.x1 = Math.max(bounds.x1, x);
        bounds.y0 = Math.min(bounds.y0, y);
        bounds.y1 = Math.max(bounds.y1, y);
      }
    }
  }
  if (bounds.x1 < 0) Object.assign(bounds, { x0: 0, y0: 0, x1: 0, y1: 0 });
  return { inside, area: insideCount, relativeRadius: normalised, semiAxis: scale, bounds };
}

/** Quickselect: reorders `values` so that index k holds the k-th smallest (0-based), smaller ones before it, larger after. */
function selectSmallest(values: Float32Array, k: number): number {
  let low = 0;
  let high = values.length - 1;
  while (low < high) {
    const pivot = values[(low + high) >>> 1] as number;
    let i = low;
    let j = high;
    while (i <= j) {
      while ((values[i] as number) < pivot) i++;
      while ((values[j] as number) > pivot) j--;
      if (i <= j) {
        const swap = values[i] as number;
        values[i++] = values[j] as number;
        values[j--] = swap;
      }
    }
    if (k <= j) high = j;
    else if (k >= i) low = i;
    else break;
  }
  return values[k] as number;
}
