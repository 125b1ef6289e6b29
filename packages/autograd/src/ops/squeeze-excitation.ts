/** The squeeze-excitation pieces: global average pooling and per-channel scaling. */
import { channelScale, channelScaleBackward, formatShape, globalAvgPool2d, globalAvgPool2dBackward } from '@ulseg/kernels';
import { apply, type Op } from '../op.js';
import { Tensor } from '../tensor.js';

const avgPoolOp: Op = {
  name: 'adaptiveAvgPool2d',
  forward: (gpu, [x]) => {
    const [n, c] = x!.shape;
    const pooled = globalAvgPool2d(gpu, x!.data);
    return { output: { buffer: pooled.buffer, shape: [n!, c!, 1, 1] } };
  },
  // y[n,c] = Σ_hw x / (H·W)  ⇒  dx = dy[n,c] / (H·W)
  backward: ({ gpu, inputs: [x] }, dy) => [
    Tensor.adopt(gpu, globalAvgPool2dBackward(gpu, { buffer: dy.data.buffer, shape: [x!.shape[0]!, x!.shape[1]!] }, x!.shape)),
  ],
};

const channelScaleOp: Op = {
  name: 'channelScale',
  forward: (gpu, [x, s]) => ({ output: channelScale(gpu, x!.data, s!.data), saved: [x!.detach(), s!.detach()] }),
  // y = x·s[n,c]  ⇒  dx = dy·s,  ds = Σ_hw dy·x
  backward: ({ gpu, saved: [x, s] }, dy) => {
    const { dx, ds } = channelScaleBackward(gpu, dy.data, x!.data, s!.data);
    return [Tensor.adopt(gpu, dx), Tensor.adopt(gpu, ds)];
  },
};

/** PyTorch `adaptive_avg_pool2d(x, 1)`: [N, C, H, W] → [N, C, 1, 1]. */
export function adaptiveAvgPool2d(x: Tensor, outputSize: 1 | [1, 1] = 1): Tensor {
  if (outputSize !== 1 && !(Array.isArray(outputSize) && outputSize[0] === 1 && outputSize[1] === 1)) {
    throw new Error(`adaptiveAvgPool2d: only output size 1 is supported, got ${JSON.stringify(outputSize)}`);
  }
  if (x.shape.length !== 4) throw new Error(`adaptiveAvgPool2d: expects [N, C, H, W], got ${formatShape(x.shape)}`);
  return apply(avgPoolOp, [x], undefined);
}

/** x·s with s of shape [N, C, 1, 1] (or [N, C]) broadcast over H and W: the excitation's scaling. */
export function channelMultiply(x: Tensor, s: Tensor): Tensor {
  return apply(channelScaleOp, [x, s], undefined);
}
