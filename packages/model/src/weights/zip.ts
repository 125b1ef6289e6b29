/**
 * A minimal ZIP reader for PyTorch checkpoints (torch.save writes an uncompressed zip, zip64 when large): the
 * central directory, stored and deflated entries. Entries are sliced lazily from the file's bytes.
 */

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

export class ZipArchive {
  readonly entries = new Map<string, ZipEntry>();
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly source: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.readDirectory();
  }

  /** The bytes of a stored entry (no copy). Deflated entries need `readAsync`. */
  read(name: string): Uint8Array {
    const entry = this.entry(name);
    if (entry.method !== 0) {
      throw new Error(`${this.source}: entry '${name}' is compressed (method ${entry.method}); read it with readAsync`);
    }
    return this.bytes.subarray(this.dataOffset(entry), this.dataOffset(entry) + entry.size);
  }

  async readAsync(name: string): Promise<Uint8Array> {
    const entry = this.entry(name);
    if (entry.method === 0) return this.read(name);
    if (entry.method !== 8) throw new Error(`${this.source}: entry '${name}' uses unsupported compression method ${entry.method}`);
    const compressed = this.bytes.slice(this.dataOffset(entry), this.dataOffset(entry) + entry.compressedSize);
    const stream = new Blob([compressed]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  private entry(name: string): ZipEntry {
    const entry = this.entries.get(name);
    if (!entry) throw new Error(`${this.source}: the archive has no entry '${name}'`);
    return entry;
  }

  private dataOffset(entry: ZipEntry): number {
    const offset = entry.localHeaderOffset;
    if (this.view.getUint32(offset, true) !== 0x04034b50) throw new Error(`${this.source}: corrupt local header for '${entry.name}'`);
    return offset + 30 + this.view.getUint16(offset + 26, true) + this.view.getUint16(offset + 28, true);
  }

  private readDirectory(): void {
    const view = this.view;
    let end = -1;
    for (let offset = this.bytes.length - 22; offset >= Math.max(0, this.bytes.length - 65557); offset--) {
      if (view.getUint32(offset, true) === 0x06054b50) {
        end = offset;
        break;
      }
    }
    if (end < 0) throw new Error(`${this.source}: not a zip archive (no end-of-central-directory record)`);
    let count = view.getUint16(end + 10, true);
    let directory = view.getUint32(end + 16, true);
    const locator = end - 20;
    if (locator >= 0 && view.getUint32(locator, true) === 0x07064b50) {
      const end64 = Number(view.getBigUint64(locator + 8, true));
      if (view.getUint32(end64, true) !== 0x06064b50) throw new Error(`${this.source}: corrupt zip64 end record`);
      count = Number(view.getBigUint64(end64 + 32, true));
      directory = Number(view.getBigUint64(end64 + 48, true));
    }
    let offset = directory;
    for (let index = 0; index < count; index++) {
      if (offset + 46 > this.bytes.length || view.getUint32(offset, true) !== 0x02014b50) {
        throw new Error(`${this.source}: corrupt central directory at entry ${index}`);
      }
      const method = view.getUint16(offset + 10, true);
      let compressedSize = view.getUint32(offset + 20, true);
      let size = view.getUint32(offset + 24, true);
      const nameLength = view.getUint16(offset + 28, true);
      const extraLength = view.getUint16(offset + 30, true);
      const commentLength = view.getUint16(offset + 32, true);
      let localHeaderOffset = view.getUint32(offset + 42, true);
      const name = new TextDecoder().decode(this.bytes.subarray(offset + 46, offset + 46 + nameLength));
      // zip64 extra field (id 1): the 0xFFFFFFFF fields in order size, compressed size, local header offset.
      let extra = offset + 46 + nameLength;
      const extraEnd = extra + extraLength;
      while (extra + 4 <= extraEnd) {
        const id = view.getUint16(extra, true);
        const length = view.getUint16(extra + 2, true);
        if (id === 1) {
          let field = extra + 4;
          const next = (): number => {
            const value = Number(view.getBigUint64(field, true));
            field += 8;
            return value;
          };
          if (size === 0xffffffff) size = next();
          if (compressedSize === 0xffffffff) compressedSize = next();
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
        }
        extra += 4 + length;
      }
      this.entries.set(name, { name, method, compressedSize, size, localHeaderOffset });
      offset += 46 + nameLength + extraLength + commentLength;
    }
  }
}
