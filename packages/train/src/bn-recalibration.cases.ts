/**
 * BN recalibration against a float64 reference: every BN's running statistics become the plain average over the
 * batches of their batch means and unbiased variances, each BN seeing the train-mode output of the layers before it;
 * earlier running statistics are forgotten, parameters are untouched, momentum, drop-connect probability and mode restored.
 */
import { nn, Tensor } from '@ulseg/autograd';
import { batchNormTrainingReference, batchStatistics } from '@ulseg/kernels/reference';
import { assertClose, defineCases, randomArray } from '@ulseg/kernels/testing';
import { recalibrateBatchNorm } from './bn-recalibration.js';


/** BN → BN, with an nn.DropConnect like the segmentation model's, its p recorded at each forward. */
class TwoNorms extends nn.Module {
  readonly first: nn.BatchNorm2d;
  readonly second: nn.BatchNorm2d;
  readonly drop: nn.DropConnect;
  readonly ratesSeen: number[] = [];
  constructor(ctx: nn.InitContext, channels: number) {
    super(ctx);
    this.first = this.registerModule('first', new nn.BatchNorm2d(ctx.child('first'), channels, { momentum: 0.01, eps: 1e-3 }));
    this.second = this.registerModule('second', new nn.BatchNorm2d(ctx.child('second'), channels));
    this.drop = this.registerModule('drop', new nn.DropConnect(0.2));
  }
  forward(x: Tensor): Tensor {
    this.ratesSeen.push(this.drop.p);
    return this.second.forward(this.first.forward(x));
  }
}

export const bnRecalibrationCases = defineCases('train/bn-recalibration', {
  'running statistics = the average over batches of batch mean and unbiased variance, layer after layer': async ({ gpu, random }) => {
    const channels = 3;
    const model = new TwoNorms(new nn.InitContext(gpu, random), channels);
    const weight = randomArray(random, channels, { low: 0.5, high: 2 });
    const bias = randomArray(random, channels);
    const stale = new Map<string, { shape: number[]; data: Float32Array }>([
      ['first.weight', { shape: [channels], data: weight }],
      ['first.bias', { shape: [channels], data: bias }],
      ['first.running_mean', { shape: [channels], data: new Float32Array(channels).fill(5) }],
      ['first.running_var', { shape: [channels], data: new Float32Array(channels).fill(7) }],
      ['first.num_batches_tracked', { shape: [], data: new Float32Array([40]) }],
    ]);
    model.load(stale, { strict: false });
    model.eval();
    const shapes = [
      [4, channels, 7, 9],
      [3, channels, 7, 9],
      [1, channels, 7, 9],
    ];
    const inputs = shapes.map((shape) => randomArray(random, shape.reduce((a, b) => a * b), { low: -3, high: 4 }));
    const count = recalibrateBatchNorm(model, inputs.map((data, index) => Tensor.fromArray(gpu, data, shapes[index])));
    if (count !== 3) throw new Error(`saw ${count} batches, expected 3`);

    const expected = { first: { mean: [0, 0, 0], variance: [0, 0, 0] }, second: { mean: [0, 0, 0], variance: [0, 0, 0] } };
    inputs.forEach((x, k) => {
      const shape = shapes[k]!;
      const n = shape[0]! * shape[2]! * shape[3]!;
      const identity = { runningMean: [0, 0, 0], runningVar: [1, 1, 1] };
      const firstStatistics = batchStatistics(x, shape);
      const y = batchNormTrainingReference(x, shape, { weight, bias, ...identity }, 0, 1e-3).y;
      const secondStatistics = batchStatistics(y, shape);
      for (let c = 0; c < channels; c++) {
        expected.first.mean[c]! += firstStatistics.mean[c]! / inputs.length;
        expected.first.variance[c]! += (firstStatistics.variance[c]! * n) / (n - 1) / inputs.length;
        expected.second.mean[c]! += secondStatistics.mean[c]! / inputs.length;
        expected.second.variance[c]! += (secondStatistics.variance[c]! * n) / (n - 1) / inputs.length;
      }
    });
    const state = new Map(model.stateDict());
    const read = async (name: string): Promise<Float32Array> => state.get(name)!.toArray();
    const tolerance = { relativeL2: 1e-5 };
    assertClose(await read('first.running_mean'), expected.first.mean, tolerance, 'first running_mean');
    assertClose(await read('first.running_var'), expected.first.variance, tolerance, 'first running_var');
    assertClose(await read('second.running_mean'), expected.second.mean, { maxAbsolute: 1e-5 }, 'second running_mean');
    assertClose(await read('second.running_var'), expected.second.variance, tolerance, 'second running_var');
    assertClose(await read('first.num_batches_tracked'), [3], 'exact', 'num_batches_tracked');
    assertClose(await read('first.weight'), weight, 'exact', 'weight untouched');
    assertClose(await read('first.bias'), bias, 'exact', 'bias untouched');
    if (model.first.momentum !== 0.01 || model.second.momentum !== 0.1) throw new Error('momentum not restored');
    if (model.training) throw new Error('the model should be back in eval mode');
    if (model.ratesSeen.some((rate) => rate !== 0) || model.drop.p !== 0.2) {
      throw new Error(`drop-connect should be off during recalibration and restored after (saw ${model.ratesSeen.join(', ')})`);
    }
    model.dispose();
  },
});
