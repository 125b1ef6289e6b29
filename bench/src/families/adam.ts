/**
 * One Adam step over 40 M parameters (Linknet-B6 has 41.2 M), held as 4 flat segments of 10 M (each 40 MB, under
 * the 128 MiB storage binding limit of lavapipe and the compat adapter). Memory-bound: reads param, grad, m, v and
 * writes param, m, v.
 */
import { f32, type Benchmark, type TfTensor } from '../definition.js';
import { LAUNCHERS, type Adam } from './launchers.js';

const SEGMENTS = 4;
const SEGMENT = 10_000_000;
const PARAMETERS = SEGMENTS * SEGMENT;
const LEARNING_RATE = 1e-3;

let peerRuns = 0;

export const adamBenchmarks: Benchmark[] = [
  {
    name: 'adam step 40M params',
    family: 'adam',
    pass: 'step',
    shape: { parameters: PARAMETERS, segments: SEGMENTS },
    // m, v updates, bias-corrected step: ≈12 operations per parameter
    flops: 12 * PARAMETERS,
    bytes: f32(7 * PARAMETERS),
    metric: 'gbs',
    requires: [LAUNCHERS.adam],
    note: 'torch.optim.Adam semantics, in place',
    setup({ gpu, launcher, random }) {
      const adam = launcher<Adam>(LAUNCHERS.adam.name);
      const groups = Array.from({ length: SEGMENTS }, () => ({
        param: random([SEGMENT]),
        grad: random([SEGMENT], -1e-2, 1e-2),
        m: random([SEGMENT], -1e-3, 1e-3),
        v: random([SEGMENT], 0, 1e-4),
      }));
      let step = 0;
      return {
        run: () => adam(gpu, groups, ++step, { learningRate: LEARNING_RATE }),
        dispose: () => groups.forEach((group) => Object.values(group).forEach((tensor) => gpu.release(tensor))),
      };
    },
    peer: {
      note: 'tfjs tf.train.adam().applyGradients over 4 variables of 10 M (composed ops per variable)',
      setup(tf) {
        const run = ++peerRuns;
        const variables = Array.from({ length: SEGMENTS }, (_, index) =>
          tf.variable(tf.randomUniform([SEGMENT], -1, 1), true, `bench-adam-${run}-${index}`),
        );
        const grads = variables.map((variable) => ({ name: variable.name, tensor: tf.randomUniform([SEGMENT], -1e-2, 1e-2) as TfTensor }));
        const optimizer = tf.train.adam(LEARNING_RATE);
        return {
          run: () => {
            optimizer.applyGradients(grads);
            return [];
          },
          dispose: () => {
            optimizer.dispose();
            tf.dispose([...variables, ...grads.map((grad) => grad.tensor)]);
          },
        };
      },
    },
  },
];
