/** Comparisons against float64 references with named tolerances. */

export interface Tolerance {
  /** Bound on ||actual - expected||_2 / ||expected||_2. */
  relativeL2?: number;
  /** Bound on max |actual - expected|. */
  maxAbsolute?: number;
}

/** Named tolerances used across the project; a test states which one it holds a kernel to. */
export const TOLERANCES = {
  /** Bit-exact results (copies, fills, max, exact integer arithmetic). */
  exact: { maxAbsolute: 0 },
  /** Element-wise float32 math (a few ulp). */
  elementwise: { relativeL2: 1e-6 },
  /** Reductions with tree summation. */
  reduction: { relativeL2: 1e-6 },
  /** Forward passes of kernels with float32 accumulation (convolutions, GEMM). */
  forward: { relativeL2: 1e-5 },
  /** Weight gradients reduced over large N·H·W. */
  gradient: { relativeL2: 1e-4 },
  /** Analytic gradients against float64 central finite differences. */
  finiteDifference: { relativeL2: 1e-3 },
} as const satisfies Record<string, Tolerance>;

export type ToleranceName = keyof typeof TOLERANCES;

export interface Comparison {
  relativeL2: number;
  maxAbsolute: number;
  worstIndex: number;
  /** Elements that are NaN or infinite in `actual` but finite in `expected` (e.g. never written: poison). */
  nonFinite: number;
  firstNonFinite: number;
}

export function compare(actual: ArrayLike<number>, expected: ArrayLike<number>): Comparison {
  if (actual.length !== expected.length) {
    throw new Error(`compare: ${actual.length} values against ${expected.length} expected`);
  }
  let difference = 0;
  let norm = 0;
  let maxAbsolute = 0;
  let worstIndex = -1;
  let nonFinite = 0;
  let firstNonFinite = -1;
  for (let index = 0; index < actual.length; index++) {
    const a = actual[index]!;
    const e = expected[index]!;
    if (!Number.isFinite(a) && Number.isFinite(e)) {
      if (nonFinite++ === 0) firstNonFinite = index;
      continue;
    }
    if (!Number.isFinite(e)) {
      if (!Object.is(a, e) && !(Number.isNaN(a) && Number.isNaN(e))) {
        if (nonFinite++ === 0) firstNonFinite = index;
      }
      continue;
    }
    const d = Math.abs(a - e);
    difference += d * d;
    norm += e * e;
    if (worstIndex < 0 || d > maxAbsolute) {
      maxAbsolute = d;
      worstIndex = index;
    }
  }
  const relativeL2 = norm > 0 ? Math.sqrt(difference / norm) : Math.sqrt(difference);
  return { relativeL2, maxAbsolute, worstIndex, nonFinite, firstNonFinite };
}

/** Throws with max-abs and relative-L2 errors (and where) unless `actual` is within `tolerance` of `expected`. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: ToleranceName | Tolerance,
  label = 'values',
): Comparison {
  const bound: Tolerance = typeof tolerance === 'string' ? TOLERANCES[tolerance] : tolerance;
  const name = typeof tolerance === 'string' ? tolerance : JSON.stringify(tolerance);
  const result = compare(actual, expected);
  const failures: string[] = [];
  if (result.nonFinite > 0) {
    const index = result.firstNonFinite;
    failures.push(
      `${result.nonFinite} non-finite value(s) where finite ones were expected, first at index ${index} ` +
        `(got ${actual[index]}, want ${expected[index]}; unwritten poisoned outputs read as NaN)`,
    );
  }
  if (bound.relativeL2 !== undefined && !(result.relativeL2 <= bound.relativeL2)) {
    failures.push(`relative L2 error ${result.relativeL2.toExponential(3)} > ${bound.relativeL2}`);
  }
  if (bound.maxAbsolute !== undefined && !(result.maxAbsolute <= bound.maxAbsolute)) {
    failures.push(`max abs error ${result.maxAbsolute.toExponential(3)} > ${bound.maxAbsolute}`);
  }
  if (failures.length) {
    const index = result.worstIndex;
    throw new Error(
      `${label} (${actual.length} values, tolerance '${name}'): ${failures.join('; ')}. ` +
        `max abs error ${result.maxAbsolute.toExponential(3)} at index ${index} (got ${actual[index]}, want ` +
        `${expected[index]}), relative L2 ${result.relativeL2.toExponential(3)}`,
    );
  }
  return result;
}
