/** F: the functional ops under their PyTorch names. */
export { add, sub, mul, div, mulScalar, addScalar } from './ops/arithmetic.js';
export { neg, exp, log, sqrt, square } from './ops/unary.js';
export { sum, mean, type ReduceOptions } from './ops/reduction.js';
export { reshape, cat } from './ops/shape.js';
export { relu, sigmoid, silu } from './ops/activation.js';
export { channelMultiply, squeezeExcitation } from './ops/squeeze-excitation.js';
export { batchNorm2d } from './ops/batch-norm.js';
export { batchNormActivation } from './ops/batch-norm-activation.js';
export { dropConnect, dropConnectAdd, dropout, dropout2d } from './ops/regularisation.js';
export { segmentationLoss, diceLoss, binaryCrossEntropyWithLogits } from './ops/loss.js';
export { conv2d, convTranspose2d, type ConvOptions } from './ops/convolution.js';
export { interpolate, flip, type InterpolateMode, type InterpolateOptions } from './ops/resampling.js';
export { pad } from './ops/pad.js';
export { maxPool2d, adaptiveAvgPool2d, type MaxPool2dArguments } from './ops/pooling.js';
export { groupNorm } from './ops/group-norm.js';
