/**
 * The file service of `--runtime chromium` over real HTTP on 127.0.0.1: the page may read the inputs named on the
 * command line and read/write under the output folder; `..`, absolute paths elsewhere, symbolic links out of a root,
 * writes to an input and a missing or wrong token are refused; writes are atomic and never leave temporary files.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileService, listenLocal } from '../src/chromium/file-service.js';
import { HttpFiles } from '../src/chromium/http-files.js';

let scratch = '';
let server: Server;
let service: FileService;
let base = '';
const at = (...parts: string[]): string => join(scratch, ...parts);

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'ulseg-file-service-'));
  mkdirSync(at('data/img'), { recursive: true });
  writeFileSync(at('data/img/1.png'), 'image one');
  writeFileSync(at('data/train.csv'), 'id,fold\n');
  writeFileSync(at('data/other.txt'), 'not named');
  writeFileSync(at('secret.txt'), 'outside every root');
  mkdirSync(at('out'));
  symlinkSync(at('secret.txt'), at('data/img/link-out.png'));
  symlinkSync(scratch, at('out/escape'));
  // Relative paths as the command line gives them, resolved against cwd.
  service = new FileService({ cwd: scratch, read: ['data/img', 'data/train.csv'], write: ['out/weights'] });
  const local = await listenLocal(service, (_request, response) => {
    response.writeHead(404);
    response.end();
  });
  server = local.server;
  base = `${local.origin}/files/`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const files = (): HttpFiles => new HttpFiles({ url: base, token: service.token });

async function refusal(promise: Promise<unknown>): Promise<{ message: string; code?: string }> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure as Error & { code?: string },
  );
  expect(error, 'the request should have been refused').toBeInstanceOf(Error);
  return { message: error!.message, code: error!.code };
}

describe('file service of --runtime chromium', () => {
  it('reads the named inputs, lists and tests them; a missing file is ENOENT with its path', async () => {
    expect(new TextDecoder().decode(await files().read('data/img/1.png'))).toBe('image one');
    expect(await files().read(at('data/train.csv'))).toEqual(new Uint8Array(readFileSync(at('data/train.csv'))));
    expect(await files().list('data/img')).toEqual(['1.png', 'link-out.png']);
    expect(await files().exists('data/img/1.png')).toBe(true);
    expect(await files().exists('data/img/2.png')).toBe(false);
    expect(await files().exists('out/weights/fold1/last.safetensors')).toBe(false);
    const missing = await refusal(files().read('data/img/2.png'));
    expect(missing.code).toBe('ENOENT');
    expect(missing.message).toContain("'data/img/2.png'");
  });

  it('writes under the output folder atomically (no temporary file left), creating folders, and reads it back', async () => {
    const bytes = new Uint8Array(300_001).map((_, index) => (index * 7) % 251);
    await files().write('out/weights/fold1/last.safetensors', bytes);
    await files().write('out/weights/fold1/last.safetensors', bytes.subarray(1));
    // Byte comparisons: toEqual walks a typed array value by value, slowly for these 300,000 bytes.
    expect(readFileSync(at('out/weights/fold1/last.safetensors')).equals(bytes.subarray(1))).toBe(true);
    expect(readdirSync(at('out/weights/fold1'))).toEqual(['last.safetensors']);
    expect(Buffer.from(await files().read('out/weights/fold1/last.safetensors')).equals(bytes.subarray(1))).toBe(true);
  });

  it('refuses paths outside the named ones: .., absolute, unnamed siblings, symbolic links out', async () => {
    for (const path of ['data/img/../other.txt', '../secret.txt', at('secret.txt'), '/etc/passwd', 'data/other.txt', 'data/img/link-out.png', 'data', '.']) {
      for (const attempt of [() => files().read(path), () => files().exists(path), () => files().list(path)]) {
        const refused = await refusal(attempt());
        expect(refused.code, `${path}: ${refused.message}`).toBe('EACCES');
        expect(refused.message, path).toContain('refused');
      }
    }
    expect(readFileSync(at('secret.txt'), 'utf8')).toBe('outside every root');
  });

  it('refuses writes anywhere but under the output folder: inputs, .., symbolic links out, the folder itself', async () => {
    for (const path of ['data/img/1.png', 'data/train.csv', 'out/weights/../../secret.txt', 'out/escape/secret.txt', 'out/weights', 'out/x', at('secret.txt'), '/tmp/ulseg-refused']) {
      const refused = await refusal(files().write(path, new Uint8Array([1, 2, 3])));
      expect(refused.code, path).toBe('EACCES');
    }
    expect(readFileSync(at('data/img/1.png'), 'utf8')).toBe('image one');
    expect(readFileSync(at('secret.txt'), 'utf8')).toBe('outside every root');
  });

  it('refuses requests without the token or with a wrong one, and writes through GET', async () => {
    for (const token of ['', 'wrong', `${service.token}0`, service.token.slice(1)]) {
      const refused = await refusal(new HttpFiles({ url: base, token }).read('data/img/1.png'));
      expect(refused.message).toContain('token');
    }
    const bare = await fetch(`${base}read?path=data/img/1.png`);
    expect(bare.status).toBe(401);
    const get = await fetch(`${base}write?path=out/weights/a`, { headers: { authorization: `Bearer ${service.token}` } });
    expect(get.status).toBe(405);
  });
});
