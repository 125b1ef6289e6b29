/**
 * Test-time augmentation on the GPU. A view is a flip T ∈ {identity, hflip, vflip, rot180} of the input batch; each
 * flip is its own inverse (T⁻¹ = T), so de-augmenting a view's logits is the same flip again. Batches are
 * view-major: for V views of B images, item v·B + b of the [V·B, C, H, W] batch is T_v(image b), so each view is one
 * contiguous block and one dispatch.
 *
 *   augmentViews:  x [B, C, H, W]      → X [V·B, C, H, W],  X[v·B + b] = T_v(x[b])
 *   mergeViews:    L [V·B, C, H, W]    → p [B, C, H, W],    p[b] = σ((1/V) Σ_v T_v(L[v·B + b]))
 *
 * (ttach's SegmentationTTAWrapper with merge_mode 'mean', as the original; its 8 passes are these 4 distinct views.)
 */
import { binary, copyTensor, dims4, flip, formatShape, numel, sameShape, unary, type Gpu, type GpuTensor } from '@ulseg/kernels';

export const TTA_VIEWS = ['identity', 'hflip', 'vflip', 'rot180'] as const;
export type TtaView = (typeof TTA_VIEWS)[number];

/** The named view sets: `flips` is the original's TTA, `none` the plain prediction. */
export const TTA_PRESETS = {
  flips: ['identity', 'hflip', 'vflip', 'rot180'],
  none: ['identity'],
} as const satisfies Record<string, readonly TtaView[]>;
export type TtaPreset = keyof typeof TTA_PRESETS;

/** A preset name, a comma-separated list of views, or a list: checked (known, no repeats, at least one). */
export function resolveViews(spec: string | readonly string[]): TtaView[] {
  const names = typeof spec === 'string' ? (spec in TTA_PRESETS ? [...TTA_PRESETS[spec as TtaPreset]] : spec.split(',').map((name) => name.trim())) : [...spec];
  if (names.length === 0 || names.some((name) => name === '')) {
    throw new Error(`test-time augmentation: no views in '${String(spec)}'; use ${Object.keys(TTA_PRESETS).join(' or ')}, or a list of ${TTA_VIEWS.join(', ')}`);
  }
  for (const name of names) {
    if (!(TTA_VIEWS as readonly string[]).includes(name)) {
      throw new Error(`test-time augmentation: unknown view '${name}'; known: ${TTA_VIEWS.join(', ')} (presets: ${Object.keys(TTA_PRESETS).join(', ')})`);
    }
  }
  if (new Set(names).size !== names.length) throw new Error(`test-time augmentation: a view is repeated in '${names.join(',')}'`);
  return names as TtaView[];
}

/** Items [start, start + count) of a batch [N, ...] as a view on the same buffer (element offset). */
export function batchItems(x: GpuTensor, start: number, count: number): GpuTensor {
  const perItem = numel(x.shape.slice(1));
  return { buffer: x.buffer, shape: [count, ...x.shape.slice(1)], offset: (x.offset ?? 0) + start * perItem };
}

/** Whether a kernel may bind `x` at its offset (storage bindings start at multiples of minStorageBufferOffsetAlignment). */
function bindable(gpu: Gpu, x: GpuTensor): boolean {
  return ((x.offset ?? 0) * 4) % gpu.limits.minStorageBufferOffsetAlignment === 0;
}

/**
 * `x` where kernels can bind it, else a copy at offset 0 (a buffer copy needs only 4-byte alignment).
 * `owned` says whether the caller must release the result.
 */
export function bindableItems(gpu: Gpu, x: GpuTensor, start: number, count: number): { tensor: GpuTensor; owned: boolean } {
  const items = batchItems(x, start, count);
  if (bindable(gpu, items)) return { tensor: items, owned: false };
  const copy = gpu.empty(items.shape, 'tta.items');
  gpu.copy(items, copy);
  return { tensor: copy, owned: true };
}

function checkBatch(name: string, x: GpuTensor, views: readonly TtaView[]): [number, number, number, number] {
  if (x.shape.length !== 4 || x.shape.some((size) => !Number.isInteger(size) || size < 1)) {
    throw new Error(`${name}: expects [N, C, H, W] with every size >= 1, got ${formatShape(x.shape)}`);
  }
  resolveViews(views);
  return dims4(x.shape);
}

function applyView(gpu: Gpu, view: TtaView, x: GpuTensor, out: GpuTensor): void {
  if (view === 'identity') copyTensor(gpu, x, out);
  else flip(gpu, view, x, out);
}

/** X[v·B + b] = T_v(x[b]): x [B, C, H, W] → [V·B, C, H, W] (written into `out` when given). */
export function augmentViews(gpu: Gpu, x: GpuTensor, views: readonly TtaView[], out?: GpuTensor): GpuTensor {
  const [b, c, h, w] = checkBatch('augmentViews', x, views);
  const shape = [views.length * b, c, h, w];
  const y = out ?? gpu.empty(shape, 'tta.views');
  if (!sameShape(y.shape, shape)) throw new Error(`augmentViews: output ${formatShape(y.shape)} should be ${formatShape(shape)} for x ${formatShape(x.shape)} and ${views.length} views`);
  if (y.buffer === x.buffer) throw new Error('augmentViews: the output must not share the input buffer');
  views.forEach((view, v) => {
    const target = batchItems(y, v * b, b);
    if (bindable(gpu, target)) {
      applyView(gpu, view, x, target);
    } else {
      const temporary = gpu.empty(target.shape, 'tta.view');
      applyView(gpu, view, x, temporary);
      gpu.copy(temporary, target);
      gpu.release(temporary);
    }
  });
  return y;
}

/**
 * p[b] = σ((1/V) Σ_v T_v(L[v·B + b])): de-augments each view's logits, averages them in view order, applies the
 * sigmoid. L [V·B, C, H, W] → [B, C, H, W] (written into `out` when given).
 */
export function mergeViews(gpu: Gpu, logits: GpuTensor, views: readonly TtaView[], out?: GpuTensor): GpuTensor {
  const [n, c, h, w] = checkBatch('mergeViews', logits, views);
  if (n % views.length !== 0) {
    throw new Error(`mergeViews: ${n} logit maps (${formatShape(logits.shape)}) do not divide into ${views.length} views`);
  }
  const b = n / views.length;
  const shape = [b, c, h, w];
  if (out && !sameShape(out.shape, shape)) throw new Error(`mergeViews: output ${formatShape(out.shape)} should be ${formatShape(shape)}`);
  if (out && out.buffer === logits.buffer) throw new Error('mergeViews: the output must not share the logits buffer');
  const temporaries: GpuTensor[] = [];
  let sum: GpuTensor | undefined;
  views.forEach((view, v) => {
    const { tensor: items, owned } = bindableItems(gpu, logits, v * b, b);
    if (owned) temporaries.push(items);
    let restored = items;
    if (view !== 'identity' || sum === undefined) {
      restored = gpu.empty(shape, 'tta.restored');
      applyView(gpu, view, items, restored);
      temporaries.push(restored);
    }
    if (sum === undefined) {
      sum = restored;
    } else {
      sum = binary(gpu, 'add', sum, restored);
      temporaries.push(sum);
    }
  });
  const count = gpu.upload(Float32Array.of(views.length), [1], 'tta.view count');
  const mean = binary(gpu, 'div', sum!, count);
  const probability = unary(gpu, 'sigmoid', mean, out);
  for (const tensor of [...temporaries, count, mean]) gpu.release(tensor);
  return probability;
}
