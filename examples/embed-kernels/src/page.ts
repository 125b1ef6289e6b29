/**
 * The page: its own adapter and device from navigator.gpu, the parameters from the URL query, the example, and the
 * result shown as text and as two pictures. The outcome is also left on `window.ulsegExample` and
 * `document.body.dataset.status` (`done` or `error`) for scripts that drive the page.
 */
import { parseConfig } from './config.js';
import { runExample, summarize, type ExampleResult } from './example.js';

declare global {
  interface Window {
    ulsegExample?: { result: ExampleResult } | { error: string };
  }
}

/** Draws plane 0 of an [N, 1, H, W] 8-bit image. */
function draw(canvas: HTMLCanvasElement | null, values: readonly number[], height: number, width: number): void {
  const context = canvas?.getContext('2d');
  if (!canvas || !context) return;
  canvas.width = width;
  canvas.height = height;
  const pixels = context.createImageData(width, height);
  for (let index = 0; index < height * width; index++) {
    const v = values[index] ?? 0;
    pixels.data.set([v, v, v, 255], 4 * index);
  }
  context.putImageData(pixels, 0, 0);
}

async function main(): Promise<void> {
  const log = document.getElementById('log')!;
  document.body.dataset.status = 'running';
  try {
    const config = parseConfig(new URLSearchParams(location.search));
    if (!navigator.gpu) {
      throw new Error(
        'this browser exposes no WebGPU (navigator.gpu is undefined): use a WebGPU browser (Chrome or Edge 113+, ' +
          'Safari 26+, Firefox 141+) and open the page over https or http://localhost.',
      );
    }
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) throw new Error('navigator.gpu.requestAdapter() returned no adapter: WebGPU is blocked or has no driver here.');
    // The app's device, with WebGPU's default limits: enough for the example's tensors.
    const device = await adapter.requestDevice({ label: 'example page' });
    try {
      const result = await runExample(device, config, adapter);
      log.textContent = summarize(result);
      const [, , h, w] = result.shapes.image as [number, number, number, number];
      draw(document.querySelector<HTMLCanvasElement>('#image'), result.inputs.image, h, w);
      draw(document.querySelector<HTMLCanvasElement>('#filtered'), result.outputs.filtered, h, w);
      window.ulsegExample = { result };
      document.body.dataset.status = 'done';
    } finally {
      device.destroy();
    }
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    log.textContent = message;
    window.ulsegExample = { error: message };
    document.body.dataset.status = 'error';
  }
}

void main();
