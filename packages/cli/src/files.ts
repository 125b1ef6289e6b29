/**
 * File handling shared by every command: reads that name the file on failure, file-system errors in words (the path
 * and what to do, never a bare ENOTDIR), outputs checked before any work (writable, not one of the inputs), atomic
 * file writes (temp file + rename) and staged folder writes (a temp folder beside the output, moved in at the end, so
 * a failed run leaves the output folder as it was).
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { writeAtomic as writeFileAtomic } from '@ulseg/base/node';

/** What to tell the user for a file-system error code. */
const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'already exists',
  EACCES: 'permission denied: choose a place you can write to, or change its permissions',
  EPERM: 'not permitted here: choose another place',
  EROFS: 'on a read-only file system: choose another place',
  ENOSPC: 'the disk is full: free some space',
  EDQUOT: 'over the disk quota: free some space',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files: close some programs and retry',
};

/** `<what> '<path>': <reason>` for an error thrown by node:fs at `path`. */
export function fileError(error: unknown, path: string, what: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = (code && REASONS[code]) ?? (error as Error).message.replace(/^\w+: /, '');
  return new Error(`${what} '${path}': ${reason}`);
}

export async function readInput(path: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw fileError(error, path, what);
  }
}

/** Writes `bytes` to `path` so that readers see either the old file or the whole new one, never a part. */
export async function writeAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  try {
    await writeFileAtomic(path, bytes);
  } catch (error) {
    throw fileError(error, path, 'could not write');
  }
}

/** Same file or folder: equal once resolved, symbolic links followed where the paths exist. */
export function samePath(a: string, b: string): boolean {
  return resolve(a) === resolve(b) || realish(a) === realish(b);
}

/** `path` with symbolic links resolved as far as it exists. */
function realish(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(resolve(path));
    return parent === resolve(path) ? parent : join(realish(parent), basename(path));
  }
}

/** `path` is `folder` or lies inside it. */
export function inside(path: string, folder: string): boolean {
  const from = relative(realish(folder), realish(path));
  return from === '' || (from !== '..' && !from.startsWith(`..${sep}`) && !isAbsolute(from));
}

export interface NamedPath {
  /** The flag or argument that gave it, e.g. `--out`. */
  readonly flag: string;
  readonly path: string | undefined;
}

/**
 * Refuses an output that is, or resolves to, one of the inputs (files), or lies inside an input folder: a command
 * never replaces what it reads.
 */
export function refuseOutputOverInput(output: NamedPath, inputs: readonly NamedPath[], folders: readonly NamedPath[] = []): void {
  if (output.path === undefined) return;
  for (const input of inputs) {
    if (input.path !== undefined && samePath(output.path, input.path)) {
      throw new Error(`${output.flag} '${output.path}' is the ${input.flag} file: writing it would destroy the input; choose another output name`);
    }
  }
  for (const folder of folders) {
    if (folder.path !== undefined && inside(output.path, folder.path)) {
      throw new Error(`${output.flag} '${output.path}' is inside the ${folder.flag} folder '${folder.path}': write it somewhere else`);
    }
  }
}

/** The nearest of `path` and its parents that exists. */
function nearestExisting(path: string): string {
  let current = resolve(path);
  while (!existsSync(current)) current = dirname(current);
  return current;
}

/** Creates and removes a probe file in `folder`: the one honest test that files can be written there. */
async function probe(folder: string, path: string, flag: string): Promise<void> {
  const name = join(folder, `.ulseg-probe-${process.pid}-${Date.now()}`);
  try {
    await writeFile(name, '');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${flag}: cannot write in '${folder}' for '${path}': files cannot be created there; choose another place`);
    throw fileError(error, path, `${flag}: cannot write in '${folder}' for`);
  }
  await rm(name, { force: true });
}

/** Before any work: `path` can be written as a file (its folder exists or can be made, it is not a folder, writable). */
export async function checkWritableFile(path: string, flag: string): Promise<void> {
  if (existsSync(path) && statSync(path).isDirectory()) throw new Error(`${flag} '${path}' is a folder: give a file name`);
  const folder = nearestExisting(dirname(path));
  if (!statSync(folder).isDirectory()) throw new Error(`${flag} '${path}': '${folder}' is a file, so no file can be made under it; choose another path`);
  await probe(folder, path, flag);
}

/** Before any work: `path` is a folder, or can be made one, that files can be written in. */
export async function checkWritableFolder(path: string, flag: string): Promise<void> {
  const folder = nearestExisting(path);
  if (!statSync(folder).isDirectory()) {
    throw new Error(folder === resolve(path) ? `${flag} '${path}' is a file, not a folder: choose a folder name` : `${flag} '${path}': '${folder}' is a file, so no folder can be made under it; choose another path`);
  }
  await probe(folder, path, flag);
}

/** `<path>-<suffix>` beside `path` (for `.`, beside the current folder, not a hidden `.-suffix` inside it). */
export function siblingFolder(path: string, suffix: string): string {
  const absolute = resolve(path);
  const sibling = join(dirname(absolute), `${basename(absolute)}-${suffix}`);
  const shown = relative(process.cwd(), sibling);
  return shown === '' ? '.' : shown;
}

/**
 * A folder written all at once: files go into a hidden temp folder beside `target`; {@link commit} moves them into
 * `target` (created if missing, unless nothing was written; files of the same name replaced, others left alone);
 * {@link discard} removes them.
 */
export class StagedFolder {
  private constructor(
    readonly target: string,
    readonly flag: string,
    /** Where the files are written until commit. */
    readonly path: string,
  ) {}

  /** Checks that `target` can be written, then makes the temp folder beside it. */
  static async create(target: string, flag: string): Promise<StagedFolder> {
    await checkWritableFolder(target, flag);
    const parent = dirname(resolve(target));
    try {
      await mkdir(parent, { recursive: true });
      return new StagedFolder(target, flag, await mkdtemp(join(parent, `.${basename(resolve(target))}.ulseg-`)));
    } catch (error) {
      throw fileError(error, target, `${flag}: could not prepare`);
    }
  }

  /** Moves every staged file into the target, one rename each (other writers of the same folder, e.g. other infer shards, may commit beside it). */
  async commit(): Promise<void> {
    try {
      const names = await readdir(this.path);
      if (names.length === 0) return;
      await mkdir(this.target, { recursive: true });
      for (const name of names) await rename(join(this.path, name), join(this.target, name));
    } catch (error) {
      await this.discard();
      throw fileError(error, this.target, `${this.flag}: could not write`);
    }
    await rmdir(this.path).catch(() => undefined);
  }

  async discard(): Promise<void> {
    await rm(this.path, { recursive: true, force: true });
  }
}

/** Runs `body` with staged folders for `targets` (undefined ones skipped): all committed when it succeeds, none otherwise. */
export async function withStagedFolders<T>(targets: readonly NamedPath[], body: (paths: (string | undefined)[]) => Promise<T>): Promise<T> {
  const staged: (StagedFolder | undefined)[] = [];
  try {
    for (const { path, flag } of targets) staged.push(path === undefined ? undefined : await StagedFolder.create(path, flag));
    const result = await body(staged.map((folder) => folder?.path));
    for (const folder of staged) await folder?.commit();
    return result;
  } finally {
    for (const folder of staged) await folder?.discard();
  }
}
