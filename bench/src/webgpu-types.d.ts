/**
 * tfjs-core and tfjs-backend-webgpu 4.22 reference their own, older @webgpu/types (0.1.38, which lacks e.g. the
 * `subgroups` feature). Listed first in tsconfig.json's `files`, this makes the workspace's @webgpu/types the first
 * declaration of every WebGPU type in the program, so the kernels' sources typecheck as they do elsewhere.
 */
/// <reference types="@webgpu/types" />
