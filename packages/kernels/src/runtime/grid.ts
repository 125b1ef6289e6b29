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
