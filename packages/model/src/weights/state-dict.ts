/** Weights as they travel between files and modules: float32 values with a shape, keyed by state_dict name. */
import type { TensorEntry, TensorMap } from '@ulseg/base';

export type WeightEntry = TensorEntry;
export type WeightMap = TensorMap;
