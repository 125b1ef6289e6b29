/**
 * --network / --backbone as a user meets them (a private bundle of the CLI, lavapipe): listed in --help, unknown
 * names refused clearly, a one-epoch `ulseg train --network unet --backbone resnet18` at 64 px on a few phantoms whose
 * checkpoint records network, backbone and attention, then `ulseg infer` on it, and infer/forward refusing a
 * checkpoint whose network or backbone differs from the flag, naming both; export-onnx writes it; then one epoch, infer,
 * convert and export-onnx of each other network on ResNet-18 at the smallest size it allows (64 px; PAN 128 px).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectOnnx, readSafetensors } from '@ulseg/model';
import { stateDictPth } from '@ulseg/model/testing';
import { type CliResult, type PrivateCli, privateCli } from './private-cli.js';

let cli: PrivateCli;
let scratch = '';
const at = (...parts: string[]): string => join(scratch, ...parts);
const ulseg = (...args: string[]): Promise<CliResult> => cli.run(args, { cwd: scratch });
const failureOf = (result: CliResult): string =>
  result.stderr
    .split('\n')
    .filter((line) => line.startsWith('ulseg:') || line.startsWith('error:'))
    .join('\n');

let synthesised: Promise<void> | undefined;
/** Six training and two test phantoms in two folds, made once for every test that needs them. */
function phantoms(): Promise<void> {
  synthesised ??= ulseg('synth', '--out', at('phantoms'), '--count', '6', '--test-count', '2', '--seed', '3', '--folds', '2').then((synth) => {
    expect(synth.code, synth.stderr).toBe(0);
  });
  return synthesised;
}

beforeAll(async () => {
  cli = await privateCli('networks');
  scratch = mkdtempSync(join(tmpdir(), 'ulseg-networks-cli-'));
}, 120_000);

afterAll(() => {
  cli?.dispose();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('ulseg --network and --backbone', () => {
  it('--help of train, infer, forward, export-onnx and convert lists the networks and backbones', async () => {
    for (const command of ['train', 'infer', 'forward', 'export-onnx', 'convert']) {
      const { code, stdout } = await ulseg(command, '--help');
      expect(code).toBe(0);
      const text = stdout.replace(/\s+/g, ' ');
      expect(text, command).toMatch(/--network <name>/);
      expect(text, command).toMatch(/--backbone <(name|encoder)>/);
      expect(text, command).toContain('linknet, unet, fpn, pspnet, pan, deeplabv3plus');
      expect(text, command).toContain('resnet18, resnet34, resnet50, efficientnet-b0');
    }
    const train = (await ulseg('train', '--help')).stdout.replace(/\s+/g, ' ');
    expect(train).toContain('--decoder-attention <kind>');
  });

  it('refuses unknown networks and attentions, naming what is available', async () => {
    const result = await ulseg('train', '--network', 'SegNet');
    expect(result.code).not.toBe(0);
    expect(failureOf(result)).toMatch(/unknown network 'SegNet'; available: linknet, unet, fpn, pspnet, pan, deeplabv3plus/);
    const attention = await ulseg('train', '--decoder-attention', 'cbam');
    expect(failureOf(attention)).toMatch(/unknown decoder attention 'cbam'; available: none, scse/);
  });

  it('trains a Unet on ResNet-18 for one epoch at 64 px, records it in the checkpoint, and infers with it', { timeout: 600_000 }, async () => {
    await phantoms();
    const csv = at('phantoms/train_data/train.csv');
    const weights = at('weights');
    const train = await ulseg(
      'train', '--network', 'unet', '--backbone', 'resnet18', '--train-dataset-path', at('phantoms/train_data/img'),
      '--train-gt-dataset-path', at('phantoms/train_data/label'), '--fold-file-list', csv, '--weights-path', weights,
      '--image-resolution', '64', '--epochs', '1', '--batch-size', '3', '--folds', '2', '--k-th-fold', '1', '--seed', '5', '--no-augment',
    );
    expect(train.code, train.stderr).toBe(0);
    expect(train.stdout).toMatch(/fold 1 epoch 1\/1: lr .* train loss \d\.\d+/);
    const best = readSafetensors(new Uint8Array(readFileSync(join(weights, 'fold1', 'best.safetensors'))));
    expect(best.metadata).toMatchObject({ network: 'unet', encoder: 'resnet18', decoder_attention: 'none', image_resolution: '64' });
    expect([...best.weights.keys()]).toContain('decoder.blocks.0.conv1.0.weight');
    expect([...best.weights.keys()]).toContain('encoder.layer4.1.conv2.weight');
    const checkpoint = join(weights, 'fold1', 'best.safetensors');

    const infer = await ulseg('infer', '--weights', checkpoint, '--network', 'unet', '--backbone', 'resnet18', '--test-path', at('phantoms/test_data/img'), '--out', at('masks'), '--tta', 'none');
    expect(infer.code, infer.stderr).toBe(0);
    expect(readdirSync(at('masks')).sort()).toEqual(readdirSync(at('phantoms/test_data/img')).sort());

    const wrongNetwork = await ulseg('infer', '--weights', checkpoint, '--network', 'linknet', '--test-path', at('phantoms/test_data/img'), '--out', at('masks-2'));
    expect(wrongNetwork.code).toBe(1);
    expect(failureOf(wrongNetwork)).toMatch(/^ulseg: .*best\.safetensors: the weights are a Unet \(unet\), but --network is linknet: pass --network unet or other weights$/);
    const wrongBackbone = await ulseg('infer', '--weights', checkpoint, '--backbone', 'resnet34', '--test-path', at('phantoms/test_data/img'), '--out', at('masks-3'));
    expect(failureOf(wrongBackbone)).toMatch(/^ulseg: .*best\.safetensors: the weights are Unet on resnet18, but --backbone is resnet34: pass --backbone resnet18 or other weights$/);

    const onnx = await ulseg('export-onnx', '--weights', checkpoint, '--out', at('unet.onnx'), '--image-resolution', '64');
    expect(onnx.code, onnx.stderr).toBe(0);
    expect(onnx.stdout).toMatch(/^wrote .*unet\.onnx \(\d+\.\d MiB\): Unet resnet18, ONNX opset 17/);
    const summary = inspectOnnx(new Uint8Array(readFileSync(at('unet.onnx'))));
    expect(summary.metadata).toMatchObject({ network: 'unet', encoder: 'resnet18' });
    expect(summary.opCounts).toMatchObject({ MaxPool: 1, Resize: 5 });
    // The four skip joins (channel axis); the other Concats build each Resize's sizes.
    expect(summary.nodes.filter((node) => node.opType === 'Concat' && node.attributes.axis === 1)).toHaveLength(4);
    const converted = await ulseg('convert', checkpoint, at('copy.safetensors'));
    expect(converted.code, converted.stderr).toBe(0);
    expect(converted.stdout).toMatch(/\(Unet on resnet18\)/);

    // The original's .pth of that network (torch.save's zip layout) converts, every key and value kept; a .pth whose
    // keys or shapes do not match the network is refused naming the file and the keys, and nothing is written.
    const pth = at('unet-resnet18.pth');
    writeFileSync(pth, stateDictPth(best.weights));
    const fromPth = await ulseg('convert', pth, at('from-pth.safetensors'), '--network', 'unet', '--backbone', 'resnet18');
    expect(fromPth.code, fromPth.stderr).toBe(0);
    expect(fromPth.stdout).toMatch(/wrote .*from-pth\.safetensors: \d+ tensors, [\d,]+ values \(Unet on resnet18\)/);
    const back = readSafetensors(new Uint8Array(readFileSync(at('from-pth.safetensors'))));
    expect(back.metadata).toMatchObject({ network: 'unet', encoder: 'resnet18', decoder_attention: 'none', converted_from: 'unet-resnet18.pth' });
    expect([...back.weights.keys()]).toEqual([...best.weights.keys()]);
    // Bit for bit, as bytes: toEqual walks a typed array value by value through its generic equality, far too slowly
    // for the millions of values of this checkpoint.
    const bytes = (data: Float32Array): Buffer => Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    for (const [key, entry] of best.weights) expect(bytes(back.weights.get(key)!.data).equals(bytes(entry.data)), key).toBe(true);
    const asLinknet = await ulseg('convert', pth, at('no.safetensors'), '--network', 'linknet');
    expect(failureOf(asLinknet)).toMatch(/^ulseg: .*unet-resnet18\.pth: the weights are a Unet \(unet\), but --network is linknet: pass --network unet or other weights$/);

    const renamed = new Map([...best.weights].map(([key, entry]) => [key === 'decoder.blocks.2.conv2.0.weight' ? 'decoder.blocks.2.conv2.weight' : key, entry]));
    writeFileSync(at('renamed.pth'), stateDictPth(renamed));
    const badKey = await ulseg('convert', at('renamed.pth'), at('no.safetensors'));
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/^ulseg: .*renamed\.pth \(Unet on resnet18\): the weights do not match the model\n\s+missing keys \(1\): decoder\.blocks\.2\.conv2\.0\.weight\n\s+unexpected keys \(1\): decoder\.blocks\.2\.conv2\.weight/m);
    const reshaped = new Map([...best.weights].map(([key, entry]) => [key, key === 'decoder.blocks.4.conv1.1.weight' ? { ...entry, shape: [8], data: entry.data.subarray(0, 8) } : entry]));
    writeFileSync(at('reshaped.pth'), stateDictPth(reshaped));
    const badShape = await ulseg('convert', at('reshaped.pth'), at('no.safetensors'));
    expect(badShape.stderr).toMatch(/reshaped\.pth \(Unet on resnet18\): the weights do not match the model\n\s+shape mismatches \(1\): decoder\.blocks\.4\.conv1\.1\.weight: expected \[16\], got \[8\]/);
    expect(existsSync(at('no.safetensors'))).toBe(false);
  });

  // network, resolution, a key only its decoder has, its title in convert's summary
  it.each([
    ['fpn', '64', 'decoder.seg_blocks.3.block.0.block.1.weight', 'FPN'],
    ['pspnet', '64', 'decoder.psp.blocks.3.pool.1.1.running_var', 'PSPNet'],
    ['pan', '128', 'decoder.fpa.down3.2.conv.weight', 'PAN'],
    ['deeplabv3plus', '64', 'decoder.aspp.0.convs.3.0.0.weight', 'DeepLabV3Plus'],
  ])('trains %s on ResNet-18 for one epoch at %s px, infers with it and exports it to ONNX', { timeout: 600_000 }, async (network, resolution, key, title) => {
    await phantoms();
    const weights = at(`weights-${network}`);
    const train = await ulseg(
      'train', '--network', network, '--backbone', 'resnet18', '--train-dataset-path', at('phantoms/train_data/img'),
      '--train-gt-dataset-path', at('phantoms/train_data/label'), '--fold-file-list', at('phantoms/train_data/train.csv'), '--weights-path', weights,
      '--image-resolution', resolution, '--epochs', '1', '--batch-size', '3', '--folds', '2', '--k-th-fold', '1', '--seed', '5', '--no-augment',
    );
    expect(train.code, train.stderr).toBe(0);
    expect(train.stdout).toMatch(/fold 1 epoch 1\/1: lr .* train loss \d\.\d+/);
    const checkpoint = join(weights, 'fold1', 'best.safetensors');
    const best = readSafetensors(new Uint8Array(readFileSync(checkpoint)));
    expect(best.metadata).toMatchObject({ network, encoder: 'resnet18', image_resolution: resolution });
    expect([...best.weights.keys()]).toContain(key);
    for (const [name, tensor] of best.weights) expect(tensor.data.every(Number.isFinite), name).toBe(true);

    const out = at(`masks-${network}`);
    const infer = await ulseg('infer', '--weights', checkpoint, '--network', network, '--test-path', at('phantoms/test_data/img'), '--out', out, '--tta', 'none');
    expect(infer.code, infer.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(readdirSync(at('phantoms/test_data/img')).sort());
    const converted = await ulseg('convert', checkpoint, at(`${network}.safetensors`));
    expect(converted.code, converted.stderr).toBe(0);
    expect(converted.stdout).toContain(`(${title} on resnet18)`);

    // export-onnx of the checkpoint; PSPNet at 64 px pools its 8x8 map to 3 and 6 (uneven windows: two MatMuls each).
    const onnx = await ulseg('export-onnx', '--weights', checkpoint, '--out', at(`${network}.onnx`), '--image-resolution', resolution);
    expect(onnx.code, onnx.stderr).toBe(0);
    const summary = inspectOnnx(new Uint8Array(readFileSync(at(`${network}.onnx`))));
    expect(summary.metadata).toMatchObject({ network, encoder: 'resnet18' });
    expect(summary.inputs[0]!.shape).toEqual([1, 1, Number(resolution), Number(resolution)]);
    expect(summary.opCounts.MatMul ?? 0).toBe(network === 'pspnet' ? 4 : 0);
  });
});
