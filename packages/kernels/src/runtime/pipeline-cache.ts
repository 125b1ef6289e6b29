/**
 * Pipeline cache keyed by kernel name, entry point and override constants. Shader modules are shared between
 * pipelines of the same WGSL text. `warmUp` compiles a list of kernels in parallel with createComputePipelineAsync;
 * a launcher that meets an uncompiled kernel creates it synchronously (recording must not wait).
 */
import { GpuValidationError } from '../device/errors.js';
import { kernelKey, kernelLabel, type KernelSource } from './kernel.js';

export class PipelineCache {
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly pending = new Map<string, Promise<GPUComputePipeline>>();
  /** Compilation problems found asynchronously, reported at the next synchronisation point. */
  readonly problems: string[] = [];

  constructor(private readonly device: GPUDevice) {}

  get size(): number {
    return this.pipelines.size;
  }

  get(kernel: KernelSource): GPUComputePipeline {
    const key = kernelKey(kernel);
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      this.device.pushErrorScope('validation');
      pipeline = this.device.createComputePipeline(this.descriptor(kernel));
      this.watch(kernel, this.device.popErrorScope());
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }

  /** Compiles the kernels in parallel; resolves when all are ready. Errors name the kernel. */
  async warmUp(kernels: readonly KernelSource[]): Promise<void> {
    await Promise.all(
      kernels.map((kernel) => {
        const key = kernelKey(kernel);
        if (this.pipelines.has(key)) return undefined;
        let promise = this.pending.get(key);
        if (!promise) {
          promise = this.device.createComputePipelineAsync(this.descriptor(kernel)).then(
            (pipeline) => {
              this.pipelines.set(key, pipeline);
              this.pending.delete(key);
              return pipeline;
            },
            (error: unknown) => {
              this.pending.delete(key);
              throw new GpuValidationError(`kernel ${kernelLabel(kernel)} failed to compile: ${(error as Error).message}`);
            },
          );
          this.pending.set(key, promise);
        }
        return promise;
      }),
    );
  }

  private module(kernel: KernelSource): GPUShaderModule {
    let module = this.modules.get(kernel.code);
    if (!module) {
      module = this.device.createShaderModule({ code: kernel.code, label: kernel.name });
      this.modules.set(kernel.code, module);
    }
    return module;
  }

  private descriptor(kernel: KernelSource): GPUComputePipelineDescriptor {
    const compute: GPUProgrammableStage = { module: this.module(kernel), entryPoint: kernel.entryPoint ?? 'main' };
    if (kernel.constants) {
      compute.constants = Object.fromEntries(Object.entries(kernel.constants).map(([k, v]) => [k, Number(v)]));
    }
    return { label: kernelLabel(kernel), layout: 'auto', compute };
  }

  private watch(kernel: KernelSource, scope: Promise<GPUError | null>): void {
    void scope.then((error) => {
      if (error) this.problems.push(`kernel ${kernelLabel(kernel)} failed to compile: ${error.message}`);
    });
  }
}
