/**
 * What a module's constructor reads: the device its state lives on, the seeded generator its initial weights are
 * drawn from, and its own state_dict path ('' at the root, e.g. `decoder.blocks.0` below it). One generator serves
 * the whole tree and is drawn in construction order, so the same seed gives the same weights; the path names the
 * module's tensors and its errors.
 */
import type { Gpu } from '@ulseg/kernels';
import type { Random } from '@ulseg/base';

export class InitContext {
  constructor(
    readonly gpu: Gpu,
    readonly random: Random,
    readonly path = '',
  ) {}

  /** The context of the child registered under `name` (an attribute name or a list index). */
  child(name: string | number): InitContext {
    return new InitContext(this.gpu, this.random, this.key(String(name)));
  }

  /** `<path>.<name>`, or `name` at the root: the state_dict key of an entry or child called `name`. */
  key(name: string): string {
    return this.path ? `${this.path}.${name}` : name;
  }
}
