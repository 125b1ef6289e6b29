/**
 * Which command lines run in the child process with the Dawn-stderr filter (dawn-stderr.ts): those that start a GPU.
 * A GPU command's help only prints the usage, so it runs in the parent like every other command.
 */
import { describe, expect, it } from 'vitest';
import { startsGpu } from '../src/dawn-stderr.js';

const GPU = new Set(['info', 'train', 'infer']);

describe('startsGpu', () => {
  it('a GPU command starts a GPU, whatever its options', () => {
    expect(startsGpu(['train', '--epochs', '2'], GPU)).toBe(true);
    expect(startsGpu(['info'], GPU)).toBe(true);
    expect(startsGpu(['infer', '--weights', 'w.safetensors', '--', '--help'], GPU)).toBe(true);
  });

  it('help of a GPU command, other commands and no command do not', () => {
    for (const args of [['train', '--help'], ['train', '-h'], ['infer', '--weights', 'w.safetensors', '--help'], ['--help'], ['synth', '--out', 'data'], [], ['-V']]) {
      expect(startsGpu(args, GPU), args.join(' ')).toBe(false);
    }
  });
});
