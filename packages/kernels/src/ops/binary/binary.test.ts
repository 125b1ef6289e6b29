import { describe, expect, it } from 'vitest';
import { registerCases } from '../../testing/vitest.js';
import { binaryCases } from './binary.cases.js';
import { broadcastShapes, broadcastStrides } from './broadcast.js';

describe('broadcast', () => {
  it('aligns trailing axes and gives zero strides along broadcast axes', () => {
    expect(broadcastShapes('add', [3, 1, 5], [1, 4, 1])).toEqual([3, 4, 5]);
    expect(broadcastShapes('add', [5], [2, 3, 1])).toEqual([2, 3, 5]);
    expect(broadcastStrides([3, 1, 5], [3, 4, 5])).toEqual([5, 0, 1]);
    expect(broadcastStrides([5], [2, 3, 5])).toEqual([0, 0, 1]);
    expect(() => broadcastShapes('add', [2], [3])).toThrow(/do not broadcast/);
  });
});

registerCases(binaryCases);
