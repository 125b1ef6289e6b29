import { assertClose, defineCases, expectError, numericalGradient, poisoned, randomArray, weightedSum } from '../../testing/index.js';
import type { Gpu } from '../../runtime/gpu.js';
import type { Random } from '../../testing/random.js';
import { flip, FLIPS, rgbToGray } from './flip.js';
import { PILLOW_FILTERS, resizePillow } from './pillow.js';
import { nearestAxis, torchNearestAxis, type PillowFilter } from './resize-tables.js';
import {
  alignedBilinearReference,
  bilinearBackwardReference,
  bilinearReference,
  flipReference,
  grayReference,
  nearestReference,
  pillowResizeReference,
  upsampleNearestBackwardReference,
  upsampleNearestReference,
} from './resize.reference.js';
import { resizeBilinear, resizeBilinearBackward, resizeNearest, upsampleNearest, upsampleNearestBackward, type ScaleFactors, type Size2 } from './resize.js';

const SHAPE = [3, 5, 7, 9];
/** Odd up and down ratios per axis, a mixed pair, the identity and 1 × 1. */
const SIZES: Size2[] = [[13, 4], [3, 23], [29, 17], [7, 9], [1, 1], [4, 31]];

const count = (shape: readonly number[]): number => shape.reduce((product, size) => product * size, 1);

/** 8-bit images: integers 1..255 (non-zero). */
function randomBytes(random: Random, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => random.integer(1, 255));
}

async function checkPillow(gpu: Gpu, random: Random, filter: PillowFilter, shape: number[], size: Size2): Promise<void> {
  const data = randomBytes(random, count(shape));
  const y = resizePillow(gpu, gpu.upload(data, shape), size, filter, poisoned(gpu, [shape[0]!, shape[1]!, ...size]));
  assertClose(await gpu.read(y), pillowResizeReference(data, shape, size[0], size[1], filter), 'exact', `pillow ${filter} ${shape} -> ${size}`);
}

export const resizeCases = defineCases('resize', {
  'bilinear matches float64 on [3, 5, 7, 9] for odd up/down ratios': async ({ gpu, random }) => {
    const data = randomArray(random, count(SHAPE));
    const x = gpu.upload(data, SHAPE);
    for (const size of SIZES) {
      const y = resizeBilinear(gpu, x, size, poisoned(gpu, [3, 5, ...size]));
      assertClose(await gpu.read(y), bilinearReference(data, SHAPE, size[0], size[1]), 'elementwise', `bilinear -> ${size}`);
    }
  },
  'bilinear backward is the float64 adjoint, including a 7x upscale': async ({ gpu, random }) => {
    for (const [shape, size] of [...SIZES.map((size) => [SHAPE, size] as const), [[1, 2, 5, 3], [41, 37]] as const]) {
      const dyShape = [shape[0]!, shape[1]!, ...size];
      const dy = randomArray(random, count(dyShape));
      const dx = resizeBilinearBackward(gpu, gpu.upload(dy, dyShape), shape, poisoned(gpu, shape));
      assertClose(await gpu.read(dx), bilinearBackwardReference(dy, shape, size[0], size[1]), 'reduction', `backward ${shape} -> ${size}`);
    }
  },
  'bilinear backward matches float64 finite differences on tiny shapes': async ({ gpu, random }) => {
    const problems: [number[], Size2][] = [[[1, 2, 3, 4], [5, 3]], [[2, 1, 4, 3], [2, 7]], [[1, 1, 5, 5], [3, 3]]];
    for (const [shape, size] of problems) {
      const x = randomArray(random, count(shape));
      const w = randomArray(random, shape[0]! * shape[1]! * size[0] * size[1]);
      const loss = (point: Float64Array): number => weightedSum(bilinearReference(point, shape, size[0], size[1]), w);
      const dx = resizeBilinearBackward(gpu, gpu.upload(w, [shape[0]!, shape[1]!, ...size]), shape, poisoned(gpu, shape));
      assertClose(await gpu.read(dx), numericalGradient(loss, x), 'finiteDifference', `d/dx ${shape} -> ${size}`);
    }
  },
  'bilinear align_corners=True matches float64 for odd sizes, FPN/PSPNet/PAN sizes, 1x1 broadcasts and copies': async ({ gpu, random }) => {
    const problems: [number[], Size2][] = [
      [SHAPE, [13, 4]],
      [SHAPE, [3, 23]],
      [SHAPE, [7, 9]],
      [[2, 3, 1, 1], [5, 7]],
      [[2, 3, 5, 7], [1, 1]],
      [[2, 3, 2, 3], [4, 6]],
      [[1, 2, 8, 12], [64, 96]],
      [[1, 2, 4, 5], [8, 10]],
    ];
    for (const [shape, size] of problems) {
      const data = randomArray(random, count(shape));
      const y = resizeBilinear(gpu, gpu.upload(data, shape), size, poisoned(gpu, [shape[0]!, shape[1]!, ...size]), { alignCorners: true });
      assertClose(await gpu.read(y), alignedBilinearReference(data, shape, size[0], size[1]), 'elementwise', `aligned ${shape} -> ${size}`);
    }
    // The corners map to the corners exactly.
    const data = randomArray(random, 5 * 7);
    const y = await gpu.read(resizeBilinear(gpu, gpu.upload(data, [1, 1, 5, 7]), [11, 13], undefined, { alignCorners: true }));
    assertClose([y[0]!, y[12]!, y[130]!, y[142]!], [data[0]!, data[6]!, data[28]!, data[34]!], 'exact', 'corners');
  },
  'bilinear align_corners=True backward matches float64 finite differences': async ({ gpu, random }) => {
    const problems: [number[], Size2][] = [[[1, 2, 3, 4], [5, 3]], [[2, 1, 4, 3], [8, 7]], [[1, 1, 1, 1], [3, 2]], [[1, 2, 5, 5], [1, 1]]];
    for (const [shape, size] of problems) {
      const x = randomArray(random, count(shape));
      const w = randomArray(random, shape[0]! * shape[1]! * size[0] * size[1]);
      const loss = (point: Float64Array): number => weightedSum(alignedBilinearReference(point, shape, size[0], size[1]), w);
      const dx = resizeBilinearBackward(gpu, gpu.upload(w, [shape[0]!, shape[1]!, ...size]), shape, poisoned(gpu, shape), { alignCorners: true });
      assertClose(await gpu.read(dx), numericalGradient(loss, x), 'finiteDifference', `aligned d/dx ${shape} -> ${size}`);
    }
  },
  'PyTorch nearest is exact: x2 (o >> 1), odd up/down sizes, scale factors; its index is ⌊o·in/out⌋ away from ties': async ({ gpu, random }) => {
    const problems: [number[], Size2, ScaleFactors | undefined][] = [
      [SHAPE, [14, 18], [2, 2]],
      [SHAPE, [14, 18], undefined],
      [SHAPE, [13, 4], undefined],
      [SHAPE, [3, 23], undefined],
      [SHAPE, [7, 9], undefined],
      [[1, 2, 5, 7], [15, 10], [3, 1.5]],
      [[1, 2, 5, 7], [1, 1], undefined],
    ];
    for (const [shape, size, scale] of problems) {
      const data = randomArray(random, count(shape));
      const y = upsampleNearest(gpu, gpu.upload(data, shape), size, scale, poisoned(gpu, [shape[0]!, shape[1]!, ...size]));
      assertClose(await gpu.read(y), upsampleNearestReference(data, shape, size[0], size[1], scale), 'exact', `nearest ${shape} -> ${size} @${scale}`);
    }
    const twice = await gpu.read(upsampleNearest(gpu, gpu.upload([1, 2, 3, 4], [1, 1, 2, 2]), [4, 4], [2, 2]));
    assertClose(twice, [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4], 'exact', 'x2 by hand');
    for (const [inSize, outSize] of [[7, 13], [9, 4], [5, 11], [12, 7]] as const) {
      torchNearestAxis(inSize, outSize).forEach((value, o) => {
        const exact = (o * inSize) / outSize;
        if (!Number.isInteger(exact) && value !== Math.floor(exact)) throw new Error(`torch nearest ${inSize} -> ${outSize}: index ${value} at ${o}`);
      });
    }
  },
  'PyTorch nearest backward sums the copies (a 2x2 block for x2): scatter reference and finite differences': async ({ gpu, random }) => {
    const problems: [number[], Size2, ScaleFactors | undefined][] = [
      [[2, 3, 5, 7], [10, 14], [2, 2]],
      [[1, 2, 7, 5], [3, 11], undefined],
      [[1, 1, 4, 6], [9, 4], undefined],
    ];
    for (const [shape, size, scale] of problems) {
      const dyShape = [shape[0]!, shape[1]!, ...size];
      const dy = randomArray(random, count(dyShape));
      const dx = upsampleNearestBackward(gpu, gpu.upload(dy, dyShape), shape, scale, poisoned(gpu, shape));
      const got = await gpu.read(dx);
      assertClose(got, upsampleNearestBackwardReference(dy, shape, size[0], size[1], scale), 'reduction', `nearest backward ${shape} -> ${size}`);
      const x = randomArray(random, count(shape));
      const loss = (point: Float64Array): number => weightedSum(upsampleNearestReference(point, shape, size[0], size[1], scale), dy);
      assertClose(got, numericalGradient(loss, x, 1e-3), 'finiteDifference', `nearest d/dx ${shape} -> ${size}`);
    }
  },
  ...Object.fromEntries(
    PILLOW_FILTERS.map((filter) => [
      `pillow ${filter} is exact against the integer reference (down, up, one axis, same size)`,
      async ({ gpu, random }: { gpu: Gpu; random: Random }) => {
        await checkPillow(gpu, random, filter, [2, 3, 37, 41], [13, 29]);
        await checkPillow(gpu, random, filter, [2, 3, 37, 41], [53, 17]);
        await checkPillow(gpu, random, filter, [1, 3, 37, 41], [37, 60]);
        await checkPillow(gpu, random, filter, [1, 3, 37, 41], [11, 41]);
        await checkPillow(gpu, random, filter, [1, 2, 37, 41], [37, 41]);
        await checkPillow(gpu, random, filter, [1, 1, 301, 7], [9, 3]);
      },
    ]),
  ),
  'nearest is exact on [3, 5, 7, 9] and its index is ⌊(o + ½)·in/out⌋ away from exact ties': async ({ gpu, random }) => {
    const data = randomArray(random, count(SHAPE));
    const x = gpu.upload(data, SHAPE);
    for (const size of SIZES) {
      const y = resizeNearest(gpu, x, size, poisoned(gpu, [3, 5, ...size]));
      assertClose(await gpu.read(y), nearestReference(data, SHAPE, size[0], size[1]), 'exact', `nearest -> ${size}`);
    }
    for (const [inSize, outSize] of [[454, 256], [306, 256], [7, 13], [9, 4], [256, 454]] as const) {
      const index = nearestAxis(inSize, outSize);
      index.forEach((value, o) => {
        const exact = ((2 * o + 1) * inSize) / (2 * outSize);
        if (!Number.isInteger(exact) && value !== Math.floor(exact)) throw new Error(`nearest ${inSize} -> ${outSize}: index ${value} at ${o}`);
      });
    }
  },
  'hflip, vflip and rot180 are exact permutations on [3, 5, 7, 9] and their own inverses': async ({ gpu, random }) => {
    const data = randomArray(random, count(SHAPE));
    const x = gpu.upload(data, SHAPE);
    for (const kind of FLIPS) {
      const y = flip(gpu, kind, x, poisoned(gpu, SHAPE));
      assertClose(await gpu.read(y), flipReference(data, SHAPE, kind !== 'vflip', kind !== 'hflip'), 'exact', kind);
      assertClose(await gpu.read(flip(gpu, kind, y, poisoned(gpu, SHAPE))), data, 'exact', `${kind} twice`);
    }
  },
  'gray of [3, 3, 7, 9] RGB matches float64': async ({ gpu, random }) => {
    const shape = [3, 3, 7, 9];
    const data = randomArray(random, count(shape), { low: 1, high: 255 });
    const y = rgbToGray(gpu, gpu.upload(data, shape), poisoned(gpu, [3, 1, 7, 9]));
    assertClose(await gpu.read(y), grayReference(data, shape), 'elementwise', 'gray');
  },
  'rejects bad ranks, sizes, output shapes, aliasing, channel counts and filters': async ({ gpu }) => {
    const x = gpu.upload(new Float32Array(2 * 3 * 4).fill(1), [1, 2, 3, 4]);
    await expectError(() => resizeBilinear(gpu, gpu.upload([1, 2, 3], [3]), [2, 2]), ['resize.bilinear', '[3]', '[N, C, H, W]']);
    await expectError(() => resizeBilinear(gpu, x, [0, 5]), ['resize.bilinear', '[0, 5]', '[1, 2, 3, 4]']);
    await expectError(() => resizeNearest(gpu, x, [2.5, 5]), ['resize.nearest', '[2.5, 5]']);
    await expectError(() => resizeBilinear(gpu, x, [5, 6], gpu.empty([1, 2, 6, 5])), ['resize.bilinear', '[1, 2, 6, 5]', '[1, 2, 5, 6]']);
    await expectError(() => resizeBilinear(gpu, x, [3, 4], x), ['resize.bilinear', 'alias']);
    await expectError(() => resizeBilinearBackward(gpu, gpu.empty([1, 3, 5, 6]), [1, 2, 3, 4]), ['resize.bilinear_backward', '[1, 3, 5, 6]', '[1, 2, 3, 4]']);
    await expectError(() => resizePillow(gpu, x, [2, 2], 'lanczos' as PillowFilter), ["unknown filter 'lanczos'"]);
    await expectError(() => resizePillow(gpu, x, [2, 0], 'bicubic'), ['resize.pillow_bicubic', '[2, 0]']);
    await expectError(() => rgbToGray(gpu, x), ['resize.gray', '3 channels', '[1, 2, 3, 4]']);
    await expectError(() => flip(gpu, 'hflip', gpu.empty([2, 0, 3, 4])), ['resize.hflip', '[2, 0, 3, 4]']);
  },
});
