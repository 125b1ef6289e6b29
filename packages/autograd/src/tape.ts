/**
 * The tape: each recorded op leaves a Node on its output; backward() walks the nodes in reverse topological order,
 * hands each its output gradient, reduces broadcast gradients back to the input shapes (the one place where that
 * happens), accumulates leaf gradients into `.grad`, frees non-leaf gradients as soon as they are used and saved
 * activations right after their node's backward.
 */
import { fill, formatShape, reduce, sameShape } from '@ulseg/kernels';
import { noGrad } from './grad-mode.js';
import { installBackward, Tensor } from './tensor.js';
import { addInto } from './accumulate.js';

export class Node {
  private saved: Tensor[];
  private released = false;
  /**
   * Who still needs this node: its output tensor's handle plus every later node that consumes the output. When the
   * count reaches zero (the output was disposed and no live graph uses it), the saved activations are freed and the
   * inputs' nodes are told in turn — so a graph nobody back-propagates through does not leak.
   */
  private consumers = 1;

  constructor(
    readonly op: string,
    /** The op's tensor inputs, in order; gradients come back in the same order. */
    readonly inputs: readonly Tensor[],
    saved: Tensor[],
    private readonly backwardFn: (dy: Tensor) => (Tensor | undefined)[],
  ) {
    this.saved = saved;
    for (const tensor of saved) tensor.keep();
    for (const input of inputs) input.node?.addConsumer();
  }

  addConsumer(): void {
    this.consumers++;
  }

  dropConsumer(): void {
    if (this.consumers <= 0) return;
    this.consumers--;
    if (this.consumers > 0) return;
    this.release();
    for (const input of this.inputs) input.node?.dropConsumer();
  }

  backward(dy: Tensor): (Tensor | undefined)[] {
    if (this.released) {
      throw new Error(
        `backward through '${this.op}' a second time: its saved tensors were freed after the first backward. ` +
          'Pass { retainGraph: true } to the first backward() if you need to go through the graph twice.',
      );
    }
    return this.backwardFn(dy);
  }

  /** Frees the saved activations. */
  release(): void {
    for (const tensor of this.saved) tensor.dispose();
    this.saved = [];
    this.released = true;
  }
}

export function runBackward(root: Tensor, gradient: Tensor | undefined, retainGraph: boolean): void {
  if (!root.requiresGrad) throw new Error(`backward: ${root} does not require grad (no input of its graph requires grad)`);
  if (gradient === undefined && root.size !== 1) {
    throw new Error(`backward: a gradient can be implied only for a scalar; ${root} has ${root.size} elements`);
  }
  if (gradient !== undefined && !sameShape(gradient.shape, root.shape)) {
    throw new Error(`backward: gradient shape ${formatShape(gradient.shape)} differs from ${formatShape(root.shape)}`);
  }
  const order = topologicalOrder(root);
  const grads = new Map<Tensor, Tensor>();
  noGrad(() => {
    const seed = gradient?.detach() ?? Tensor.empty(root.gpu, root.shape, 'gradient seed');
    if (gradient === undefined) fill(root.gpu, seed.data, 1);
    seed.keep();
    if (root.isLeaf) {
      accumulateLeaf(root, seed);
      return;
    }
    grads.set(root, seed);
    for (const tensor of order) {
      const node = tensor.node!;
      const dy = grads.get(tensor);
      grads.delete(tensor);
      if (!dy) continue;
      const inputGrads = node.backward(dy);
      dy.dispose();
      if (!retainGraph) node.release();
      node.inputs.forEach((input, index) => {
        const raw = inputGrads[index];
        if (!raw) return;
        raw.keep();
        if (!input.requiresGrad || (input.isLeaf && input.disposed)) {
          raw.dispose();
          return;
        }
        const grad = reduceToShape(raw, input.shape, node.op);
        if (input.isLeaf) accumulateLeaf(input, grad);
        else {
          const previous = grads.get(input);
          grads.set(input, previous ? addInto(previous, grad) : grad);
        }
      });
    }
  });
  for (const leftover of grads.values()) leftover.dispose();
}

installBackward(runBackward);

function accumulateLeaf(leaf: Tensor, grad: Tensor): void {
  leaf.grad = leaf.grad ? addInto(leaf.grad, grad).keep() : grad.keep();
}

/** Nodes reachable from root, each after every node that consumes it (root first). */
function topologicalOrder(root: Tensor): Tensor[] {
  const visited = new Set<Tensor>();
  const postOrder: Tensor[] = [];
  const stack: [Tensor, boolean][] = [[root, false]];
  while (stack.length) {
    const [tensor, expanded] = stack.pop()!;
    if (expanded) {
      postOrder.push(tensor);
      continue;
    }
    if (visited.has(tensor) || !tensor.node) continue;
    visited.add(tensor);
    stack.push([tensor, true]);
    for (const input of tensor.node.inputs) if (input.node && input.requiresGrad && !visited.has(input)) stack.push([input, false]);
  }
  return postOrder.reverse();
}

/**
 * Sums a gradient over the axes along which its input was broadcast: leading axes the input lacks, and axes where
 * the input has size 1. Consumes `grad`.
 */
export function reduceToShape(grad: Tensor, shape: readonly number[], op: string): Tensor {
  if (sameShape(grad.shape, shape)) return grad;
  const offset = grad.shape.length - shape.length;
  if (offset < 0) throw new Error(`${op}: gradient ${formatShape(grad.shape)} has lower rank than its input ${formatShape(shape)}`);
  const axes: number[] = [];
  grad.shape.forEach((size, axis) => {
    const own = axis - offset;
    if (own < 0 || (shape[own] === 1 && size !== 1)) axes.push(axis);
    else if (shape[own] !== size) {
      throw new Error(`${op}: gradient ${formatShape(grad.shape)} does not broadcast to input ${formatShape(shape)}`);
    }
  });
  const gpu = grad.gpu;
  const summed = reduce(gpu, 'sum', grad.data, { axes });
  grad.dispose();
  return Tensor.adopt(gpu, { buffer: summed.buffer, shape }).keep();
}
