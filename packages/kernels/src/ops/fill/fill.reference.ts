/** References of fill and copy: float32 bit patterns, so NaN payloads are compared exactly. */
export function fillReference(count: number, value: number): Float32Array {
  return new Float32Array(count).fill(value);
}

export function bitsOf(value: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value, true);
  return view.getUint32(0, true);
}

export function floatOfBits(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits >>> 0, true);
  return view.getFloat32(0, true);
}
