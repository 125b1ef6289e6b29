/** Builds small protocol-2 pickles and stored zips by hand, for reader tests (what torch.save would write). */

export class PickleBuilder {
  private readonly parts: number[] = [0x80, 2];

  private bytes(...values: number[]): this {
    this.parts.push(...values);
    return this;
  }

  global(module: string, name: string): this {
    return this.bytes(0x63, ...new TextEncoder().encode(`${module}\n${name}\n`));
  }

  text(value: string): this {
    const encoded = new TextEncoder().encode(value);
    const length = new Uint8Array(new Uint32Array([encoded.length]).buffer);
    return this.bytes(0x58, ...length, ...encoded);
  }

  int(value: number): this {
    const encoded = new Uint8Array(new Int32Array([value]).buffer);
    return this.bytes(0x4a, ...encoded);
  }

  mark(): this {
    return this.bytes(0x28);
  }

  tuple(): this {
    return this.bytes(0x74);
  }

  emptyTuple(): this {
    return this.bytes(0x29);
  }

  reduce(): this {
    return this.bytes(0x52);
  }

  persistentId(): this {
    return this.bytes(0x51);
  }

  setItem(): this {
    return this.bytes(0x73);
  }

  newFalse(): this {
    return this.bytes(0x89);
  }

  ints(values: readonly number[]): this {
    this.mark();
    for (const value of values) this.int(value);
    return this.tuple();
  }

  stop(): Uint8Array {
    return Uint8Array.from([...this.parts, 0x2e]);
  }

  /** `OrderedDict()` on the stack. */
  orderedDict(): this {
    return this.global('collections', 'OrderedDict').emptyTuple().reduce();
  }

  /** `key: _rebuild_tensor_v2(storage(type, storageKey, numel), offset, shape, stride, False, OrderedDict())`, SETITEM. */
  tensorItem(key: string, storageType: string, storageKey: string, numel: number, offset: number, shape: number[], stride: number[]): this {
    this.text(key).global('torch._utils', '_rebuild_tensor_v2').mark();
    this.mark().text('storage').global('torch', storageType).text(storageKey).text('cpu').int(numel).tuple().persistentId();
    this.int(offset).ints(shape).ints(stride).newFalse().orderedDict().tuple().reduce();
    return this.setItem();
  }
}

/** A zip with stored (uncompressed) entries. */
export function storedZip(entries: [string, Uint8Array][]): Uint8Array {
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const nameBytes = new TextEncoder().encode(name);
    const local = new Uint8Array(30 + nameBytes.length);
    const view = new DataView(local.buffer);
    view.setUint32(0, 0x04034b50, true);
    view.setUint32(18, data.length, true);
    view.setUint32(22, data.length, true);
    view.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    const record = new Uint8Array(46 + nameBytes.length);
    const recordView = new DataView(record.buffer);
    recordView.setUint32(0, 0x02014b50, true);
    recordView.setUint32(20, data.length, true);
    recordView.setUint32(24, data.length, true);
    recordView.setUint16(28, nameBytes.length, true);
    recordView.setUint32(42, offset, true);
    record.set(nameBytes, 46);
    chunks.push(local, data);
    central.push(record);
    offset += local.length + data.length;
  }
  const directorySize = central.reduce((total, record) => total + record.length, 0);
  const end = new Uint8Array(22);
  const endView = new DataView(end.buffer);
  endView.setUint32(0, 0x06054b50, true);
  endView.setUint16(8, entries.length, true);
  endView.setUint16(10, entries.length, true);
  endView.setUint32(12, directorySize, true);
  endView.setUint32(16, offset, true);
  const all = [...chunks, ...central, end];
  const out = new Uint8Array(all.reduce((total, part) => total + part.length, 0));
  let cursor = 0;
  for (const part of all) {
    out.set(part, cursor);
    cursor += part.length;
  }
  return out;
}

/**
 * `torch.save(state_dict)` of float32 tensors as PyTorch's zip format writes it: `archive/data.pkl` (an OrderedDict
 * of `_rebuild_tensor_v2` over one FloatStorage per tensor, C-order strides) and `archive/data/<k>` per storage.
 */
export function stateDictPth(entries: Iterable<readonly [string, { readonly shape: readonly number[]; readonly data: Float32Array }]>): Uint8Array {
  const pickle = new PickleBuilder().orderedDict();
  const files: [string, Uint8Array][] = [];
  for (const [key, { shape, data }] of entries) {
    const strides = shape.map((_, axis) => shape.slice(axis + 1).reduce((a, b) => a * b, 1));
    pickle.tensorItem(key, 'FloatStorage', String(files.length), data.length, 0, [...shape], strides);
    files.push([`archive/data/${files.length}`, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)]);
  }
  return storedZip([['archive/data.pkl', pickle.stop()], ...files]);
}
