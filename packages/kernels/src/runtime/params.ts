/**
 * A kernel's uniform parameter struct, declared once as a TypeGPU data schema (`d.struct`): the WGSL
 * `struct Params { … }` text and the byte layout the launcher writes both come from it. The text is printed from the
 * schema's type names here (the test checks it equals `tgpu.resolve`'s): the resolver would put ~200 kB of
 * minified code into every bundle that embeds the kernels, the data schemas alone ~80 kB.
 *
 * Layout (WGSL uniform address space, as TypeGPU computes it): a scalar (u32, i32, f32) takes 4 bytes at 4-byte
 * alignment; vec2 8 bytes at 8; vec4 16 bytes at 16; `array<vec4<T>, n>` 16·n bytes at 16. The struct's size is
 * rounded up to its largest member alignment, and the written buffer to a multiple of 16 bytes (zero filled).
 * Values: a number for a scalar; a flat list of numbers for a vector (exactly its lanes) or an array of vec4
 * (at most 4·n numbers, the rest zero).
 */
import { d } from 'typegpu';

type Scalar = d.U32 | d.I32 | d.F32;
type Vector = d.Vec2u | d.Vec2i | d.Vec2f | d.Vec4u | d.Vec4i | d.Vec4f;
type Vec4Array = d.WgslArray<d.Vec4u> | d.WgslArray<d.Vec4i> | d.WgslArray<d.Vec4f>;

/** The field schemas a parameter struct may hold. */
export type ParamsField = Scalar | Vector | Vec4Array;
export type ParamsFields = Record<string, ParamsField>;

/** The values `write` takes: one per field, typed from its schema. */
export type ParamsValues<T extends ParamsFields> = {
  readonly [K in keyof T]: T[K] extends Scalar ? number : readonly number[];
};

export interface ParamsStruct<T extends ParamsFields> {
  readonly name: string;
  readonly schema: d.WgslStruct<T>;
  /** `struct <name> { … }`, one field a line in declaration order, as `tgpu.resolve` prints the schema. */
  readonly wgsl: string;
  /** The struct's byte size (TypeGPU's `d.sizeOf`). */
  readonly size: number;
  /** Byte offset of each field. */
  readonly offsets: { readonly [K in keyof T]: number };
  /**
   * The struct's bytes for `values` (a fresh buffer, `size` rounded up to 16); throws on a missing field. Written by
   * code specialised to the struct (named reads, constant offsets) unless `compile: false` or the page forbids it.
   */
  write(values: ParamsValues<T>): ArrayBuffer;
}

/** A parameter struct with at least the fields of `T` (a WGSL generator's requirement; the kernel may add more). */
export interface ParamsWith<T extends ParamsFields> {
  readonly wgsl: string;
  readonly offsets: { readonly [K in keyof T]: number };
}

const U32 = 0;
const I32 = 1;
const F32 = 2;
type Kind = typeof U32 | typeof I32 | typeof F32;

interface Slot {
  readonly key: string;
  readonly offset: number;
  readonly kind: Kind;
  /** 0 for a scalar; otherwise the number of 4-byte lanes. */
  readonly lanes: number;
  /** Vectors need exactly `lanes` values; vec4 arrays take up to `lanes` (zero padded). */
  readonly exact: boolean;
}

function scalarKind(type: string, where: string): Kind {
  if (type === 'u32') return U32;
  if (type === 'i32') return I32;
  if (type === 'f32') return F32;
  throw new Error(`paramsStruct ${where}: unsupported type ${type}`);
}

const VECTOR_LANES: Record<string, [number, string]> = {
  vec2u: [2, 'u32'],
  vec2i: [2, 'i32'],
  vec2f: [2, 'f32'],
  vec4u: [4, 'u32'],
  vec4i: [4, 'i32'],
  vec4f: [4, 'f32'],
};

function slotOf(schema: d.WgslStruct, key: string, field: ParamsField, where: string): Slot {
  const offset = d.memoryLayoutOf(schema, (proxy) => (proxy as Record<string, unknown>)[key]).offset;
  if (field.type === 'array') {
    const element = VECTOR_LANES[field.elementType.type];
    if (!element || element[0] !== 4) {
      throw new Error(`paramsStruct ${where}: array elements must be vec4 (uniform arrays have a 16-byte stride)`);
    }
    return { key, offset, kind: scalarKind(element[1], where), lanes: 4 * field.elementCount, exact: false };
  }
  const vector = VECTOR_LANES[field.type];
  if (vector) return { key, offset, kind: scalarKind(vector[1], where), lanes: vector[0], exact: true };
  return { key, offset, kind: scalarKind(field.type, where), lanes: 0, exact: true };
}

function writeScalar(view: DataView, offset: number, kind: Kind, value: number): void {
  if (kind === F32) view.setFloat32(offset, value, true);
  else if (kind === U32) view.setUint32(offset, value >>> 0, true);
  else view.setInt32(offset, value | 0, true);
}

function writeSlot(name: string, view: DataView, slot: Slot, value: number | readonly number[] | undefined): void {
  if (value === undefined) throw new Error(`${name}: no value for field '${slot.key}'`);
  if (slot.lanes === 0) {
    if (typeof value !== 'number') throw new Error(`${name}.${slot.key}: expected a number`);
    writeScalar(view, slot.offset, slot.kind, value);
    return;
  }
  if (typeof value === 'number') throw new Error(`${name}.${slot.key}: expected a list of numbers`);
  if (value.length > slot.lanes || (slot.exact && value.length !== slot.lanes)) {
    throw new Error(`${name}.${slot.key}: ${value.length} values for ${slot.exact ? '' : 'at most '}${slot.lanes} lanes`);
  }
  for (let lane = 0; lane < value.length; lane++) writeScalar(view, slot.offset + 4 * lane, slot.kind, value[lane]!);
}

const SETTERS = ['setUint32', 'setInt32', 'setFloat32'] as const;

/**
 * A writer specialised to the struct: each scalar read by its name and stored at its offset, the rest (and every
 * problem) through writeSlot. Undefined where the page's policy forbids compiling code (CSP without 'unsafe-eval').
 */
function compileWriter(name: string, slots: readonly Slot[], bytes: number): ((values: object) => ArrayBuffer) | undefined {
  const lines = slots.map((slot, index) => {
    const read = `values[${JSON.stringify(slot.key)}]`;
    if (slot.lanes > 0) return `writeSlot(name, view, slots[${index}], ${read});`;
    const convert = slot.kind === U32 ? ' >>> 0' : slot.kind === I32 ? ' | 0' : '';
    return `v = ${read}; if (typeof v !== 'number') writeSlot(name, view, slots[${index}], v); else view.${SETTERS[slot.kind]}(${slot.offset}, v${convert}, true);`;
  });
  const body = `const buffer = new ArrayBuffer(${bytes}); const view = new DataView(buffer); let v;\n${lines.join('\n')}\nreturn buffer;`;
  try {
    const make = new Function('name', 'slots', 'writeSlot', `return (values) => {\n${body}\n};`) as (
      name: string,
      slots: readonly Slot[],
      write: typeof writeSlot,
    ) => (values: object) => ArrayBuffer;
    return make(name, slots, writeSlot);
  } catch {
    return undefined;
  }
}

function wgslType(field: ParamsField): string {
  return field.type === 'array' ? `array<${field.elementType.type}, ${field.elementCount}>` : field.type;
}

/**
 * Declares a uniform struct named `name` (the WGSL identifier) with `fields` in declaration order. `compile: false`
 * writes through the generic loop (what a page whose policy forbids compiling code gets).
 */
export function paramsStruct<T extends ParamsFields>(name: string, fields: T, { compile = true }: { compile?: boolean } = {}): ParamsStruct<T> {
  const schema = d.struct(fields).$name(name);
  const keys = Object.keys(fields);
  const wgsl = `struct ${name} {\n${keys.map((key) => `  ${key}: ${wgslType(fields[key]!)},\n`).join('')}}`;
  const size = d.sizeOf(schema);
  const bufferBytes = Math.ceil(size / 16) * 16;
  const slots = keys.map((key) => slotOf(schema, key, fields[key]!, `${name}.${key}`));
  const offsets = Object.fromEntries(slots.map((slot) => [slot.key, slot.offset])) as { [K in keyof T]: number };

  function interpret(values: ParamsValues<T>): ArrayBuffer {
    const bytes = new ArrayBuffer(bufferBytes);
    const view = new DataView(bytes);
    const record = values as Record<string, number | readonly number[] | undefined>;
    for (let index = 0; index < slots.length; index++) writeSlot(name, view, slots[index]!, record[slots[index]!.key]);
    return bytes;
  }
  const write = (compile ? compileWriter(name, slots, bufferBytes) : undefined) ?? interpret;

  return { name, schema, wgsl, size, offsets, write };
}
