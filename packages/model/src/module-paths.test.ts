/**
 * Every module is built at its state_dict path (nn.InitContext): a module built with a context was given the key it
 * is registered under, every module with a forward and state below it was built with one (only the root and the
 * namespaces ModuleDict / ModuleList, which hold no tensors of their own and never run, may have path ''), and every
 * parameter and buffer is named by its full state_dict key, in each of the six networks on both encoder families
 * (scSE included).
 */
import { expect, it } from 'vitest';
import { nn } from '@ulseg/autograd';
import { gpuFor } from '@ulseg/kernels/testing';
import { SegmentationModel, type ModelConfig } from './segmentation-model.js';

const CONFIGS: readonly Pick<ModelConfig, 'network' | 'encoder' | 'decoderAttention'>[] = [
  { network: 'linknet', encoder: 'efficientnet-b0' },
  { network: 'unet', encoder: 'resnet18', decoderAttention: 'scse' },
  { network: 'fpn', encoder: 'efficientnet-b0' },
  { network: 'pspnet', encoder: 'resnet18' },
  { network: 'pan', encoder: 'efficientnet-b0' },
  { network: 'deeplabv3plus', encoder: 'resnet18' },
];

it('module paths and tensor names are the state_dict keys', { timeout: 300_000 }, async () => {
  const gpu = await gpuFor('lavapipe');
  for (const config of CONFIGS) {
    const model = new SegmentationModel(gpu, { ...config, inChannels: 1, classes: 1 });
    const label = `${config.network} on ${config.encoder}`;
    const modules = [...model.namedModules()];
    const misplaced = modules.filter(([key, module]) => module.path !== '' && module.path !== key).map(([key, module]) => `${key} built at '${module.path}'`);
    expect(misplaced, label).toEqual([]);
    const unplaced = modules.filter(([key, module]) => key !== '' && module.path === '' && module instanceof nn.Module && module.stateDict().length > 0).map(([key]) => key);
    expect(unplaced, label).toEqual([]);
    const built = modules.filter(([, module]) => module.path !== '').length;
    expect(built, label).toBeGreaterThan(modules.length / 2);
    const misnamed = model.stateDict().filter(([key, tensor]) => tensor.name !== key).map(([key, tensor]) => `${key} named '${tensor.name}'`);
    expect(misnamed, label).toEqual([]);
    model.dispose();
  }
});
