import tgpu, { d } from 'typegpu';
import { describe, expect, it } from 'vitest';
import { paramsStruct } from './params.js';

describe.each([
  ['compiled', true],
  ['interpreted', false],
])('paramsStruct, %s writer', (_, compile) => {
  // Uniform layout by hand: count @0, scale @4, pair (vec2u, align 8) @8, eps @16, table (array<vec4u, 2>,
  // align 16) @32..64, bias (vec4f) @64..80, last @80; size 84 rounded to the struct's 16-byte alignment = 96.
  const Params = paramsStruct('Params', {
    count: d.u32,
    scale: d.f32,
    pair: d.vec2u,
    eps: d.f32,
    table: d.arrayOf(d.vec4u, 2),
    bias: d.vec4f,
    last: d.i32,
  }, { compile });

  it('prints the WGSL declaration from the schema, as TypeGPU resolves it', () => {
    expect(Params.wgsl).toBe(
      'struct Params {\n  count: u32,\n  scale: f32,\n  pair: vec2u,\n  eps: f32,\n  table: array<vec4u, 2>,\n  bias: vec4f,\n  last: i32,\n}',
    );
    expect(Params.wgsl).toBe(tgpu.resolve([Params.schema]));
  });

  it('places fields at WGSL uniform offsets, pads arrays with zeros and the buffer to 16 bytes', () => {
    expect(Params.offsets).toEqual({ count: 0, scale: 4, pair: 8, eps: 16, table: 32, bias: 64, last: 80 });
    expect(Params.size).toBe(96);
    const bytes = Params.write({ count: 0xffff_fffe, scale: 0.5, pair: [3, 4], eps: 1e-5, table: [1, 2, 3, 4, 5], bias: [-1, 2, 0.25, 8], last: -7 });
    expect(bytes.byteLength).toBe(96);
    const view = new DataView(bytes);
    expect(view.getUint32(0, true)).toBe(0xffff_fffe);
    expect(view.getFloat32(4, true)).toBe(0.5);
    expect([view.getUint32(8, true), view.getUint32(12, true)]).toEqual([3, 4]);
    expect(view.getFloat32(16, true)).toBe(Math.fround(1e-5));
    expect(view.getUint32(20, true) + view.getUint32(24, true) + view.getUint32(28, true)).toBe(0);
    expect(Array.from(new Uint32Array(bytes, 32, 8))).toEqual([1, 2, 3, 4, 5, 0, 0, 0]);
    expect(Array.from(new Float32Array(bytes, 64, 4))).toEqual([-1, 2, 0.25, 8]);
    expect(view.getInt32(80, true)).toBe(-7);
  });

  it('rounds a scalar-only struct to 16 bytes of buffer', () => {
    const Small = paramsStruct('Small', { a: d.u32, b: d.f32, c: d.u32 }, { compile });
    expect(Small.size).toBe(12);
    expect(Small.wgsl).toBe('struct Small {\n  a: u32,\n  b: f32,\n  c: u32,\n}');
    expect(Small.wgsl).toBe(tgpu.resolve([Small.schema]));
    expect(Array.from(new Uint32Array(Small.write({ a: 1, b: 0, c: 3 })))).toEqual([1, 0, 3, 0]);
  });

  it('throws on a missing field, a wrong vector length or an array over capacity', () => {
    const Small = paramsStruct('Small', { a: d.u32, v: d.vec2f, t: d.arrayOf(d.vec4u, 1) }, { compile });
    // @ts-expect-error: 'v' is missing (the type system catches it; the runtime check is for untyped callers).
    expect(() => Small.write({ a: 1, t: [] })).toThrow("Small: no value for field 'v'");
    expect(() => Small.write({ a: 1, v: [1], t: [] })).toThrow('Small.v: 1 values for 2 lanes');
    expect(() => Small.write({ a: 1, v: [1, 2], t: [1, 2, 3, 4, 5] })).toThrow('Small.t: 5 values for at most 4 lanes');
    // @ts-expect-error: a list for a scalar.
    expect(() => Small.write({ a: [1], v: [1, 2], t: [] })).toThrow('Small.a: expected a number');
  });

  it('refuses arrays with a stride the uniform address space does not allow', () => {
    expect(() => paramsStruct('Bad', { t: d.arrayOf(d.u32, 4) as never }, { compile })).toThrow('array elements must be vec4');
  });
});
