/** @ulseg/base: the dependency-free leaf every package may import; runs in Node and in browsers. */
export { Random } from './random.js';
export { parseNpy, serializeNpy, type NpyArray } from './npy.js';
export { isSafetensors, readSafetensors, writeSafetensors, type Safetensors, type TensorEntry, type TensorMap } from './safetensors.js';
export { bfloat16ToNumber, halfToNumber } from './float16.js';
