import { describe, expect, it } from 'vitest';
import { registerCases } from '../../testing/vitest.js';
import { conv2dBackwardCases } from './conv2d-backward.cases.js';
import { phaseTable } from './conv2d-backward.js';
import { conv2dCases } from './conv2d.cases.js';
import { normalizePadding } from './conv2d-geometry.js';

describe('conv2d geometry', () => {
  it('reads padding as one number, [vertical, horizontal] or [left, right, top, bottom]', () => {
    expect(normalizePadding('t', 1)).toEqual([1, 1, 1, 1]);
    expect(normalizePadding('t', [1, 2])).toEqual([1, 1, 2, 2]);
    expect(normalizePadding('t', [0, 1, 2, 3])).toEqual([2, 3, 0, 1]);
  });
  it('splits rows and taps into stride phases', () => {
    // H = 7, stride 2, pad 1, kernel 4: phase 0 rows 1, 3, 5 with taps 0, 2; phase 1 rows 0, 2, 4, 6 with taps 1, 3.
    expect(phaseTable(7, 2, 1, 1, 4)).toEqual([1, 3, 0, 2, 0, 4, 1, 2]);
    // stride 3, kernel 2: phase 2 has no tap.
    expect(phaseTable(5, 3, 1, 0, 2)).toEqual([0, 2, 0, 1, 1, 2, 1, 1, 2, 1, 0, 0]);
  });
});

registerCases(conv2dCases);
registerCases(conv2dBackwardCases);
