/**
 * The file service of `--runtime chromium`: the page reads and writes files through HTTP on 127.0.0.1, and may reach
 * only what the command line named. A request must carry `authorization: Bearer <token>` (32 random bytes, given to
 * the page with its job). Paths are resolved against the CLI's working directory, then:
 *   read, list, exists: the path must lie in a readable root (the folders and files named as inputs) or a writable one;
 *   write: the path must lie in a writable root (`--weights-path`, `--out`, `--save-probabilities`).
 * "Lies in" is checked twice: on the resolved path (so `..` cannot climb out) and on its real path, i.e. with every
 * symbolic link of the longest existing prefix resolved (so a link inside a root cannot point out of it). Anything
 * else is refused with 403 and a message naming the path. Writes are atomic: a temporary file beside the target,
 * then a rename. Node only.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { writeAtomic } from '@ulseg/base/node';
import type { FileOperation } from './http-files.js';

export interface FilePolicy {
  /** Files or folders the page may read (inputs). */
  readonly read: readonly string[];
  /** Folders the page may write under (and read, for --resume). */
  readonly write: readonly string[];
  /** Where relative paths start; default process.cwd(). */
  readonly cwd?: string;
}

class Refused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The real path of `path`: the longest existing prefix through realpath, the rest appended. */
async function realish(path: string): Promise<string> {
  let existing = path;
  const rest: string[] = [];
  for (;;) {
    try {
      return join(await realpath(existing), ...rest.reverse());
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return path;
      rest.push(basename(existing));
      existing = parent;
    }
  }
}

function inside(root: string, path: string): boolean {
  const step = relative(root, path);
  return step === '' || (!step.startsWith(`..${sep}`) && step !== '..' && !isAbsolute(step));
}

export class FileService {
  readonly token = randomBytes(32).toString('hex');
  private readonly cwd: string;
  private readonly readRoots: string[];
  private readonly writeRoots: string[];

  constructor(policy: FilePolicy) {
    this.cwd = resolve(policy.cwd ?? process.cwd());
    this.writeRoots = policy.write.map((path) => resolve(this.cwd, path));
    this.readRoots = [...policy.read.map((path) => resolve(this.cwd, path)), ...this.writeRoots];
  }

  /** The absolute path a request may use for `operation`, or a Refused error naming it. */
  async check(operation: FileOperation, path: string): Promise<string> {
    if (path === '' || path.includes('\0')) throw new Refused(400, 'EINVAL', `file service: '${path}' is not a path`);
    const absolute = resolve(this.cwd, path);
    const roots = operation === 'write' ? this.writeRoots : this.readRoots;
    const real = await realish(absolute);
    for (const root of roots) {
      if (inside(root, absolute) && inside(await realish(root), real)) {
        if (operation === 'write' && absolute === root) break;
        return absolute;
      }
    }
    const allowed = operation === 'write' ? 'the output folders' : 'the inputs and output folders';
    throw new Refused(
      403,
      'EACCES',
      `'${path}': refused, outside ${allowed} named on the command line (${roots.map((root) => relative(this.cwd, root) || '.').join(', ') || 'none'})`,
    );
  }

  private authorised(request: IncomingMessage): boolean {
    const given = Buffer.from(String(request.headers.authorization ?? ''));
    const expected = Buffer.from(`Bearer ${this.token}`);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Answers `/files/<operation>?path=…`; returns false for other URLs (left to the caller). */
  handle(request: IncomingMessage, response: ServerResponse): boolean {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const match = /^\/files\/(read|write|list|exists)$/.exec(url.pathname);
    if (!match) return false;
    const operation = match[1] as FileOperation;
    const fail = (status: number, code: string, message: string): void => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ code, message }));
    };
    if (!this.authorised(request)) {
      request.resume();
      fail(401, 'EACCES', 'file service: missing or wrong token');
      return true;
    }
    if ((operation === 'write') !== (request.method === 'PUT')) {
      request.resume();
      fail(405, 'EINVAL', `file service: ${operation} needs ${operation === 'write' ? 'PUT' : 'GET'}`);
      return true;
    }
    const path = url.searchParams.get('path') ?? '';
    this.serve(operation, path, request, response).catch((error: unknown) => {
      if (error instanceof Refused) return fail(error.status, error.code, error.message);
      const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
      const reason = code === 'ENOENT' ? 'no such file or folder' : code === 'EISDIR' ? 'is a folder' : code === 'ENOTDIR' ? 'not a folder' : (error as Error).message;
      fail(code === 'ENOENT' ? 404 : 500, code, `'${path}': ${reason}`);
    });
    return true;
  }

  private async serve(operation: FileOperation, path: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const absolute = await this.check(operation, path).catch((error: unknown) => {
      request.resume();
      throw error;
    });
    switch (operation) {
      case 'read': {
        const bytes = await readFile(absolute);
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        response.end(bytes);
        return;
      }
      case 'list':
        return json(response, (await readdir(absolute)).sort());
      case 'exists':
        return json(response, await stat(absolute).then(() => true, () => false));
      case 'write': {
        const chunks: Buffer[] = [];
        for await (const chunk of request) chunks.push(chunk as Buffer);
        await writeAtomic(absolute, Buffer.concat(chunks));
        return json(response, true);
      }
    }
  }
}

function json(response: ServerResponse, value: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(value));
}

/**
 * An HTTP server on 127.0.0.1 (ephemeral port) that answers the file service's URLs and hands the rest to `other`.
 * Idle keep-alive connections are never closed by the server (keepAliveTimeout 0): a client reusing a socket the
 * server had just closed would see its PUT fail with ECONNRESET, and PUTs are not retried.
 */
export async function listenLocal(service: FileService, other: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    if (!service.handle(request, response)) other(request, response);
  });
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
