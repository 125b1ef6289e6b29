import { d } from 'typegpu';
import { FLAT_PARAMS } from '../../runtime/flat.js';
import { paramsStruct } from '../../runtime/params.js';
import { flatKernelWgsl } from '../../wgsl/flat.wgsl.js';

export const FILL_PARAMS = paramsStruct('Params', { count: d.u32, bits: d.u32, start: d.u32 });

// Words are moved as u32 so that every bit pattern, NaN payloads included, arrives unchanged.
// main4: lane v takes words 4v .. 4v+3 through a vec4<u32> view, v < count / 4 (runtime/flat);
// main:  lane takes word i in [start, count) (the tail after main4, or the whole range).
export const FILL_WGSL = /* wgsl */ `
// out: [count] u32 words; out[i] = bits.
override WORKGROUP_SIZE: u32 = 256u;

${FILL_PARAMS.wgsl}

${flatKernelWgsl({
  bindings: [{ name: 'out', type: 'u32', write: true, view4: 'out4' }],
  vector: 'out4[v] = vec4<u32>(params.bits);',
  scalar: 'out[i] = params.bits;',
})}`;

export const COPY_WGSL = /* wgsl */ `
// source: [count] -> destination: [count], bit-exact.
override WORKGROUP_SIZE: u32 = 256u;

${FLAT_PARAMS.wgsl}

${flatKernelWgsl({
  bindings: [
    { name: 'source', type: 'u32', view4: 'source4' },
    { name: 'destination', type: 'u32', write: true, view4: 'destination4' },
  ],
  vector: 'destination4[v] = source4[v];',
  scalar: 'destination[i] = source[i];',
})}`;
