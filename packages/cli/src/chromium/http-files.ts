/**
 * DataFiles over the CLI's file service (file-service.ts), for the page of `--runtime chromium`. Paths are the
 * command line's, resolved by the service against the CLI's working directory. A refused or missing path throws an
 * Error carrying the service's message and an fs-like `code` (ENOENT, EISDIR, EACCES), as NodeFiles' errors do.
 * Browser-safe.
 */
import type { DataFiles } from '@ulseg/data';
import type { FileServiceAccess } from './protocol.js';

export type FileOperation = 'read' | 'write' | 'list' | 'exists';

export class HttpFiles implements DataFiles {
  constructor(private readonly access: FileServiceAccess) {}

  private async call(operation: FileOperation, path: string, body?: Uint8Array): Promise<Response> {
    const url = `${this.access.url}${operation}?path=${encodeURIComponent(path)}`;
    const response = await fetch(url, {
      method: body ? 'PUT' : 'GET',
      headers: { authorization: `Bearer ${this.access.token}` },
      // A Uint8Array is a valid fetch body; TypeScript's DOM lib types BodyInit on ArrayBuffer-backed views only.
      ...(body ? { body: body as unknown as BodyInit } : {}),
    });
    if (!response.ok) {
      let failure: { message?: string; code?: string } = {};
      try {
        failure = (await response.json()) as typeof failure;
      } catch {
        // not JSON: the status says it
      }
      throw Object.assign(new Error(failure.message ?? `file service: ${operation} '${path}': HTTP ${response.status}`), { code: failure.code });
    }
    return response;
  }

  async read(path: string): Promise<Uint8Array> {
    return new Uint8Array(await (await this.call('read', path)).arrayBuffer());
  }

  async write(path: string, bytes: Uint8Array): Promise<void> {
    await this.call('write', path, bytes);
  }

  async list(dir: string): Promise<string[]> {
    return (await (await this.call('list', dir)).json()) as string[];
  }

  async exists(path: string): Promise<boolean> {
    return (await (await this.call('exists', path)).json()) as boolean;
  }
}
