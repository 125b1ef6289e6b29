/**
 * The CLI under bad input (issue #17), run as a user runs it on one small phantom set and a B0 checkpoint trained
 * here at 64 px. Every refusal is checked for its message (the file or flag and what to do), exit code 1, no stack
 * trace or raw errno text, and a file tree hashed before and after: no input changed, no partial output left.
 */
import { createHash } from 'node:crypto';
import { closeSync, cpSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeNpy } from '@ulseg/autograd';
import { decodePng, encodeGrayPng, type GrayImage } from '@ulseg/data';
import { readSafetensors, writeSafetensors } from '@ulseg/model';
import { type CliResult, type PrivateCli, privateCli } from './private-cli.js';

let cli: PrivateCli;
let scratch = '';
const at = (...parts: string[]): string => join(scratch, ...parts);
const ulseg = (...args: string[]): Promise<CliResult> => cli.run(args, { cwd: scratch });
const ulsegIn = (cwd: string, ...args: string[]): Promise<CliResult> => cli.run(args, { cwd });

const failureOf = (result: { stderr: string }): string =>
  result.stderr
    .split('\n')
    .filter((line) => line.startsWith('ulseg:') || line.startsWith('error:'))
    .join('\n');

/**
 * sha256 of a file's bytes, read through one reused 1 MiB buffer: the scratch tree holds ~90 MB of checkpoints, hashed
 * twice per refusal, and readFileSync's fresh buffer of each file's size costs several times the hashing itself.
 */
const chunk = Buffer.allocUnsafe(1 << 20);
function sha256File(path: string): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk)) hash.update(chunk.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** Every file under `dir` (hidden ones and folders included) → sha256 of its bytes ('dir' for a folder). */
function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) {
        out[relative(dir, path)] = 'dir';
        walk(path);
      } else out[relative(dir, path)] = sha256File(path);
    }
  };
  walk(dir);
  return out;
}

/** Runs a command that must fail: exit 1, `message` on stderr, nothing raw, and the whole scratch tree unchanged. */
async function refuses(args: string[], message: RegExp, cwd = scratch): Promise<CliResult> {
  const before = hashTree(scratch);
  const result = await ulsegIn(cwd, ...args);
  const label = args.join(' ');
  expect(result.code, `${label}\n${result.stderr}`).toBe(1);
  expect(failureOf(result), label).toMatch(message);
  expect(result.stderr, label).not.toMatch(/\n\s+at |ENOTDIR|EEXIST|EACCES|EISDIR|EPERM|ENOENT|KernelArgumentError|artificially reduced/);
  expect(hashTree(scratch), label).toEqual(before);
  return result;
}

const png = (path: string): GrayImage => decodePng(new Uint8Array(readFileSync(path)), path);
const writeMask = (path: string, image: GrayImage, map: (value: number) => number): void =>
  writeFileSync(path, encodeGrayPng({ width: image.width, height: image.height, data: image.data.map(map) }));

const IMAGES = 'data/train_data/img';
const LABELS = 'data/train_data/label';
const CSV = 'data/train_data/train.csv';
const TEST = 'data/test_data/img';
const GOOD = 'weights/fold1/best.safetensors';

beforeAll(async () => {
  cli = await privateCli('bad-input');
  scratch = mkdtempSync(join(tmpdir(), 'ulseg-bad-input-'));
  const synth = await ulseg('synth', '--out', 'data', '--count', '4', '--test-count', '3', '--folds', '2', '--seed', '3');
  expect(synth.code, synth.stderr).toBe(0);
  const train = await ulseg(
    'train', '--train-dataset-path', IMAGES, '--train-gt-dataset-path', LABELS, '--fold-file-list', CSV, '--weights-path', 'weights',
    '--backbone', 'efficientnet-b0', '--image-resolution', '64', '--epochs', '1', '--batch-size', '2', '--folds', '2', '--k-th-fold', '1',
    '--no-augment', '--no-bn-recalibrate', '--seed', '1',
  );
  expect(train.code, train.stderr).toBe(0);
  expect(train.stderr).not.toContain('artificially reduced');

  const good = readSafetensors(new Uint8Array(readFileSync(at(GOOD))));
  const broken = new Map(good.weights);
  const conv = good.weights.get('decoder.blocks.2.block.0.0.weight')!;
  const data = Float32Array.from(conv.data);
  data[5] = Number.NaN;
  broken.set('decoder.blocks.2.block.0.0.weight', { shape: conv.shape, data });
  writeFileSync(at('nan.safetensors'), writeSafetensors(broken, good.metadata));
  writeFileSync(at('empty.safetensors'), writeSafetensors([]));
  writeFileSync(at('not-a-model.safetensors'), writeSafetensors([['linear.weight', { shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) }]]));
  writeFileSync(at('odd-stem.safetensors'), writeSafetensors([['encoder._conv_stem.weight', { shape: [17, 1, 3, 3], data: new Float32Array(153).fill(0.1) }]]));
  const bytes = readFileSync(at(GOOD));
  writeFileSync(at('truncated.safetensors'), bytes.subarray(0, bytes.length - 1000));
  writeFileSync(at('x.npy'), serializeNpy(new Float32Array(64 * 64).map((_, index) => (index % 7) / 7), [1, 1, 64, 64]));
  writeFileSync(at('bad-target.npy'), serializeNpy(new Float32Array(32 * 32), [1, 1, 32, 32]));

  // Masks as 0/1, as 0/100 (every one empty once binarised at 128), and folders with a truncated file in the middle.
  for (const [folder, map] of [['masks01', (v: number) => (v ? 1 : 0)], ['masks100', (v: number) => (v ? 100 : 0)]] as const) {
    mkdirSync(at(folder));
    for (const name of readdirSync(at(LABELS))) writeMask(at(folder, name), png(at(LABELS, name)), map);
  }
  for (const [folder, source] of [['broken-img', TEST], ['broken-masks', 'data/test_data/label']] as const) {
    cpSync(at(source), at(folder), { recursive: true });
    const middle = at(folder, '2.png');
    const whole = readFileSync(middle);
    writeFileSync(middle, whole.subarray(0, Math.floor(whole.length / 2)));
  }
  writeFileSync(at('masks100/notes.txt'), 'a stray file');
  mkdirSync(at('predict-old'));
  writeFileSync(at('predict-old/1.png'), 'an earlier result');
  writeFileSync(at('a-file'), 'not a folder');
  const huge = { width: 6000, height: 6000, data: new Uint8Array(6000 * 6000) };
  huge.data.fill(255, 0, 6000 * 100);
  mkdirSync(at('huge'));
  writeFileSync(at('huge/1.png'), encodeGrayPng(huge));
  for (const dir of ['img', 'label']) {
    mkdirSync(at('huge-train', dir), { recursive: true });
    cpSync(at('huge/1.png'), at('huge-train', dir, '1.png'));
    cpSync(at(dir === 'img' ? IMAGES : LABELS, '1.png'), at('huge-train', dir, '2.png'));
  }
  writeFileSync(at('huge-train/train.csv'), 'ID,CATE,size,grade,fold\n1.png,0,600000,0,1\n2.png,0,1000,0,2\n');
}, 600_000);

afterAll(() => {
  cli?.dispose();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('1. no command destroys its own input', () => {
  it('convert, export-onnx, forward, preprocess and evaluate refuse an output that is (or resolves to) an input', async () => {
    symlinkSync(at(GOOD), at('link.safetensors'));
    await refuses(['convert', GOOD, GOOD], /^ulseg: the output '.*best\.safetensors' is the input file: writing it would destroy the input; choose another output name$/);
    await refuses(['convert', GOOD, 'link.safetensors'], /the output 'link\.safetensors' is the input file/);
    await refuses(['export-onnx', '--weights', GOOD, '--out', GOOD], /^ulseg: --out '.*' is the --weights file: writing it would destroy the input/);
    await refuses(['forward', '--weights', GOOD, '--input', 'x.npy', '--output', 'x.npy'], /^ulseg: --output 'x\.npy' is the --input file/);
    await refuses(['forward', '--weights', GOOD, '--input', 'x.npy', '--output', 'y.npy', '--target', 'x.npy', '--grads', GOOD], /^ulseg: --grads '.*' is the --weights file/);
    await refuses(['preprocess', '--sizes-from', CSV, '--out', CSV], /^ulseg: --out '.*train\.csv' is the --sizes-from file/);
    await refuses(['preprocess', '--image-path', LABELS, '--out', `${LABELS}/train.csv`], /^ulseg: --out '.*label\/train\.csv' is inside the --image-path folder/);
    await refuses(['evaluate', '--pred', LABELS, '--truth', LABELS, '--out', `${LABELS}/scores.csv`], /^ulseg: --out '.*scores\.csv' is inside the --pred folder/);
    rmSync(at('link.safetensors'));
  });
});

describe('2. nonsense is refused', () => {
  it('non-finite weights are refused at load by every command, naming the file and the first bad tensor', async () => {
    const nan = /^ulseg: nan\.safetensors: tensor 'decoder\.blocks\.2\.block\.0\.0\.weight' \[.*\] holds 1 non-finite value\(s\) \(first: NaN at index 5\): these weights are broken/;
    await refuses(['infer', '--weights', GOOD, 'nan.safetensors', '--test-path', TEST, '--out', 'predict-old', '--tta', 'none'], nan);
    await refuses(['convert', 'nan.safetensors', 'out.safetensors'], nan);
    await refuses(['export-onnx', '--weights', 'nan.safetensors', '--out', 'out.onnx'], nan);
    await refuses(['forward', '--weights', 'nan.safetensors', '--input', 'x.npy', '--output', 'y.npy'], nan);
    await refuses(['train', '--train-dataset-path', IMAGES, '--train-gt-dataset-path', LABELS, '--fold-file-list', CSV, '--folds', '2', '--weights-path', 'w2', '--init-weights', 'nan.safetensors'], nan);
  });

  it('an empty or non-model dict is not converted; sizes past the bound are refused by export-onnx and train', async () => {
    await refuses(['convert', 'empty.safetensors', 'out.safetensors'], /^ulseg: empty\.safetensors: holds no tensors: not a model checkpoint$/);
    await refuses(['convert', 'not-a-model.safetensors', 'out.safetensors'], /^ulseg: not-a-model\.safetensors: no 'encoder\._conv_stem\.weight' \(EfficientNet\) or 'encoder\.conv1\.weight' \(ResNet\) among its 1 tensors \(linear\.weight, …\): not a segmentation model state_dict$/);
    await refuses(['export-onnx', '--weights', GOOD, '--out', 'out.onnx', '--image-resolution', '100000'], /argument '100000' is invalid\. expected a multiple of 32 from 32 to 4096/);
    await refuses(['train', '--image-resolution', '8192'], /argument '8192' is invalid\. expected a multiple of 32 from 64 to 4096/);
  });
});

describe('3. one mask rule everywhere', () => {
  it('preprocess reads 0/1 masks as 0/1 with a warning naming them, so the areas match the 0/255 masks', async () => {
    const reference = await ulseg('preprocess', '--image-path', LABELS, '--out', 'ref.csv', '--folds', '2');
    const zeroOne = await ulseg('preprocess', '--image-path', 'masks01', '--out', '01.csv', '--folds', '2');
    expect(zeroOne.code, zeroOne.stderr).toBe(0);
    expect(zeroOne.stderr).toMatch(/ulseg: warning: masks01: 4 of 4 mask\(s\) hold only 0 and 1 and were read as 0\/1 masks \(1 = lesion\): 1\.png, 2\.png, 3\.png, 4\.png/);
    expect(readFileSync(at('01.csv'), 'utf8')).toBe(readFileSync(at('ref.csv'), 'utf8'));
    expect(reference.stdout.replace(/\S*ref\.csv/, '').replace(LABELS, '')).toBe(zeroOne.stdout.replace(/\S*01\.csv/, '').replace('masks01', ''));
  });

  it('other non-binary masks are binarised at 128 with a warning counting the ones that became empty', async () => {
    const result = await ulseg('preprocess', '--image-path', 'masks100', '--out', '100.csv', '--folds', '2');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/ulseg: warning: masks100: skipping 1 file\(s\) that are not \.png: notes\.txt/);
    expect(result.stderr).toMatch(/masks100: 4 of 4 mask\(s\) had values other than 0 and 255 and were binarised at 128; 4 of them became empty \(1\.png, 2\.png, 3\.png, 4\.png\)/);
  });

  it('evaluate, postprocess and train (augment preview) apply the same rule', async () => {
    const evaluate = await ulseg('evaluate', '--pred', 'masks01', '--truth', LABELS);
    expect(evaluate.code, evaluate.stderr).toBe(0);
    expect(evaluate.stdout).toMatch(/^4 images: mean Dice 1\.0000, mean IoU 1\.0000/);
    expect(evaluate.stderr).toMatch(/masks01: 4 of 4 mask\(s\) hold only 0 and 1/);
    const postprocess = await ulseg('postprocess', '--image-path', 'masks01', '--out', 'pp01', '--kernel', '1');
    expect(postprocess.code, postprocess.stderr).toBe(0);
    expect(postprocess.stderr).toMatch(/masks01: 4 of 4 mask\(s\) hold only 0 and 1/);
    expect(new Set(png(at('pp01/1.png')).data)).toEqual(new Set([0, 255]));
    const train = await ulseg(
      'train', '--train-dataset-path', IMAGES, '--train-gt-dataset-path', 'masks01', '--fold-file-list', CSV, '--folds', '2',
      '--weights-path', 'preview01', '--image-resolution', '64', '--augment-preview', '1',
    );
    expect(train.code, train.stderr).toBe(0);
    expect(train.stderr).toMatch(/masks01: 4 of 4 mask\(s\) hold only 0 and 1/);
  });

  it('a "mask" folder of scans is refused by preprocess, evaluate, postprocess and visualize', async () => {
    const scan = /^ulseg: .*\/1\.png: \d+ grey levels, \d+% of the pixels mid-grey, so it looks like a scan, not a mask .*: is this the image folder given as the mask folder\?$/;
    await refuses(['preprocess', '--image-path', IMAGES, '--out', 'scans.csv'], scan);
    await refuses(['evaluate', '--pred', LABELS, '--truth', IMAGES], scan);
    await refuses(['postprocess', '--image-path', IMAGES, '--out', 'pp-scans', '--kernel', '1'], scan);
    await refuses(['visualize', '--images', IMAGES, '--masks', IMAGES, '--out', 'overlays'], scan);
  });
});

describe('4. a failed run leaves its output folder as it was', () => {
  it('infer with a truncated PNG in the middle of the folder', async () => {
    await refuses(['infer', '--weights', GOOD, '--test-path', 'broken-img', '--out', 'predict-old', '--tta', 'none', '--save-probabilities'], /^ulseg: broken-img\/2\.png: corrupt PNG/);
  });

  it('postprocess and visualize with a truncated mask in the middle', async () => {
    await refuses(['postprocess', '--image-path', 'broken-masks', '--out', 'predict-old'], /^ulseg: broken-masks\/2\.png: corrupt PNG/);
    await refuses(['postprocess', '--image-path', 'broken-masks'], /^ulseg: broken-masks\/2\.png: corrupt PNG/);
    await refuses(['visualize', '--images', TEST, '--masks', 'broken-masks', '--out', 'predict-old'], /^ulseg: broken-masks\/2\.png: corrupt PNG/);
  });

  it('forward writes no logits when --target is rejected', async () => {
    await refuses(['forward', '--weights', GOOD, '--input', 'x.npy', '--output', 'y.npy', '--target', 'bad-target.npy', '--grads', 'g.safetensors'], /^ulseg: --target 'bad-target\.npy' has shape \[1,1,32,32\], but the logits have \[1,1,64,64\]: they must match$/);
  });
});

describe('5. sizes are checked up front against the device, naming the flag or the file', () => {
  it('infer and train: --image-resolution too large for the GPU; infer and postprocess: an image too large', async () => {
    await refuses(['infer', '--weights', GOOD, '--test-path', TEST, '--out', 'p4096', '--image-resolution', '4096'], /^ulseg: --image-resolution 4096 is too large for this GPU: efficientnet-b0 on 4 image\(s\) per pass \(--batch-size 1 x 4 TTA view\(s\)\) needs a \d+ MiB tensor, over its maxStorageBufferBindingSize of 128 MiB: use --image-resolution 512 or less/);
    await refuses(
      ['train', '--train-dataset-path', IMAGES, '--train-gt-dataset-path', LABELS, '--fold-file-list', CSV, '--folds', '2', '--weights-path', 'w4096', '--backbone', 'efficientnet-b0', '--image-resolution', '4096', '--batch-size', '2'],
      /^ulseg: --image-resolution 4096 is too large for this GPU: efficientnet-b0 on 10 image\(s\) per pass \(--batch-size 2, --validation-batch-size 10\)/,
    );
    await refuses(
      ['train', '--train-dataset-path', 'huge-train/img', '--train-gt-dataset-path', 'huge-train/label', '--fold-file-list', 'huge-train/train.csv', '--folds', '2', '--weights-path', 'w-huge', '--image-resolution', '64'],
      /^ulseg: huge-train\/img\/1\.png: a 6000x6000 scan does not fit this GPU \(maxStorageBufferBindingSize 128 MiB holds about 5792x5792\): shrink it$/,
    );
    await refuses(['infer', '--weights', GOOD, '--test-path', 'huge', '--out', 'p-huge'], /^ulseg: huge\/1\.png: a 6000x6000 image does not fit this GPU .*: shrink it$/);
    await refuses(['postprocess', '--image-path', 'huge', '--out', 'pp-huge'], /^ulseg: huge\/1\.png: mask of 6000x6000 px is too large for the 19x19 median filter on this GPU .*--kernel 1 skips it\): at most [\d,]+ pixels/);
  });
});

describe('6. output paths are checked before any work, in words', () => {
  it('a file where a folder is wanted, a folder where a file is wanted, a path under a file, a place that cannot be written', async () => {
    const train = ['train', '--train-dataset-path', IMAGES, '--train-gt-dataset-path', LABELS, '--fold-file-list', CSV, '--folds', '2', '--image-resolution', '64'];
    await refuses([...train, '--weights-path', 'a-file'], /^ulseg: --weights-path 'a-file' is a file, not a folder: choose a folder name$/);
    await refuses([...train, '--weights-path', '/sys/ulseg-bad-input'], /^ulseg: --weights-path: cannot write in '\/sys' for '\/sys\/ulseg-bad-input': (not permitted here|permission denied|files cannot be created there)/);
    await refuses(['infer', '--weights', GOOD, '--test-path', TEST, '--out', '/sys/ulseg-bad-input'], /^ulseg: --out: cannot write in '\/sys' for '\/sys\/ulseg-bad-input': /);
    await refuses(['infer', '--weights', GOOD, '--test-path', TEST, '--out', 'a-file'], /^ulseg: --out 'a-file' is a file, not a folder/);
    await refuses(['evaluate', '--pred', LABELS, '--truth', LABELS, '--out', 'predict-old'], /^ulseg: --out 'predict-old' is a folder: give a file name$/);
    await refuses(['convert', GOOD, 'a-file/x.safetensors'], /^ulseg: the output 'a-file\/x\.safetensors': '.*a-file' is a file, so no file can be made under it; choose another path$/);
    await refuses(['export-onnx', '--weights', GOOD, '--out', '/proc/ulseg.onnx'], /^ulseg: --out: cannot write in '\/proc' for '\/proc\/ulseg\.onnx': /);
    await refuses(['convert', 'absent.pth', 'out.safetensors'], /^ulseg: weights 'absent\.pth': no such file$/);
  });
});

describe('7. hints that fit, settings that agree', () => {
  it('refuses inconsistent settings with the value to use', async () => {
    await refuses(['train', '--train-dataset-path', IMAGES, '--train-gt-dataset-path', LABELS, '--fold-file-list', CSV, '--folds', '3', '--weights-path', 'w3'], /^ulseg: data\/train_data\/train\.csv is split into 2 folds but --folds is 3: pass --folds 2, or re-split it with ulseg preprocess --folds 3$/);
    await refuses(['preprocess', '--image-path', LABELS, '--out', 'nine.csv', '--folds', '9'], /^ulseg: 4 image\(s\) cannot fill 9 folds \(each fold validates on at least one\): use --folds 4 or fewer$/);
    await refuses(['synth', '--out', 'few', '--count', '2', '--folds', '3'], /^ulseg: --count 2 cannot fill --folds 3 .*: use --folds 2 or more scans$/);
    await refuses(['synth', '--out', 'predict-old'], /^ulseg: --out 'predict-old' is not empty \(1\.png\): name a new or empty folder/);
    await refuses(['train', '--drop-connect-rate', '5'], /argument '5' is invalid\. expected a number >= 0 and < 1, got '5'\./);
    await refuses(['forward', '--weights', GOOD, '--input', 'x.npy', '--output', 'y.npy', '--drop-connect-rate', '5'], /expected a number >= 0 and < 1, got '5'/);
    await refuses(['train', '--initial-learning-rate', '0'], /argument '0' is invalid\. expected a number > 0, got '0'\./);
    await refuses(['train', '--final-resolution', '80'], /argument '80' is invalid\. expected a multiple of 32 from 64 to 4096/);
    await refuses(['train', '--image-resolution', '64', '--epochs', '4', '--final-resolution', '96'], /^ulseg: final resolution 96 needs final epochs >= 1/);
    await refuses(['train', '--image-resolution', '64', '--epochs', '4', '--final-resolution', '96', '--final-epochs', '5'], /^ulseg: final epochs must be at most epochs \(4\), got 5$/);
    await refuses(['train', '--image-resolution', '64', '--final-epochs', '2'], /^ulseg: final epochs is 2 but no final resolution is set/);
  });

  it('weights errors say what is wrong and suggest only flags the command has', async () => {
    const odd = await refuses(['infer', '--weights', 'odd-stem.safetensors', '--test-path', TEST, '--out', 'p-odd'], /^ulseg: odd-stem\.safetensors: the weights match no EfficientNet-B0…B7 encoder/);
    expect(odd.stderr).not.toMatch(/--encoder|pass --backbone/);
    await refuses(['forward', '--weights', 'odd-stem.safetensors', '--input', 'x.npy', '--output', 'y.npy'], /match no EfficientNet-B0…B7 encoder .*; pass --backbone if it is one of them$/);
    await refuses(['convert', 'truncated.safetensors', 'out.safetensors'], /^ulseg: truncated\.safetensors: truncated: tensor '.*' ends at byte \d+ of the data, but the file holds only \d+ bytes of data/);
  });

  it('a checkpoint runs at the resolution it records unless --image-resolution says otherwise, with a note', async () => {
    const recorded = await ulseg('infer', '--weights', GOOD, '--test-path', TEST, '--out', 'p64', '--tta', 'none');
    expect(recorded.code, recorded.stderr).toBe(0);
    expect(recorded.stdout).toMatch(/running at 64 px, the resolution the checkpoint\(s\) record/);
    expect(recorded.stdout).toMatch(/wrote 3 masks to p64 in .*, 64 px,/);
    const other = await ulseg('infer', '--weights', GOOD, '--test-path', TEST, '--out', 'p96', '--tta', 'none', '--image-resolution', '96');
    expect(other.code, other.stderr).toBe(0);
    expect(other.stderr).toMatch(/ulseg: warning: .*best\.safetensors was trained at 64 px but runs at 96 px \(--image-resolution\)/);
  });
});

describe('8. stderr holds ulseg’s words only; no hidden output folder', () => {
  it('GPU commands print no Dawn limit warnings; postprocess --image-path . writes beside the folder', async () => {
    const info = await ulseg('info');
    expect(info.code).toBe(0);
    expect(info.stderr).toBe('');
    const folder = at('masks-here');
    cpSync(at(LABELS), folder, { recursive: true });
    const result = await ulsegIn(folder, 'postprocess', '--image-path', '.');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^wrote 4 masks to \.\.\/masks-here-postprocessed in /);
    expect(readdirSync(folder).sort()).toEqual(['1.png', '2.png', '3.png', '4.png']);
    expect(readdirSync(at('masks-here-postprocessed')).sort()).toEqual(['1.png', '2.png', '3.png', '4.png']);
    expect(readdirSync(scratch).filter((name) => name.startsWith('.'))).toEqual([]);
  });
});
