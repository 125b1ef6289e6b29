import { describe, expect, it } from 'vitest';
import { Random } from './random.js';

// Streams recorded from the two generators this one replaced (kernels' testing Random.fromName and data's
// SeededRandom.derive): test inputs, phantoms and fold splits depend on them staying the same numbers.
describe('Random', () => {
  it('fromName starts at the name hash (the kernel tests\' streams)', () => {
    const a = Random.fromName('wgsl/case');
    expect([a.nextUint32(), a.nextUint32(), a.nextUint32()]).toEqual([811498063, 2815389512, 2699905604]);
    const b = Random.fromName('x', 0xdeadbeef);
    expect([b.nextUint32(), b.nextUint32()]).toEqual([2212553798, 1312509011]);
  });
  it('derive drops one value after the same hash (the data and training streams)', () => {
    const c = Random.derive(2020, 'train/7');
    expect([c.nextUint32(), c.nextUint32(), c.nextUint32()]).toEqual([423946747, 1735502293, 142050202]);
    const d = Random.derive(0xffffffff, 'fold1/epoch2/shuffle');
    expect([d.nextUint32(), d.nextUint32()]).toEqual([2297804547, 2219456657]);
    expect(Random.derive(1, 's').shuffle([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])).toEqual([1, 0, 4, 5, 3, 6, 9, 7, 2, 8]);
  });
  it('normal, integer, pick and chance draw as before', () => {
    expect(new Random(5).normal()).toBe(-0.047242359263006566);
    const r = new Random(9);
    expect(Array.from({ length: 5 }, () => r.integer(-3, 3))).toEqual([1, -1, 2, -3, -3]);
    expect(() => new Random(1).pick([])).toThrow(/empty list/);
    const s = new Random(3);
    const draws = Array.from({ length: 2000 }, () => s.chance(0.25)).filter(Boolean).length;
    expect(Math.abs(draws / 2000 - 0.25)).toBeLessThan(5 * Math.sqrt((0.25 * 0.75) / 2000));
  });
});
