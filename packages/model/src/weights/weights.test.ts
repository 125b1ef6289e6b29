import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PickleBuilder, storedZip } from '../testing/pth-writer.js';
import { PickleSecurityError } from './pickle.js';
import { readPth } from './pth.js';
import { readSafetensors, readWeights, writeSafetensors } from './safetensors.js';

const fixtures = new URL('../../../../test/fixtures/', import.meta.url);
const read = (path: string): Uint8Array => new Uint8Array(readFileSync(new URL(path, fixtures)));

describe('.pth reader', () => {
  it('reads the original model.pth: every key of state_dict.json, in order, with its shape', async () => {
    const weights = await readPth(read('linknet-b0/model.pth'), 'model.pth');
    const expected = JSON.parse(new TextDecoder().decode(read('linknet-b0/state_dict.json'))) as [string, number[], string][];
    expect([...weights.keys()]).toEqual(expected.map(([key]) => key));
    for (const [key, shape] of expected) expect(weights.get(key)!.shape).toEqual(shape);
    expect([...weights.get('encoder._bn0.num_batches_tracked')!.data]).toEqual([3]);
    expect(weights.get('encoder._bn0.num_batches_tracked')!.storedAs).toBe('LongStorage');
    // BN randomisation of the fixture: running_var = U[0,1) + 0.5, weight = U[0,1)·0.4 + 0.8.
    const runningVar = weights.get('encoder._bn0.running_var')!.data;
    expect(Math.min(...runningVar)).toBeGreaterThanOrEqual(0.5);
    expect(Math.max(...runningVar)).toBeLessThan(1.5);
  });

  it('refuses a pickle that calls os.system, naming the global, without running it', async () => {
    const evil = new PickleBuilder().global('os', 'system').mark().text('touch /tmp/ulseg-pwned').tuple().reduce().stop();
    const file = storedZip([['evil/data.pkl', evil], ['evil/version', new TextEncoder().encode('3\n')]]);
    await expect(readPth(file, 'evil.pth')).rejects.toThrow(PickleSecurityError);
    await expect(readPth(file, 'evil.pth')).rejects.toThrow(/evil.pth: refusing to load global 'os.system'.*it was not run/);
  });

  it('reads float16 and bfloat16 storages, non-contiguous strides and storages shared by two tensors', async () => {
    const half = new Uint16Array([0x3c00, 0xc000, 0x3800, 0x7bff]); // 1, -2, 0.5, 65504
    const bf16 = new Uint16Array([0x3f80, 0x4049, 0xbf00]); // 1, 3.140625, -0.5
    const floats = new Float32Array([0, 1, 2, 3, 4, 5]);
    const pickle = new PickleBuilder()
      .orderedDict()
      .tensorItem('half', 'HalfStorage', '0', 4, 0, [4], [1])
      .tensorItem('bf16', 'BFloat16Storage', '1', 3, 0, [3], [1])
      .tensorItem('transposed', 'FloatStorage', '2', 6, 0, [3, 2], [1, 3]) // a [2, 3] tensor's transpose
      .tensorItem('tail', 'FloatStorage', '2', 6, 4, [2], [1]) // shares storage 2 from element 4
      .stop();
    const file = storedZip([
      ['archive/data.pkl', pickle],
      ['archive/data/0', new Uint8Array(half.buffer)],
      ['archive/data/1', new Uint8Array(bf16.buffer)],
      ['archive/data/2', new Uint8Array(floats.buffer)],
    ]);
    const weights = await readPth(file, 'handmade.pth');
    expect([...weights.get('half')!.data]).toEqual([1, -2, 0.5, 65504]);
    expect([...weights.get('bf16')!.data]).toEqual([1, 3.140625, -0.5]);
    expect(weights.get('transposed')!.shape).toEqual([3, 2]);
    expect([...weights.get('transposed')!.data]).toEqual([0, 3, 1, 4, 2, 5]);
    expect([...weights.get('tail')!.data]).toEqual([4, 5]);
  });

  it('names the file and the problem for a file that is not a state_dict', async () => {
    await expect(readPth(new Uint8Array([1, 2, 3, 4, 5]), 'notes.txt')).rejects.toThrow(/notes.txt: not a zip-format PyTorch file/);
    const truncated = read('linknet-b0/model.pth').subarray(0, 5000);
    await expect(readPth(truncated, 'cut.pth')).rejects.toThrow(/cut.pth/);
  });
});

describe('safetensors', () => {
  it('reads the fixtures (F32 with metadata) and round-trips what it writes', () => {
    const { weights, metadata } = readSafetensors(read('b6/block-31/block.safetensors'), 'block.safetensors');
    expect(weights.size).toBe(22);
    expect(weights.get('_depthwise_conv.weight')!.shape).toEqual([1200, 1, 5, 5]);
    expect(Object.keys(metadata).length).toBeGreaterThan(0);
    const written = writeSafetensors(weights, { architecture: 'test' });
    const again = readSafetensors(written, 'again.safetensors');
    expect([...again.weights.keys()]).toEqual([...weights.keys()]);
    expect(again.metadata).toEqual({ architecture: 'test' });
    expect(again.weights.get('_bn1.running_var')!.data).toEqual(weights.get('_bn1.running_var')!.data);
    expect((new DataView(written.buffer).getUint32(0, true) + 8) % 8).toBe(0);
  });

  it('rejects bad offsets, gaps and trailing bytes by name', () => {
    const good = writeSafetensors([['a', { shape: [2], data: Float32Array.from([1, 2]) }]]);
    const withTrailing = new Uint8Array([...good, 0, 0, 0, 0]);
    expect(() => readSafetensors(withTrailing, 'x.safetensors')).toThrow(/x.safetensors: 4 trailing bytes/);
    const header = '{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}';
    const bad = new Uint8Array(8 + header.length + 8);
    new DataView(bad.buffer).setBigUint64(0, BigInt(header.length), true);
    bad.set(new TextEncoder().encode(header), 8);
    expect(() => readSafetensors(bad, 'y.safetensors')).toThrow(/y.safetensors: tensor 'a' \(F32 \[3\]\) has bad data_offsets/);
  });

  it('names a truncated file as truncated', () => {
    const whole = writeSafetensors([['a', { shape: [3], data: Float32Array.of(1, 2, 3) }], ['b', { shape: [5], data: new Float32Array(5) }]]);
    expect(() => readSafetensors(whole.subarray(0, whole.length - 8), 'cut.safetensors')).toThrow(
      /^cut\.safetensors: truncated: tensor 'b' ends at byte 32 of the data, but the file holds only 24 bytes of data/,
    );
  });

  it('readWeights refuses NaN and infinite values, naming the first tensor that holds one', async () => {
    const bad = writeSafetensors([
      ['fine', { shape: [2], data: Float32Array.of(1, -2) }],
      ['broken', { shape: [2, 2], data: Float32Array.of(0.5, Number.POSITIVE_INFINITY, Number.NaN, 1) }],
    ]);
    await expect(readWeights(bad, 'bad.safetensors')).rejects.toThrow(
      "bad.safetensors: tensor 'broken' [2,2] holds 2 non-finite value(s) (first: Infinity at index 1): these weights are broken",
    );
  });

  it('reports a tensor storage it does not read as such, not as a security refusal', async () => {
    const complex = new PickleBuilder().global('torch', 'ComplexFloatStorage').stop();
    const file = storedZip([['c/data.pkl', complex], ['c/version', new TextEncoder().encode('3\n')]]);
    await expect(readPth(file, 'c.pth')).rejects.toThrow(/^c\.pth: holds tensors of type torch\.ComplexFloatStorage, which ulseg does not read/);
    await expect(readPth(file, 'c.pth')).rejects.not.toThrow(PickleSecurityError);
  });

  it("readWeights leaves a training checkpoint's optimiser state out (a last.safetensors loads as its best one)", async () => {
    const weight = { shape: [2, 3], data: Float32Array.from([1, -2, 3, 0.5, 4, -1]) };
    const bytes = writeSafetensors([['encoder.conv.weight', weight], ['optimizer.exp_avg.encoder.conv.weight', weight], ['optimizer.exp_avg_sq.encoder.conv.weight', weight]], { format: 'ulseg-train' });
    const { weights, metadata } = await readWeights(bytes, 'last.safetensors');
    expect([...weights.keys()]).toEqual(['encoder.conv.weight']);
    expect(weights.get('encoder.conv.weight')!.data).toEqual(weight.data);
    expect(metadata['format']).toBe('ulseg-train');
    const kept = await readWeights(bytes, 'last.safetensors', { keepOptimizerState: true });
    expect([...kept.weights.keys()]).toEqual(['encoder.conv.weight', 'optimizer.exp_avg.encoder.conv.weight', 'optimizer.exp_avg_sq.encoder.conv.weight']);
  });

  it('readWeights tells the formats apart by content', async () => {
    expect((await readWeights(read('linknet-b0/model.pth'), 'model.pth')).weights.size).toBe(455);
    expect((await readWeights(read('linknet-b0/grads.safetensors'), 'grads.safetensors')).weights.size).toBe(260);
    await expect(readWeights(new Uint8Array(64), 'zeros.bin')).rejects.toThrow(/zeros.bin: neither a safetensors file nor a PyTorch .pth/);
  });
});
