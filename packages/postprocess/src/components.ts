/**
 * Connected components of a binary image by two-pass labelling with union-find (exact, linear time).
 * Layout: row-major H x W, one byte per pixel; `foreground(v)` picks the pixels that belong to the regions.
 */

export type Connectivity = 4 | 8;

export interface Components {
  /** Component id per pixel (0 = not in any component), ids 1..count. */
  labels: Int32Array;
  /** areas[id] = pixel count of component id (areas[0] unused). */
  areas: Int32Array;
  count: number;
}

export function labelComponents(
  pixels: Uint8Array,
  width: number,
  height: number,
  connectivity: Connectivity,
  foreground: (value: number) => boolean,
): Components {
  const labels = new Int32Array(width * height);
  const parent: number[] = [0];
  const find = (label: number): number => {
    let root = label;
    while (parent[root] !== root) root = parent[root]!;
    while (parent[label] !== root) {
      const next = parent[label]!;
      parent[label] = root;
      label = next;
    }
    return root;
  };
  const union = (a: number, b: number): number => {
    const rootA = find(a);
    const rootB = find(b);
    if (rootA === rootB) return rootA;
    const [low, high] = rootA < rootB ? [rootA, rootB] : [rootB, rootA];
    parent[high] = low;
    return low;
  };
  // Pass 1: provisional labels from the already-visited neighbours (W, NW, N, NE for 8-connectivity; W, N for 4).
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const index = y * width + x;
      if (!foreground(pixels[index]!)) continue;
      let label = 0;
      const visit = (nx: number, ny: number): void => {
        if (nx < 0 || nx >= width || ny < 0) return;
        const neighbour = labels[ny * width + nx]!;
        if (neighbour === 0) return;
        label = label === 0 ? find(neighbour) : union(label, neighbour);
      };
      visit(x - 1, y);
      visit(x, y - 1);
      if (connectivity === 8) {
        visit(x - 1, y - 1);
        visit(x + 1, y - 1);
      }
      if (label === 0) {
        label = parent.length;
        parent.push(label);
      }
      labels[index] = label;
    }
  }
  // Pass 2: resolve to compact ids and count areas.
  const compact = new Int32Array(parent.length);
  let count = 0;
  for (let label = 1; label < parent.length; label++) {
    const root = find(label);
    if (compact[root] === 0) compact[root] = ++count;
    compact[label] = compact[root]!;
  }
  const areas = new Int32Array(count + 1);
  for (let index = 0; index < labels.length; index++) {
    const label = labels[index]!;
    if (label === 0) continue;
    const id = compact[label]!;
    labels[index] = id;
    areas[id]!++;
  }
  return { labels, areas, count };
}
