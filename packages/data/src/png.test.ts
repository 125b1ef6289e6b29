import { encode } from 'fast-png';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DataError } from './errors.js';
import { NodeFiles } from './node-files.js';
import { decodePng, encodeGrayPng, inferenceGray, MAX_IMAGE_SIDE, pillowGray, readPngSize } from './png.js';

const SAMPLES = fileURLToPath(new URL('../../../test/fixtures/bdci-samples/', import.meta.url));

function ramp(length: number, step = 37): Uint8Array {
  return Uint8Array.from({ length }, (_, index) => (index * step) % 256);
}

describe('PNG decode and encode', () => {
  it('round-trips 8-bit gray exactly', () => {
    const image = { width: 17, height: 9, data: ramp(17 * 9) };
    for (const compressionLevel of [0, 1, 6] as const) {
      const decoded = decodePng(encodeGrayPng(image, { compressionLevel }), 'gray.png');
      expect(decoded).toMatchObject({ width: 17, height: 9, rgb: null, sourceFormat: 'gray8' });
      expect(decoded.data).toEqual(image.data);
    }
  });

  it('converts RGB and RGBA with Pillow convert("L") weights and keeps the RGB', () => {
    const rgb = ramp(5 * 4 * 3, 53);
    const rgba = new Uint8Array(5 * 4 * 4);
    for (let pixel = 0; pixel < 20; pixel++) {
      rgba.set(rgb.subarray(3 * pixel, 3 * pixel + 3), 4 * pixel);
      rgba[4 * pixel + 3] = pixel * 7;
    }
    const expected = Uint8Array.from({ length: 20 }, (_, pixel) => pillowGray(rgb[3 * pixel]!, rgb[3 * pixel + 1]!, rgb[3 * pixel + 2]!));
    const fromRgb = decodePng(encode({ width: 5, height: 4, data: rgb, channels: 3, depth: 8 }), 'rgb.png');
    const fromRgba = decodePng(encode({ width: 5, height: 4, data: rgba, channels: 4, depth: 8 }), 'rgba.png');
    expect(fromRgb.sourceFormat).toBe('rgb8');
    expect(fromRgba.sourceFormat).toBe('rgba8');
    expect(fromRgb.data).toEqual(expected);
    expect(fromRgba.data).toEqual(expected);
    expect(fromRgb.rgb).toEqual(rgb);
    expect(fromRgba.rgb).toEqual(rgb);
  });

  it("matches Pillow's known values for pure colours", () => {
    // Image.new('RGB', (1, 1), c).convert('L') in Pillow: red 76, green 150, blue 29, white 255.
    expect([pillowGray(255, 0, 0), pillowGray(0, 255, 0), pillowGray(0, 0, 255), pillowGray(255, 255, 255), pillowGray(0, 0, 0)]).toEqual([76, 150, 29, 255, 0]);
  });

  it('decodes 16-bit gray and RGB by keeping the high byte', () => {
    const gray16 = Uint16Array.from({ length: 6 * 3 }, (_, index) => index * 3001);
    const decodedGray = decodePng(encode({ width: 6, height: 3, data: gray16, channels: 1, depth: 16 }), 'g16.png');
    expect(decodedGray.sourceFormat).toBe('gray16');
    expect([...decodedGray.data]).toEqual([...gray16].map((value) => value >> 8));
    const rgb16 = Uint16Array.from({ length: 4 * 2 * 3 }, (_, index) => (index * 9973) % 65536);
    const decodedRgb = decodePng(encode({ width: 4, height: 2, data: rgb16, channels: 3, depth: 16 }), 'rgb16.png');
    expect([...decodedRgb.rgb!]).toEqual([...rgb16].map((value) => value >> 8));
  });

  it('decodes gray+alpha (alpha dropped) and low bit depths scaled to 0..255', () => {
    const grayAlpha = Uint8Array.from([10, 255, 200, 0, 77, 128]);
    expect([...decodePng(encode({ width: 3, height: 1, data: grayAlpha, channels: 2, depth: 8 }), 'ga.png').data]).toEqual([10, 200, 77]);
    // 1-bit gray, 10 px wide (rows are padded to whole bytes): 1011001110 → 255/0.
    const bits = Uint8Array.from([0b10110011, 0b10000000]);
    const oneBit = decodePng(encode({ width: 10, height: 1, data: bits, channels: 1, depth: 1 }), 'g1.png');
    expect([...oneBit.data]).toEqual([1, 0, 1, 1, 0, 0, 1, 1, 1, 0].map((bit) => bit * 255));
    const fourBit = decodePng(encode({ width: 3, height: 1, data: Uint8Array.from([0x0f, 0x80]), channels: 1, depth: 4 }), 'g4.png');
    expect([...fourBit.data]).toEqual([0, 255, 136]);
  });

  it('decodes palette images (8-bit and packed 2-bit) through their palette', () => {
    const palette = [
      [255, 0, 0],
      [0, 128, 255],
      [10, 10, 10],
      [200, 200, 0],
    ];
    const indexes = Uint8Array.from([0, 1, 2, 3, 3, 2]);
    const eight = decodePng(encode({ width: 3, height: 2, data: indexes, channels: 1, depth: 8, palette }), 'p8.png');
    expect(eight.sourceFormat).toBe('palette8');
    const expectedRgb = [...indexes].flatMap((index) => palette[index]!);
    expect([...eight.rgb!]).toEqual(expectedRgb);
    expect([...eight.data]).toEqual([...indexes].map((index) => pillowGray(...(palette[index] as [number, number, number]))));
    // 2 bits per index, 3 px per row → one byte per row: indexes in the top 6 bits.
    const packed = Uint8Array.from([(0 << 6) | (1 << 4) | (2 << 2), (3 << 6) | (3 << 4) | (2 << 2)]);
    const two = decodePng(encode({ width: 3, height: 2, data: packed, channels: 1, depth: 2, palette }), 'p2.png');
    expect(two.sourceFormat).toBe('palette2');
    expect([...two.rgb!]).toEqual(expectedRgb);
  });

  it('decodes interlaced files', () => {
    const image = { width: 13, height: 11, data: ramp(13 * 11, 11) };
    const interlaced = encode({ ...image, channels: 1, depth: 8 }, { interlace: 'Adam7' });
    expect(decodePng(interlaced, 'adam7.png').data).toEqual(image.data);
  });

  it('refuses non-PNG, truncated and corrupt files, naming the file', () => {
    const good = encodeGrayPng({ width: 20, height: 20, data: ramp(400) });
    expect(() => decodePng(new TextEncoder().encode('not a png at all, really not'), 'a/text.png')).toThrow(/a\/text\.png: not a PNG/);
    expect(() => decodePng(good.slice(0, good.length - 30), 'a/cut.png')).toThrow(/a\/cut\.png: corrupt PNG/);
    const flipped = good.slice();
    flipped[60] = (flipped[60]! ^ 0xff) & 0xff;
    expect(() => decodePng(flipped, 'a/flipped.png')).toThrow(DataError);
    expect(() => decodePng(flipped, 'a/flipped.png')).toThrow(/a\/flipped\.png: corrupt PNG/);
  });

  it(`refuses images over ${MAX_IMAGE_SIDE} px before decoding`, () => {
    const header = encodeGrayPng({ width: 1, height: 1, data: new Uint8Array(1) });
    const huge = header.slice();
    new DataView(huge.buffer).setUint32(16, MAX_IMAGE_SIDE + 1);
    expect(() => readPngSize(huge, 'big.png')).toThrow(/big\.png: image is 8193x1; images over 8192 px/);
    expect(() => decodePng(huge, 'big.png')).toThrow(/over 8192 px/);
    const tall = header.slice();
    new DataView(tall.buffer).setUint32(20, 100_000);
    expect(() => decodePng(tall, 'tall.png')).toThrow(/1x100000/);
    const edge = { width: MAX_IMAGE_SIDE, height: 1, data: new Uint8Array(MAX_IMAGE_SIDE) };
    expect(decodePng(encodeGrayPng(edge), 'edge.png').width).toBe(MAX_IMAGE_SIDE);
  });

  it('reads the real sample images: RGB with R = G = B, so gray equals each channel', async () => {
    const files = new NodeFiles(SAMPLES);
    const image = decodePng(await files.read('train_data/img/1.png'), 'train_data/img/1.png');
    expect(image).toMatchObject({ width: 454, height: 307, sourceFormat: 'rgb8' });
    const rgb = image.rgb!;
    let mismatches = 0;
    for (let pixel = 0; pixel < image.data.length; pixel++) {
      const red = rgb[3 * pixel];
      if (red !== rgb[3 * pixel + 1] || red !== rgb[3 * pixel + 2] || image.data[pixel] !== red) mismatches++;
    }
    expect(mismatches).toBe(0);
    // The infer path's float conversion: weights sum to 0.9999, so gray ≈ 0.9999 · channel.
    const float = inferenceGray(rgb);
    expect(float[1000]).toBeCloseTo(0.9999 * rgb[3000]!, 4);
  });
});
