import { describe, expect, it } from 'vitest';
import { registerCases } from '../testing/vitest.js';
import { bindingsWgsl, output } from './bindings.wgsl.js';
import { wgslLibraryCases } from './wgsl.cases.js';

describe('bindingsWgsl', () => {
  it('numbers the storage bindings from 1 after the uniform, with vec4 views of the element type at their binding', () => {
    const bits = { name: 'bits', type: 'u32', view4: 'bits4' };
    expect(bindingsWgsl([{ name: 'x', view4: 'x4' }, 'mean', { name: 'partial', type: 'vec2<f32>', write: true }, output('y', 'y4'), bits], 'p')).toBe(
      [
        '@group(0) @binding(0) var<uniform> p: Params;',
        '@group(0) @binding(1) var<storage, read> x: array<f32>;',
        '@group(0) @binding(2) var<storage, read> mean: array<f32>;',
        '@group(0) @binding(3) var<storage, read_write> partial: array<vec2<f32>>;',
        '@group(0) @binding(4) var<storage, read_write> y: array<f32>;',
        '@group(0) @binding(5) var<storage, read> bits: array<u32>;',
        '@group(0) @binding(1) var<storage, read> x4: array<vec4<f32>>;',
        '@group(0) @binding(4) var<storage, read_write> y4: array<vec4<f32>>;',
        '@group(0) @binding(5) var<storage, read> bits4: array<vec4<u32>>;',
        '',
      ].join('\n'),
    );
  });
});

registerCases(wgslLibraryCases);
