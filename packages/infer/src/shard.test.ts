import { describe, expect, it } from 'vitest';
import { shardNames } from './shard.js';

describe('shardNames', () => {
  it('cuts n names into N contiguous, disjoint blocks that cover them all and differ in size by at most one', () => {
    for (const n of [0, 1, 2, 7, 13, 100]) {
      for (const count of [1, 2, 3, 5, 8, 17]) {
        const names = Array.from({ length: n }, (_, index) => `img${String(index).padStart(3, '0')}.png`);
        const blocks = Array.from({ length: count }, (_, index) => shardNames(names, { index, count }));
        expect(blocks.flat(), `${n} over ${count}`).toEqual(names);
        const sizes = blocks.map((block) => block.length);
        expect(Math.max(...sizes) - Math.min(...sizes), `${n} over ${count}`).toBeLessThanOrEqual(1);
      }
    }
  });

  it('depends only on the sorted names: shard 1 of 3 of 7 names is the 3rd and 4th', () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    expect(shardNames(names, { index: 0, count: 3 })).toEqual(['a', 'b']);
    expect(shardNames(names, { index: 1, count: 3 })).toEqual(['c', 'd']);
    expect(shardNames(names, { index: 2, count: 3 })).toEqual(['e', 'f', 'g']);
  });

  it('refuses an index outside 0..N-1 or a count below 1', () => {
    expect(() => shardNames(['a'], { index: 3, count: 3 })).toThrow('shard index must be an integer in 0..2, got 3');
    expect(() => shardNames(['a'], { index: -1, count: 3 })).toThrow('shard index must be an integer in 0..2, got -1');
    expect(() => shardNames(['a'], { index: 0, count: 0 })).toThrow('shard count must be an integer >= 1, got 0');
    expect(() => shardNames(['a'], { index: 0.5, count: 2 })).toThrow('shard index must be an integer in 0..1, got 0.5');
  });
});
