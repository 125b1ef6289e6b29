/**
 * Reads a PyTorch `torch.save(state_dict)` file (the zip format of torch ≥ 1.6) without running any of it: a zip
 * holding `<name>/data.pkl` (a protocol-2 pickle) and `<name>/data/<key>` raw little-endian storages. The pickle may
 * name only the globals a state_dict needs (see ALLOWED_GLOBALS); everything else is refused.
 */
import { unpickle, type PickleGlobal } from './pickle.js';
import { bfloat16ToNumber, halfToNumber } from '@ulseg/base';
import type { WeightMap } from './state-dict.js';
import { ZipArchive } from './zip.js';

const STORAGE_TYPES: Record<string, { bytes: number; read: (view: DataView, offset: number) => number }> = {
  FloatStorage: { bytes: 4, read: (view, offset) => view.getFloat32(offset, true) },
  DoubleStorage: { bytes: 8, read: (view, offset) => view.getFloat64(offset, true) },
  HalfStorage: { bytes: 2, read: (view, offset) => halfToNumber(view.getUint16(offset, true)) },
  BFloat16Storage: { bytes: 2, read: (view, offset) => bfloat16ToNumber(view.getUint16(offset, true)) },
  LongStorage: { bytes: 8, read: (view, offset) => Number(view.getBigInt64(offset, true)) },
  IntStorage: { bytes: 4, read: (view, offset) => view.getInt32(offset, true) },
  ShortStorage: { bytes: 2, read: (view, offset) => view.getInt16(offset, true) },
  CharStorage: { bytes: 1, read: (view, offset) => view.getInt8(offset) },
  ByteStorage: { bytes: 1, read: (view, offset) => view.getUint8(offset) },
  BoolStorage: { bytes: 1, read: (view, offset) => view.getUint8(offset) },
};

export const ALLOWED_GLOBALS: ReadonlySet<string> = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  ...Object.keys(STORAGE_TYPES).map((name) => `torch.${name}`),
]);

interface StorageRef {
  kind: 'storage';
  type: string;
  key: string;
  numel: number;
}

interface TensorRecord {
  kind: 'tensor';
  storage: StorageRef;
  offset: number;
  shape: number[];
  stride: number[];
}

export function isPthFile(bytes: Uint8Array): boolean {
  return bytes.length > 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** Parses a `.pth` state_dict into float32 weights keyed by name, in the file's order. */
export async function readPth(bytes: Uint8Array, source = 'state_dict.pth'): Promise<WeightMap> {
  if (!isPthFile(bytes)) {
    throw new Error(
      `${source}: not a zip-format PyTorch file. Re-save it with torch ≥ 1.6 (torch.save(model.state_dict(), path)); ` +
        'the legacy pre-1.6 format is not supported.',
    );
  }
  const archive = new ZipArchive(bytes, source);
  const pickleName = [...archive.entries.keys()].find((name) => name.endsWith('/data.pkl') || name === 'data.pkl');
  if (!pickleName) throw new Error(`${source}: no data.pkl inside; is this a torch.save file?`);
  const prefix = pickleName.slice(0, -'data.pkl'.length);
  const byteOrder = archive.entries.has(`${prefix}byteorder`) ? new TextDecoder().decode(archive.read(`${prefix}byteorder`)) : 'little';
  if (byteOrder.trim() !== 'little') throw new Error(`${source}: big-endian storages are not supported`);
  const root = unpickle(await archive.readAsync(pickleName), {
    source,
    allowedGlobals: ALLOWED_GLOBALS,
    persistentLoad: (id) => storageRef(id, source),
    reduce: (callable, args) => reduce(callable, args, source),
    build: (target, state) => {
      // OrderedDict state carries `_metadata` (module versions): accepted and ignored.
      if (!(target instanceof Map)) throw new Error(`${source}: BUILD on an unexpected object`);
      void state;
    },
  });
  if (!(root instanceof Map)) throw new Error(`${source}: the pickle holds no dict of tensors (a whole pickled model is not supported; save model.state_dict())`);
  const storages = new Map<string, Uint8Array>();
  const weights: WeightMap = new Map();
  for (const [key, value] of root) {
    if (typeof key !== 'string') throw new Error(`${source}: a state_dict key is not a string`);
    const record = value as TensorRecord;
    if (record?.kind !== 'tensor') throw new Error(`${source}: entry '${key}' is not a tensor`);
    let storage = storages.get(record.storage.key);
    if (!storage) {
      storage = await archive.readAsync(`${prefix}data/${record.storage.key}`);
      storages.set(record.storage.key, storage);
    }
    weights.set(key, { shape: record.shape, data: materialise(record, storage, `${source}: '${key}'`), storedAs: record.storage.type });
  }
  return weights;
}

function storageRef(id: unknown, source: string): StorageRef {
  if (!Array.isArray(id) || id[0] !== 'storage' || id.length < 5) throw new Error(`${source}: unexpected persistent id ${JSON.stringify(id)}`);
  const type = id[1] as PickleGlobal;
  if (type?.kind !== 'global' || !(type.name in STORAGE_TYPES)) throw new Error(`${source}: unsupported storage type`);
  return { kind: 'storage', type: type.name, key: String(id[2]), numel: Number(id[4]) };
}

function reduce(callable: PickleGlobal, args: unknown[], source: string): unknown {
  const name = `${callable.module}.${callable.name}`;
  if (name === 'collections.OrderedDict') return new Map();
  if (name === 'torch._utils._rebuild_parameter') return args[0];
  if (name === 'torch._utils._rebuild_tensor_v2') {
    const [storage, offset, shape, stride] = args as [StorageRef, number, number[], number[]];
    if (storage?.kind !== 'storage') throw new Error(`${source}: _rebuild_tensor_v2 without a storage`);
    return { kind: 'tensor', storage, offset, shape: [...shape], stride: [...stride] } satisfies TensorRecord;
  }
  throw new Error(`${source}: '${name}' cannot be called`);
}

/** Gathers a (possibly strided, possibly shared) view of a storage into a contiguous float32 array. */
function materialise(record: TensorRecord, storage: Uint8Array, label: string): Float32Array {
  const type = STORAGE_TYPES[record.storage.type]!;
  const view = new DataView(storage.buffer, storage.byteOffset, storage.byteLength);
  const count = record.shape.reduce((product, size) => product * size, 1);
  let last = record.offset;
  record.shape.forEach((size, axis) => (last += (size - 1) * record.stride[axis]!));
  if (count > 0 && (last + 1) * type.bytes > storage.byteLength) {
    throw new Error(`${label}: the tensor reaches past its storage (${storage.byteLength} bytes)`);
  }
  const out = new Float32Array(count);
  const index = new Array<number>(record.shape.length).fill(0);
  for (let flat = 0; flat < count; flat++) {
    let element = record.offset;
    for (let axis = 0; axis < index.length; axis++) element += index[axis]! * record.stride[axis]!;
    out[flat] = type.read(view, element * type.bytes);
    for (let axis = index.length - 1; axis >= 0; axis--) {
      if (++index[axis]! < record.shape[axis]!) break;
      index[axis] = 0;
    }
  }
  return out;
}
