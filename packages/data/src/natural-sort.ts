/**
 * Natural order: runs of digits compare as numbers, so `2.png` sorts before `10.png`; equal keys (`7.png` vs
 * `007.png`) fall back to plain code-unit order, so the order is total.
 */
export function compareNatural(a: string, b: string): number {
  const partsA = a.match(/\d+|\D+/g) ?? [];
  const partsB = b.match(/\d+|\D+/g) ?? [];
  for (let index = 0; index < Math.min(partsA.length, partsB.length); index++) {
    const partA = partsA[index] as string;
    const partB = partsB[index] as string;
    const digitsA = /^\d/.test(partA);
    const digitsB = /^\d/.test(partB);
    let order: number;
    if (digitsA && digitsB) {
      const trimmedA = partA.replace(/^0+(?=\d)/, '');
      const trimmedB = partB.replace(/^0+(?=\d)/, '');
      order = trimmedA.length - trimmedB.length || compareCodeUnits(trimmedA, trimmedB);
    } else {
      order = compareCodeUnits(partA, partB);
    }
    if (order !== 0) return order;
  }
  return partsA.length - partsB.length || compareCodeUnits(a, b);
}

export function sortNatural(values: Iterable<string>): string[] {
  return [...values].sort(compareNatural);
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
