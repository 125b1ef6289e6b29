export { InitContext } from './init-context.js';
export { ModuleBase, Module, ModuleDict, Sequential, ModuleList, type StateEntry, type LoadReport } from './module.js';
export { Conv2d, ConvTranspose2d, BatchNorm2d, GroupNorm, type Conv2dConfig, type ConvInit, type BatchNormConfig, type GroupNormConfig } from './layers.js';
export { convBatchNorm, type Activation } from './conv-batch-norm.js';
export { setTrainingFusion, trainingFusionEnabled } from '../fusion.js';
export { uniform, kaimingUniformBound } from './init.js';
export { MaxPool2d, AdaptiveAvgPool2d, Dropout, Dropout2d, DropConnect, Upsample, UpsamplingNearest2d, UpsamplingBilinear2d } from './stateless.js';
