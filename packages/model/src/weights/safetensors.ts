/**
 * Model weights from files: safetensors (read and written by @ulseg/base; our checkpoints write F32 in state_dict
 * order) or a PyTorch .pth, told apart by content, and checked to be finite.
 */
import { isSafetensors, readSafetensors, type Safetensors } from '@ulseg/base';
import { isPthFile, readPth } from './pth.js';
import type { WeightMap } from './state-dict.js';

export { isSafetensors, readSafetensors, writeSafetensors, type Safetensors } from '@ulseg/base';

/** Entries under this prefix are a training checkpoint's optimiser state (Adam's moments), not model weights. */
export const OPTIMIZER_STATE_PREFIX = 'optimizer.';

/**
 * Reads model weights from either format, by content; a NaN or infinite value is an error naming the first tensor that
 * holds one. A training checkpoint's optimiser state (`optimizer.*`, in `last.safetensors`) is left out, so a last
 * checkpoint loads as its best one does, unless `keepOptimizerState` (train's --init-weights drops it itself and says so).
 */
export async function readWeights(bytes: Uint8Array, source: string, options: { keepOptimizerState?: boolean } = {}): Promise<Safetensors> {
  let read: Safetensors;
  if (isSafetensors(bytes)) {
    const stored = readSafetensors(bytes, source);
    read = options.keepOptimizerState ? stored : { ...stored, weights: new Map([...stored.weights].filter(([name]) => !name.startsWith(OPTIMIZER_STATE_PREFIX))) };
  } else if (isPthFile(bytes)) read = { weights: await readPth(bytes, source), metadata: {} };
  else throw new Error(`${source}: neither a safetensors file nor a PyTorch .pth (zip) file`);
  checkFinite(read.weights, source);
  return read;
}

/** Throws at the first tensor with a NaN or ±Infinity: such weights give NaN logits, i.e. empty masks, silently. */
export function checkFinite(weights: WeightMap, source: string): void {
  for (const [name, entry] of weights) {
    const data = entry.data;
    for (let index = 0; index < data.length; index++) {
      if (!Number.isFinite(data[index]!)) {
        let bad = 0;
        for (let rest = index; rest < data.length; rest++) if (!Number.isFinite(data[rest]!)) bad++;
        throw new Error(
          `${source}: tensor '${name}' ${JSON.stringify(entry.shape)} holds ${bad} non-finite value(s) (first: ${data[index]} at index ${index}): ` +
            'these weights are broken (a training run that diverged?); use an earlier checkpoint',
        );
      }
    }
  }
}
