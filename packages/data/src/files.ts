import { DataError } from './errors.js';

/**
 * Where data lives. The CLI fills this with the file system (`@ulseg/data/node`), a web page with fetch or File
 * objects, tests with {@link MemoryFiles}. Paths use `/` and are relative to whatever root the implementation has.
 */
export interface DataFiles {
  read(path: string): Promise<Uint8Array>;
  /** Creates missing parent folders. Must be atomic (write a temporary file, then rename), so a reader never sees half a file. */
  write(path: string, bytes: Uint8Array): Promise<void>;
  /** Names (not paths) of the files and folders directly inside `dir`; throws if `dir` does not exist. */
  list(dir: string): Promise<string[]>;
  /** True for an existing file or folder. */
  exists(path: string): Promise<boolean>;
}

/** Joins path parts with `/`, dropping empty parts and `.` segments. */
export function joinPath(...parts: string[]): string {
  const segments: string[] = [];
  for (const part of parts) {
    for (const segment of part.split('/')) if (segment !== '' && segment !== '.') segments.push(segment);
  }
  const absolute = parts[0]?.startsWith('/') ?? false;
  return (absolute ? '/' : '') + segments.join('/');
}

/** Files kept in a Map: for tests and browsers. Writes copy the bytes, so they are atomic trivially. */
export class MemoryFiles implements DataFiles {
  private readonly entries = new Map<string, Uint8Array>();

  constructor(initial: Record<string, Uint8Array> = {}) {
    for (const [path, bytes] of Object.entries(initial)) this.entries.set(joinPath(path), bytes.slice());
  }

  async read(path: string): Promise<Uint8Array> {
    const bytes = this.entries.get(joinPath(path));
    if (bytes === undefined) throw new DataError(`${path}: no such file`, { file: path });
    return bytes.slice();
  }

  async write(path: string, bytes: Uint8Array): Promise<void> {
    const key = joinPath(path);
    if (key === '' || this.isFolder(key)) throw new DataError(`${path}: is a folder`, { file: path });
    this.entries.set(key, bytes.slice());
  }

  async list(dir: string): Promise<string[]> {
    const prefix = joinPath(dir);
    const names = new Set<string>();
    for (const key of this.entries.keys()) {
      const rest = prefix === '' ? key : key.startsWith(`${prefix}/`) ? key.slice(prefix.length + 1) : undefined;
      if (rest !== undefined) names.add(rest.split('/')[0] as string);
    }
    if (names.size === 0 && prefix !== '') throw new DataError(`${dir}: no such folder`, { file: dir });
    return [...names].sort();
  }

  async exists(path: string): Promise<boolean> {
    const key = joinPath(path);
    return key === '' || this.entries.has(key) || this.isFolder(key);
  }

  /** Every stored path, sorted. */
  paths(): string[] {
    return [...this.entries.keys()].sort();
  }

  delete(path: string): boolean {
    return this.entries.delete(joinPath(path));
  }

  private isFolder(key: string): boolean {
    for (const other of this.entries.keys()) if (other.startsWith(`${key}/`)) return true;
    return false;
  }
}
