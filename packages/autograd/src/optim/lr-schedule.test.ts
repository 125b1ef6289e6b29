/** The cosine schedule's closed form against torch's recorded rates (test/fixtures/linknet-b0/lr_schedule.json). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cosineAnnealingLr } from './lr-schedule.js';

interface Schedule {
  base_lr: number;
  T_max: number;
  eta_min: number;
  epochs: number[];
  lr: number[];
}

const schedules = JSON.parse(readFileSync(new URL('../../../../test/fixtures/linknet-b0/lr_schedule.json', import.meta.url), 'utf8')) as Record<string, Schedule | string>;

describe('cosineAnnealingLr', () => {
  for (const name of ['original', 'lr1e-3_T20']) {
    it(`equals lr_schedule.json '${name}' bit for bit in float64`, () => {
      const schedule = schedules[name] as Schedule;
      const got = schedule.epochs.map((epoch) => cosineAnnealingLr(epoch, schedule.base_lr, schedule.T_max, schedule.eta_min));
      expect(got.length).toBeGreaterThan(20);
      expect(got).toEqual(schedule.lr);
    });
  }

  it('epoch 0 = base, tMax = etaMin, periodic past tMax; tMax must be positive', () => {
    expect(cosineAnnealingLr(0, 1e-3, 20, 1e-6)).toBe(1e-3);
    expect(cosineAnnealingLr(20, 1e-3, 20, 1e-6)).toBeCloseTo(1e-6, 18);
    expect(cosineAnnealingLr(30, 1e-3, 20, 1e-6)).toBeCloseTo(cosineAnnealingLr(10, 1e-3, 20, 1e-6), 18);
    expect(() => cosineAnnealingLr(1, 1e-3, 0)).toThrow(/tMax must be > 0/);
  });
});
