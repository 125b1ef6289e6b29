import { describe, expect, it } from 'vitest';
import { dims4 } from './tensor.js';

describe('dims4 (no device)', () => {
  it('returns the four sizes of a rank-4 shape as a new tuple', () => {
    const shape = [2, 3, 5, 7];
    const [n, c, h, w] = dims4(shape);
    expect([n, c, h, w]).toEqual([2, 3, 5, 7]);
    expect(dims4(shape)).not.toBe(shape);
  });
  it('refuses any other rank, naming what was given', () => {
    expect(() => dims4([2, 3, 5], 'x')).toThrow('x: expects 4 dimensions, got [2, 3, 5]');
    expect(() => dims4([1, 2, 3, 4, 5])).toThrow('shape: expects 4 dimensions, got [1, 2, 3, 4, 5]');
  });
});
