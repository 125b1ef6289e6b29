/**
 * ONNX Runtime in Node for the bench (the loaders are @ulseg/model/testing/ort-node's, shared with the export's
 * correctness tests), and the model bench's ORT peer registered for Node.
 */
import { dawnAdapter, loadOrtNode, loadOrtWebGpu } from '@ulseg/model/testing/ort-node';
import { provideOrtRuntime } from '../ort-model-peer.js';

export { dawnAdapter, loadOrtNode, loadOrtWasm, loadOrtWebGpu, ortDist } from '@ulseg/model/testing/ort-node';

// The model bench's ORT peer in Node (bench/src/ort-model-peer.ts): WebGPU on an adapter of our Gpu's kind.
provideOrtRuntime('node', {
  async load(gpu) {
    if (gpu.info.kind !== 'swiftshader') {
      return {
        ort: loadOrtNode(),
        executionProviders: ['webgpu', 'cpu'],
        device: "onnxruntime-node's WebGPU EP on its own Dawn (Vulkan: lavapipe here), its own GPUDevice; cpu EP (1 thread) if WebGPU fails",
      };
    }
    // onnxruntime-node's Dawn would not pick SwiftShader: ORT Web's JSEP on a Dawn SwiftShader adapter instead.
    const adapter = await dawnAdapter('swiftshader');
    const name = adapter.info.description || adapter.info.device || 'SwiftShader';
    return {
      ort: await loadOrtWebGpu(adapter),
      executionProviders: ['webgpu', 'wasm'],
      device: `onnxruntime-web's WebGPU EP (JSEP) on Dawn's ${name}, its own GPUDevice; wasm EP (1 thread) if WebGPU fails`,
    };
  },
});
