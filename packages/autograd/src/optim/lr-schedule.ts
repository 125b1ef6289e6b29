/**
 * CosineAnnealingLR's closed form, as `scheduler.step(epoch)` evaluates it (torch 1.13 `_get_closed_form_lr`), in
 * float64 and in the same operation order:
 *   lr(epoch) = etaMin + (base − etaMin)·(1 + cos(π·epoch/tMax))/2
 * Periodic, not clamped: past tMax the rate rises again.
 *
 * Python's `math.cos` (glibc) is correctly rounded on these arguments; V8's `Math.cos` is not (it is 1 ulp off on 6
 * of the 125 recorded epochs), so the cosine here is evaluated in 256-bit fixed point and rounded once, which makes
 * the schedule equal torch's bit for bit.
 */
export function cosineAnnealingLr(epoch: number, base: number, tMax: number, etaMin = 0): number {
  if (!(tMax > 0)) throw new RangeError(`cosineAnnealingLr: tMax must be > 0, got ${tMax}`);
  return etaMin + ((base - etaMin) * (1 + correctlyRoundedCos((Math.PI * epoch) / tMax))) / 2;
}

const BITS = 256n;
const ONE = 1n << BITS;
let piFixed: bigint | undefined;

/** π·2^BITS by Machin's formula π = 16·atan(1/5) − 4·atan(1/239), with 32 guard bits. */
function pi(): bigint {
  if (piFixed === undefined) {
    const guard = 32n;
    const one = 1n << (BITS + guard);
    const atanInverse = (n: bigint): bigint => {
      let power = one / n;
      let sum = power;
      for (let k = 1n; power !== 0n; k++) {
        power /= n * n;
        sum += (k % 2n === 1n ? -power : power) / (2n * k + 1n);
      }
      return sum;
    };
    piFixed = (16n * atanInverse(5n) - 4n * atanInverse(239n)) >> guard;
  }
  return piFixed;
}

/** x·2^BITS, exact for every double with |x| >= 2^-(BITS - 53). */
function toFixed(x: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const high = view.getUint32(0);
  const exponent = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  if (exponent !== 0) mantissa |= 1n << 52n;
  const shift = BigInt(Math.max(exponent, 1) - 1075) + BITS;
  return shift >= 0n ? mantissa << shift : mantissa >> -shift;
}

/** cos(x) rounded once to the nearest double (error of the fixed-point sum ~2^-250, far below half an ulp). */
export function correctlyRoundedCos(x: number): number {
  if (!Number.isFinite(x)) return Number.NaN;
  const twoPi = 2n * pi();
  let r = toFixed(x) % twoPi;
  if (r > pi()) r = twoPi - r;
  const r2 = (r * r) >> BITS;
  let term = ONE;
  let sum = ONE;
  for (let k = 1n; term !== 0n; k++) {
    term = ((term * r2) >> BITS) / ((2n * k - 1n) * (2n * k));
    sum += k % 2n === 1n ? -term : term;
  }
  return Number(sum) * 2 ** -Number(BITS);
}
