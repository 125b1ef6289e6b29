/**
 * @ulseg/model/testing/ort-node (Node only): the ONNX Runtime modules in Node, for @ulseg/model/testing/ort's
 * sessions:
 *   - onnxruntime-node (native): its WebGPU provider runs on a Dawn of its own (Vulkan; on this machine lavapipe, the
 *     only Vulkan device unless VK_ICD_FILENAMES says otherwise; it takes no caller's GPUDevice: "unrecognized
 *     option: 'device'"), and its cpu provider.
 *   - onnxruntime-web's Node build (the wasm CPU provider, one thread).
 *   - onnxruntime-web's browser bundle (WebGPU through JSEP, plus wasm) on a Dawn (npm `webgpu`) adapter of the kind
 *     our kernels use (lavapipe or SwiftShader), on which JSEP requests a device of its own (onnxruntime-web 1.30's
 *     JSEP does not take a caller's GPUDevice: it always calls adapter.requestDevice). Node has no WebGPU of its own,
 *     so this installs Dawn's WebGPU globals (GPUBufferUsage, GPUValidationError, ...), a navigator.gpu that hands out
 *     that adapter, and a GPUQueue.writeBuffer that copies SharedArrayBuffer sources first: the JSEP build's wasm
 *     memory is shared, which Dawn's Node binding rejects ("no overload matched for writeBuffer").
 * The onnxruntime-web builds are loaded by file URL from its dist folder, so a bundler leaves them (and the .wasm
 * files they load beside themselves) in place.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { OrtModule } from './ort.js';

const require = createRequire(import.meta.url);

/** onnxruntime-web's dist folder. */
export function ortDist(): string {
  return dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm'));
}

let patched = false;

interface Dawn {
  globals: Record<string, unknown>;
  create(flags: string[]): GPU;
}

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Dawn instances stay referenced: an adapter outlives its instance only as long as the instance is alive. */
const instances = new Map<string, GPU>();

/**
 * A Dawn adapter of `kind` (SwiftShader's ICD is the one Debian's chromium ships, as our kernels use it; `hardware`:
 * Dawn's high-performance choice).
 */
export async function dawnAdapter(kind: 'lavapipe' | 'swiftshader' | 'hardware'): Promise<GPUAdapter> {
  const dawn = require('webgpu') as Dawn;
  const saved = process.env.VK_ADD_DRIVER_FILES;
  if (kind === 'swiftshader' && !process.env.VK_ICD_FILENAMES) process.env.VK_ADD_DRIVER_FILES = saved ? `${saved}:${SWIFTSHADER_ICD}` : SWIFTSHADER_ICD;
  try {
    let instance = instances.get(kind);
    if (!instance) {
      instance = dawn.create(kind === 'hardware' ? [] : [`adapter=${kind === 'lavapipe' ? 'llvmpipe' : 'SwiftShader'}`]);
      instances.set(kind, instance);
    }
    const adapter = await instance.requestAdapter(kind === 'hardware' ? { powerPreference: 'high-performance' } : undefined);
    if (!adapter) throw new Error(`Dawn has no ${kind} adapter`);
    return adapter;
  } finally {
    if (saved === undefined) delete process.env.VK_ADD_DRIVER_FILES;
    else process.env.VK_ADD_DRIVER_FILES = saved;
  }
}

function installDawnGlobals(adapter: GPUAdapter): void {
  const dawn = require('webgpu') as Dawn;
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) Object.assign(globalThis, { [name]: value });
  }
  const scope = globalThis as { navigator?: { gpu?: unknown } };
  const gpu = { requestAdapter: () => Promise.resolve(adapter), getPreferredCanvasFormat: () => 'rgba8unorm' };
  Object.defineProperty(globalThis, 'navigator', { value: { ...(scope.navigator ?? {}), gpu }, configurable: true, writable: true });
  if (patched) return;
  patched = true;
  // Dawn's globals are installed just above: GPUQueue is the constructor Dawn's Node binding exports.
  const queue = GPUQueue.prototype;
  const writeBuffer = queue.writeBuffer;
  queue.writeBuffer = function (this: GPUQueue, buffer: GPUBuffer, offset: number, data: BufferSource | SharedArrayBuffer, dataOffset?: number, size?: number) {
    const backing = ArrayBuffer.isView(data) ? data.buffer : data;
    if (!(backing instanceof SharedArrayBuffer)) return writeBuffer.call(this, buffer, offset, data as BufferSource, dataOffset, size);
    // dataOffset and size count elements of a typed array, bytes of an ArrayBuffer (WebGPU's writeBuffer).
    const unit = ArrayBuffer.isView(data) ? ((data as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1) : 1;
    const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
    const start = (dataOffset ?? 0) * unit;
    const end = size === undefined ? bytes.byteLength : start + size * unit;
    return writeBuffer.call(this, buffer, offset, bytes.slice(start, end));
  } as GPUQueue['writeBuffer'];
}

/** onnxruntime-node (native; webgpu and cpu providers). */
export function loadOrtNode(): OrtModule {
  return require('onnxruntime-node') as OrtModule;
}

/** The Node build of onnxruntime-web (wasm provider only). */
export async function loadOrtWasm(): Promise<OrtModule> {
  return (await import(pathToFileURL(join(ortDist(), 'ort.node.min.mjs')).href)) as OrtModule;
}

let webgpuAdapter: GPUAdapter | undefined;

/**
 * onnxruntime-web's browser bundle with its WebGPU provider on `adapter` (from dawnAdapter). ORT keeps the adapter
 * and the device it makes for the whole process: later calls must pass the same adapter.
 */
export async function loadOrtWebGpu(adapter: GPUAdapter): Promise<OrtModule> {
  if (webgpuAdapter && webgpuAdapter !== adapter) throw new Error('onnxruntime-web already runs on another adapter in this process (it keeps one per process)');
  webgpuAdapter = adapter;
  installDawnGlobals(adapter);
  const ort = (await import(pathToFileURL(join(ortDist(), 'ort.bundle.min.mjs')).href)) as OrtModule;
  ort.env.wasm.wasmPaths = `${ortDist()}/`;
  ort.env.webgpu.adapter = adapter;
  return ort;
}
