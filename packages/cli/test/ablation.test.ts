/** The ablation table's baseline: Otsu's threshold against a float64 brute force, and the baseline on a drawn lesion. */
import { describe, expect, it } from 'vitest';
import { otsuBaseline, otsuThreshold } from '../src/commands/ablation.js';
import { scoreMasks } from '../src/commands/scores.js';

/** Between-class variance of every split, in float64, the best t (class 0: v < t); ties keep the first. */
function otsuReference(histogram: readonly number[]): number {
  let best = 0;
  let bestVariance = -1;
  for (let t = 1; t < 256; t++) {
    let n0 = 0;
    let s0 = 0;
    let n1 = 0;
    let s1 = 0;
    for (let v = 0; v < 256; v++) {
      if (v < t) {
        n0 += histogram[v]!;
        s0 += v * histogram[v]!;
      } else {
        n1 += histogram[v]!;
        s1 += v * histogram[v]!;
      }
    }
    if (n0 === 0 || n1 === 0) continue;
    const variance = n0 * n1 * (s0 / n0 - s1 / n1) ** 2;
    if (variance > bestVariance) {
      bestVariance = variance;
      best = t;
    }
  }
  return best;
}

function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('Otsu baseline', () => {
  it('picks the threshold of maximal between-class variance, as a float64 brute force does', () => {
    const random = lcg(7);
    for (let trial = 0; trial < 20; trial++) {
      const histogram = Array.from({ length: 256 }, () => 0);
      const [a, b] = [20 + Math.floor(random() * 80), 130 + Math.floor(random() * 100)];
      for (let n = 0; n < 3001 + trial * 13; n++) {
        const centre = random() < 0.3 + 0.02 * trial ? a : b;
        const value = Math.round(centre + 25 * (random() + random() + random() - 1.5));
        histogram[Math.min(255, Math.max(0, value))]!++;
      }
      const t = otsuThreshold(histogram);
      expect(t).toBe(otsuReference(histogram));
      expect(t).toBeGreaterThan(a);
      expect(t).toBeLessThanOrEqual(b);
    }
  });

  it('finds a dark lesion in noisy tissue (and ignores the black margin)', () => {
    const width = 193;
    const height = 121;
    const random = lcg(3);
    const data = new Uint8Array(width * height);
    const truth = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const inside = ((x - 90) / 40) ** 2 + ((y - 60) / 25) ** 2 <= 1;
        const margin = y < 6 || x < 3;
        truth[y * width + x] = inside ? 255 : 0;
        data[y * width + x] = margin ? 0 : Math.round((inside ? 60 : 140) + 60 * (random() - 0.5));
      }
    }
    const mask = otsuBaseline({ width, height, data });
    expect(mask.every((value) => value === 0 || value === 255)).toBe(true);
    expect(scoreMasks({ width, height, data: mask }, { width, height, data: truth }).dice).toBeGreaterThan(0.9);
  });
});
