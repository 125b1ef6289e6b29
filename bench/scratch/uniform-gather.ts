/* Scratch: how lavapipe compiles a per-lane read of a `var<uniform>` array next to the same read of a storage
 * array (docs/CPU_ADAPTERS.md). Usage:
 *   MESA_SHADER_CACHE_DISABLE=true GALLIVM_DEBUG=asm bench/scratch/run.sh bench/scratch/uniform-gather.ts uniform|storage > dump.txt 2>&1
 * Not a test. */
import { createGpu } from '../../packages/kernels/src/device/create-gpu.js';
import { BufferUsage } from '../../packages/kernels/src/runtime/usage.js';

const which = process.argv[2] ?? 'uniform';
const gpu = await createGpu({ adapter: 'lavapipe' });
const device = gpu.device;
const source = which === 'uniform'
  ? `@group(0) @binding(0) var<uniform> table: array<vec4<f32>, 256>;
     @group(0) @binding(1) var<storage, read_write> out: array<f32>;
     @compute @workgroup_size(8) fn main(@builtin(global_invocation_id) id: vec3<u32>) {
       out[id.x] = table[(id.x * 37u) % 256u].x; }`
  : `@group(0) @binding(0) var<storage, read> table: array<vec4<f32>, 256>;
     @group(0) @binding(1) var<storage, read_write> out: array<f32>;
     @compute @workgroup_size(8) fn main(@builtin(global_invocation_id) id: vec3<u32>) {
       out[id.x] = table[(id.x * 37u) % 256u].x; }`;
console.error(`=== dump-kernel ${which}`);
const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code: source }), entryPoint: 'main' } });
const table = device.createBuffer({ size: 4096, usage: (which === 'uniform' ? BufferUsage.UNIFORM : BufferUsage.STORAGE) | BufferUsage.COPY_DST });
const out = device.createBuffer({ size: 4 * 64, usage: BufferUsage.STORAGE });
const group = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: table } }, { binding: 1, resource: { buffer: out } }] });
const encoder = device.createCommandEncoder();
const pass = encoder.beginComputePass();
pass.setPipeline(pipeline);
pass.setBindGroup(0, group);
pass.dispatchWorkgroups(8);
pass.end();
device.queue.submit([encoder.finish()]);
await device.queue.onSubmittedWorkDone();
gpu.destroy();
