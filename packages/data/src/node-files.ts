import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { DataFiles } from './files.js';

/** {@link DataFiles} on the file system, relative to `root`. Exported only as `@ulseg/data/node`. */
export class NodeFiles implements DataFiles {
  readonly root: string;

  constructor(root = '.') {
    this.root = resolve(root);
  }

  async read(path: string): Promise<Uint8Array> {
    const buffer = await readFile(this.resolve(path));
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  /** Writes `<path>.<pid>.<random>.tmp` beside the target, then renames it over the target. */
  async write(path: string, bytes: Uint8Array): Promise<void> {
    const target = this.resolve(path);
    await mkdir(dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await writeFile(temporary, bytes);
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async list(dir: string): Promise<string[]> {
    return (await readdir(this.resolve(dir))).sort();
  }

  async exists(path: string): Promise<boolean> {
    try {
      await stat(this.resolve(path));
      return true;
    } catch {
      return false;
    }
  }

  private resolve(path: string): string {
    return resolve(this.root, path);
  }
}
