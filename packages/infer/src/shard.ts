/**
 * Inference split over N independent tasks (Kubernetes Indexed Job pods, Slurm array tasks): the images, sorted by
 * name, are cut into N contiguous blocks; shard i of N takes names[⌊i·n/N⌋ … ⌊(i+1)·n/N⌋). The blocks are disjoint,
 * cover every image, differ in size by at most one, and depend only on the sorted names, so N tasks that list the same
 * folder agree on the split without talking to each other.
 */

export interface Shard {
  /** 0-based index of this task, 0 ≤ index < count. */
  readonly index: number;
  /** Number of tasks the images are split over. */
  readonly count: number;
}

export function checkShard(shard: Shard): void {
  if (!Number.isInteger(shard.count) || shard.count < 1) throw new Error(`shard count must be an integer >= 1, got ${shard.count}`);
  if (!Number.isInteger(shard.index) || shard.index < 0 || shard.index >= shard.count) {
    throw new Error(`shard index must be an integer in 0..${shard.count - 1}, got ${shard.index}`);
  }
}

/** The names of shard `index` of `count` (`names` sorted as the folder listing sorts them). */
export function shardNames<T>(names: readonly T[], shard: Shard): T[] {
  checkShard(shard);
  const start = Math.floor((shard.index * names.length) / shard.count);
  const end = Math.floor(((shard.index + 1) * names.length) / shard.count);
  return names.slice(start, end);
}
