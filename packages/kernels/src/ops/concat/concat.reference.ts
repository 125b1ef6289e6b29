/** float64 references of cat and narrow on C-order arrays. */

const product = (sizes: readonly number[]): number => sizes.reduce((total, size) => total * size, 1);

/** torch.cat: for each outer index, the inputs' blocks of size[dim]·inner values one after another. */
export function concatReference(xs: readonly ArrayLike<number>[], shapes: readonly (readonly number[])[], dim: number): Float64Array {
  const outer = product(shapes[0]!.slice(0, dim));
  const inner = product(shapes[0]!.slice(dim + 1));
  const y: number[] = [];
  for (let o = 0; o < outer; o++) {
    xs.forEach((x, k) => {
      const block = shapes[k]![dim]! * inner;
      for (let j = 0; j < block; j++) y.push(x[o * block + j]!);
    });
  }
  return Float64Array.from(y);
}

/** torch.narrow(y, dim, start, length) as a copy. */
export function narrowReference(y: ArrayLike<number>, shape: readonly number[], dim: number, start: number, length: number): Float64Array {
  const outer = product(shape.slice(0, dim));
  const inner = product(shape.slice(dim + 1));
  const x = new Float64Array(outer * length * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < length * inner; j++) x[o * length * inner + j] = y[(o * shape[dim]! + start) * inner + j]!;
  }
  return x;
}
