export { Module, Sequential, ModuleList, type StateEntry, type LoadReport } from './module.js';
export { Conv2d, ConvTranspose2d, BatchNorm2d, type Conv2dConfig, type ConvInit, type BatchNormConfig } from './layers.js';
export { convBatchNorm, type Activation } from './conv-batch-norm.js';
export { uniform, kaimingUniformBound } from './init.js';
export { MaxPool2d, Upsample, UpsamplingNearest2d, UpsamplingBilinear2d } from './stateless.js';
