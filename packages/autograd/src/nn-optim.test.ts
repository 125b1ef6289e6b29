import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registerCases } from '@ulseg/kernels/testing/vitest';
import { nnOptimCases } from './nn-optim.cases.js';
import { CosineAnnealingLR } from './optim/cosine-annealing.js';

const schedules = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/linknet-b0/lr_schedule.json', import.meta.url), 'utf8'),
) as Record<string, { base_lr: number; T_max: number; eta_min: number; epochs: number[]; lr: number[] }>;

describe('CosineAnnealingLR', () => {
  for (const name of ['original', 'lr1e-3_T20']) {
    it(`reproduces PyTorch's ${name} schedule bit for bit (stepped per epoch)`, () => {
      const schedule = schedules[name]!;
      const optimizer = { learningRate: schedule.base_lr };
      const scheduler = new CosineAnnealingLR(optimizer, schedule.T_max, schedule.eta_min);
      const rates = schedule.epochs.map((epoch) => scheduler.step(epoch));
      expect(rates).toEqual(schedule.lr);
      expect(optimizer.learningRate).toBe(schedule.lr.at(-1));
    });
  }
});

registerCases(nnOptimCases);
