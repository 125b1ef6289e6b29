/** Which resolution infer and evaluate --ablation run models at: the flag, else what the checkpoints record, else 256. */
import { describe, expect, it } from 'vitest';
import { recordedResolution, resolutionFromCheckpoints } from '../src/weights.js';

describe('resolutionFromCheckpoints', () => {
  it('takes the flag over the checkpoints, the one recorded size over 256, and 256 when none is recorded', () => {
    const at64 = new Map([['a.safetensors', 64], ['b.safetensors', 64]]);
    expect(resolutionFromCheckpoints(at64, 96)).toEqual({ resolution: 96, recorded: false });
    expect(resolutionFromCheckpoints(at64, undefined)).toEqual({ resolution: 64, recorded: true });
    expect(resolutionFromCheckpoints(new Map(), undefined)).toEqual({ resolution: 256, recorded: false });
  });

  it('refuses checkpoints recording different sizes without a flag, naming each', () => {
    const mixed = new Map([['fold1/best.safetensors', 64], ['fold2/best.safetensors', 96]]);
    expect(() => resolutionFromCheckpoints(mixed, undefined)).toThrow(
      'the models were trained at different resolutions (fold1/best.safetensors: 64 px, fold2/best.safetensors: 96 px): pass --image-resolution',
    );
    expect(resolutionFromCheckpoints(mixed, 128).resolution).toBe(128);
  });

  it('reads image_resolution from the metadata only when it is a positive integer', () => {
    expect(recordedResolution({ metadata: { image_resolution: '96' } })).toBe(96);
    for (const bad of ['', 'abc', '0', '-64', '64.5']) expect(recordedResolution({ metadata: { image_resolution: bad } })).toBeNull();
    expect(recordedResolution({ metadata: {} })).toBeNull();
  });
});
