/**
 * Workgroup grids for kernels that walk a flat range of `count` items with workgroups of `size` threads.
 * The grid is folded into y when x would pass maxComputeWorkgroupsPerDimension; shaders recover the flat index with
 * `FLAT_INDEX_WGSL`'s `flat_index`.
 */
export function flatGrid(count: number, size: number, maxPerDimension: number): [number, number] {
  const groups = Math.ceil(count / size);
  if (groups <= maxPerDimension) return [groups, 1];
  const y = Math.ceil(groups / maxPerDimension);
  return [Math.ceil(groups / y), y];
}

/** `flat_index(gid, groups, size)`: the thread's position in a flatGrid dispatch. */
export const FLAT_INDEX_WGSL = /* wgsl */ `
fn flat_index(gid: vec3<u32>, groups: vec3<u32>, size: u32) -> u32 {
  return gid.x + gid.y * groups.x * size;
}
`;

/** Packs u32/f32 fields into a uniform struct's bytes, 4 bytes each, in declaration order. */
export class UniformWriter {
  private readonly view: DataView;
  private readonly bytes: ArrayBuffer;
  private cursor = 0;

  constructor(byteLength: number) {
    this.bytes = new ArrayBuffer(Math.ceil(byteLength / 16) * 16);
    this.view = new DataView(this.bytes);
  }

  u32(value: number): this {
    this.view.setUint32(this.cursor, value >>> 0, true);
    this.cursor += 4;
    return this;
  }

  f32(value: number): this {
    this.view.setFloat32(this.cursor, value, true);
    this.cursor += 4;
    return this;
  }

  /** Writes `values` into an `array<vec4<u32>, slots>` field (zero padded). */
  u32Array(values: readonly number[], slots: number): this {
    if (values.length > slots * 4) throw new Error(`uniform array of ${values.length} values over ${slots * 4}`);
    for (let index = 0; index < slots * 4; index++) this.u32(values[index] ?? 0);
    return this;
  }

  /** Advances to the next multiple of `alignment` bytes (WGSL struct member alignment). */
  align(alignment: number): this {
    this.cursor = Math.ceil(this.cursor / alignment) * alignment;
    return this;
  }

  finish(): ArrayBuffer {
    return this.bytes;
  }
}
