/** The PyTorch figures the model benchmark is compared with. */
import type { ModelBenchSettings, ModelPass } from './schema.js';

/**
 * PyTorch 1.13 (Debian's CPU build, 2 threads) on this 2-vCPU host, Linknet-B6 at 256², one input channel
 * (ORIGINAL.md §8, ADAPTERS.md): forward in eval mode, and forward + backward of the Dice loss (no optimiser step:
 * Adam over 41 M parameters adds ~1-2% to it there).
 */
export const PYTORCH_REFERENCE = {
  encoder: 'efficientnet-b6',
  resolution: 256,
  inChannels: 1,
  source: 'PyTorch 1.13 CPU, 2 threads, this host (ORIGINAL.md §8): forward eval; train step = forward + backward without the Adam step',
  ms: { forward: { 1: 230, 8: 1490 }, 'train-step': { 1: 1060, 8: 6000 } } as Record<ModelPass, Record<number, number>>,
} as const;

export function pytorchMs(settings: Pick<ModelBenchSettings, 'network' | 'encoder' | 'resolution' | 'inChannels'>, pass: ModelPass, batch: number): number | null {
  if ((settings.network ?? 'linknet') !== 'linknet') return null;
  if (settings.encoder !== PYTORCH_REFERENCE.encoder || settings.resolution !== PYTORCH_REFERENCE.resolution) return null;
  if (settings.inChannels !== PYTORCH_REFERENCE.inChannels) return null;
  return PYTORCH_REFERENCE.ms[pass][batch] ?? null;
}
