/**
 * Linknet-B0 at 64² learns the 8 real scans of test/fixtures/bdci-samples by heart: after 20 epochs (one step of 8
 * each, no augmentation, lr 1e-2, w = 0.5 BCE + Dice), the mean per-image Dice is >= 0.9 on the training batch in
 * train mode and on the same scans in eval mode after BN recalibration (the validation of the loop). A CI-sized
 * check that the loop, the inputs, the loss and the optimiser fit together. Node, lavapipe.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTrainSet } from '@ulseg/data';
import { NodeFiles } from '@ulseg/data/node';
import { gpuFor } from '@ulseg/kernels/testing';
import { resolveTrainConfig, trainFold, type EpochRow } from './index.js';

const SAMPLES = fileURLToPath(new URL('../../../test/fixtures/bdci-samples/', import.meta.url));

describe('overfitting the real scans (lavapipe)', () => {
  it('Linknet-B0 at 64² reaches Dice >= 0.9 on the 8 training scans, in train and in eval mode', { timeout: 900_000 }, async () => {
    const gpu = await gpuFor('lavapipe');
    const { samples } = await loadTrainSet(new NodeFiles(SAMPLES));
    expect(samples).toHaveLength(8);
    const config = resolveTrainConfig({
      encoder: 'efficientnet-b0',
      imageResolution: 64,
      epochs: 20,
      batchSize: 8,
      learningRate: 1e-2,
      tMax: 80,
      bceWeight: 0.5,
      augment: false,
      dropConnectRate: 0,
      bnRecalibration: 'on',
      seed: 1,
    });
    const rows: EpochRow[] = [];
    const start = performance.now();
    const result = await trainFold({ gpu, config, fold: 1, train: samples, validation: samples, onEvent: (event) => void (event.type === 'epoch' && rows.push(event.row)) });
    const seconds = (performance.now() - start) / 1000;
    const last = result.history.at(-1)!;
    console.log(
      `overfit: ${seconds.toFixed(0)} s for ${config.epochs} epochs; Dice ${rows.map((row) => row.validationDice.toFixed(2)).join(' ')}; ` +
        `final train Dice ${last.trainDice.toFixed(3)}, eval Dice ${last.validationDice.toFixed(3)}`,
    );
    expect(result.history[0]!.validationDice).toBeLessThan(0.5);
    expect(last.trainDice).toBeGreaterThanOrEqual(0.9);
    expect(last.validationDice).toBeGreaterThanOrEqual(0.9);
    expect(last.validationLoss).toBeLessThan(result.history[0]!.validationLoss / 3);
  });
});
