import { createGpu } from '@ulseg/kernels';
import { Random } from '@ulseg/base';
import { F, nn, optim, scope, Tensor } from '@ulseg/autograd';

// Segment the bright half of noisy images: conv → BN → 1x1 conv, Dice loss, Adam.
export async function trainTiny(steps = 60): Promise<number[]> {
  const gpu = await createGpu();
  const random = new Random(7);
  const ctx = new nn.InitContext(gpu, random);
  const net = new nn.Sequential(new nn.Conv2d(ctx.child(0), 1, 8, 3, { padding: 1 }), new nn.BatchNorm2d(ctx.child(1), 8), new nn.Conv2d(ctx.child(2), 8, 1, 1));
  const optimizer = new optim.Adam(net.parameters(), { learningRate: 1e-2 });
  const mask = new Float32Array(4 * 16 * 16).map((_, i) => ((i % 16) >> 3) ^ ((i >> 7) & 1));
  const x = Tensor.fromArray(gpu, mask.map((v) => v + 0.3 * random.normal()), [4, 1, 16, 16]);
  const target = Tensor.fromArray(gpu, mask, [4, 1, 16, 16]);
  const losses: Promise<number>[] = [];
  for (let step = 0; step < steps; step++) {
    const loss = scope(() => F.diceLoss(net.forward(x), target));
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    losses.push(loss.item().finally(() => loss.dispose())); // read back without stalling the next step
  }
  return Promise.all(losses);
}
