/**
 * Gradient check: the autograd result of Σ w·f(x...) against float64 central finite differences of a float64
 * reference of f, and the forward against the same reference.
 */
import { type Random, type RandomArrayOptions } from '@ulseg/kernels/testing';
import type { Gpu } from '@ulseg/kernels';
import { Tensor } from '../src/index.js';
export interface GradcheckSpec {
    shapes: readonly (readonly number[])[];
    forward: (inputs: Tensor[]) => Tensor;
    reference: (inputs: Float64Array[]) => Float64Array;
    ranges?: readonly RandomArrayOptions[];
    step?: number;
}
export declare function gradcheck(gpu: Gpu, random: Random, spec: GradcheckSpec, label: string): Promise<void>;
