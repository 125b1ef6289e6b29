/** Float64 references of the global average pool and the channel-wise scale, forward and backward. */

function dims(shape: readonly number[]): { rows: number; hw: number } {
  const [n = 1, c = 1, h = 1, w = 1] = shape;
  return { rows: n * c, hw: h * w };
}

export function globalAvgPool2dReference(x: ArrayLike<number>, shape: readonly number[]): Float64Array {
  const { rows, hw } = dims(shape);
  const out = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    let sum = 0;
    for (let s = 0; s < hw; s++) sum += x[row * hw + s]!;
    out[row] = sum / hw;
  }
  return out;
}

export function globalAvgPool2dBackwardReference(dy: ArrayLike<number>, shape: readonly number[]): Float64Array {
  const { rows, hw } = dims(shape);
  return Float64Array.from({ length: rows * hw }, (_, i) => dy[Math.floor(i / hw)]! / hw);
}

export function channelScaleReference(x: ArrayLike<number>, s: ArrayLike<number>, shape: readonly number[]): Float64Array {
  const { rows, hw } = dims(shape);
  return Float64Array.from({ length: rows * hw }, (_, i) => x[i]! * s[Math.floor(i / hw)]!);
}

export function channelScaleBackwardReference(
  dy: ArrayLike<number>,
  x: ArrayLike<number>,
  s: ArrayLike<number>,
  shape: readonly number[],
): { dx: Float64Array; ds: Float64Array } {
  const { rows, hw } = dims(shape);
  const ds = new Float64Array(rows);
  for (let i = 0; i < rows * hw; i++) {
    const row = Math.floor(i / hw);
    ds[row] = ds[row]! + dy[i]! * x[i]!;
  }
  return { dx: channelScaleReference(dy, s, shape), ds };
}
