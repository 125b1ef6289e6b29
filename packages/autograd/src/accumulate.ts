/** In-graph gradient accumulation: a + b into a fresh tensor, consuming both. */
import { binary } from '@ulseg/kernels';
import { Tensor } from './tensor.js';

export function addInto(a: Tensor, b: Tensor): Tensor {
  const sum = Tensor.adopt(a.gpu, binary(a.gpu, 'add', a.data, b.data));
  a.dispose();
  b.dispose();
  return sum;
}
