/** @ulseg/kernels/testing: what every kernel test (here and in other packages) is built from. */
export { Random, randomArray, type RandomArrayOptions } from './random.js';
export { assertClose, compare, TOLERANCES, type Comparison, type Tolerance, type ToleranceName } from './assert-close.js';
export { numericalGradient, weightedSum } from './finite-difference.js';
export { poison, poisoned, POISON_BITS } from './poison.js';
export { uploadWindow, poisonedWindow, type PoisonedWindow } from './window.js';
export { defineCases, caseRandom, runCase, expectError, type CaseBody, type CaseContext, type KernelCase } from './cases.js';
export { testAdapterKinds, gpuFor, destroyTestGpus } from './adapters.js';
export {
  assertEqualArrays,
  augmentStepwise,
  mismatchFraction,
  poisonedPair,
  randomImages,
  randomMasks,
  readPair,
  uploadBatch,
  AUGMENT_IMAGE_TOLERANCE,
  NOISE_TOLERANCE,
} from '../ops/augment/augment-testing.js';
