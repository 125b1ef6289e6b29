/**
 * ulseg infer → postprocess → visualize → evaluate on two real scans with B0 weights at 64 px (the original's .pth and
 * a perturbed safetensors copy in one ensemble), run as a user runs them, plus their errors.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CliResult, type PrivateCli, privateCli } from './private-cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNpy } from '@ulseg/autograd';
import { binaryMedianReference } from '@ulseg/kernels/reference';
import { Random } from '@ulseg/kernels/testing';
import { decodePng, encodeGrayPng, encodeRgbPng, resizeNearest, type GrayImage } from '@ulseg/data';
import { readPth, writeSafetensors } from '@ulseg/model';
import { removeSmallRegions } from '@ulseg/postprocess';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));
const samples = join(fixtures, 'bdci-samples/train_data');
const pth = join(fixtures, 'linknet-b0/model.pth');
const IDS = ['1.png', '2.png'];
let cli: PrivateCli;
let scratch = '';
const at = (...parts: string[]): string => join(scratch, ...parts);

const ulseg = (...args: string[]): Promise<CliResult> => cli.run(args, { cwd: scratch });

/** The one line of a failed command, without Dawn's adapter warnings. */
const failureOf = (result: { stderr: string }): string => result.stderr.split('\n').filter((line) => line.startsWith('ulseg:')).join('\n');

const png = (path: string) => decodePng(new Uint8Array(readFileSync(path)), path);
const noTemporaryFiles = (dir: string): void => expect(readdirSync(dir).filter((name) => name.includes('.tmp'))).toEqual([]);

beforeAll(async () => {
  cli = await privateCli('infer');
  scratch = mkdtempSync(join(tmpdir(), 'ulseg-infer-cli-'));
  for (const dir of ['img', 'label']) {
    mkdirSync(at(dir));
    for (const id of IDS) copyFileSync(join(samples, dir, id), at(dir, id));
  }
  // A different B0: one decoder conv rescaled, and a steeper head (its logits span about [-1, 1] on these scans at 64 px,
  // where the original's stay near 0.3), so the ensemble's masks hold both classes.
  const weights = await readPth(new Uint8Array(readFileSync(pth)), 'model.pth');
  const changed = new Map(weights);
  const head = weights.get('segmentation_head.0.weight')!;
  changed.set('segmentation_head.0.weight', { shape: head.shape, data: head.data.map((value) => 40 * value) });
  changed.set('segmentation_head.0.bias', { shape: [1], data: Float32Array.of(40 * weights.get('segmentation_head.0.bias')!.data[0]! - 12.6) });
  const conv = weights.get('decoder.blocks.4.block.2.0.weight')!;
  const random = new Random(77);
  changed.set('decoder.blocks.4.block.2.0.weight', { shape: conv.shape, data: conv.data.map((value) => value * random.uniform(0.2, 2)) });
  writeFileSync(at('perturbed.safetensors'), writeSafetensors(changed));
  // The network is told by the decoder's first block: without block 4 it is a Linknet with missing keys; without any
  // decoder it matches no network.
  writeFileSync(at('partial.safetensors'), writeSafetensors([...weights].filter(([key]) => !key.startsWith('decoder.blocks.4.'))));
  writeFileSync(at('no-decoder.safetensors'), writeSafetensors([...weights].filter(([key]) => !key.startsWith('decoder.'))));
}, 180_000);
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  cli?.dispose();
});

describe('ulseg infer, postprocess, visualize, evaluate', () => {
  it('--help explains every option of each command', async () => {
    const top = await ulseg('--help');
    for (const command of ['infer', 'postprocess', 'visualize', 'evaluate']) expect(top.stdout).toContain(command);
    const flags: Record<string, string[]> = {
      infer: ['--weights <files...>', '--weights1', '--weights5', '--test-path', '--test_path', '--out', '--saved_path', '--tta', '--image-resolution', '--image_resolution', '--threshold', '--save-probabilities', '--batch-size', '--load-models', '--input-resize', '--adapter'],
      postprocess: ['--image-path', '--image_path', '--out', '--threshold', '--threshood', '--kernel', '--fill-holes', '--adapter'],
      visualize: ['--images', '--masks', '--truth', '--out', '--line-width'],
      evaluate: ['--pred', '--truth', '--out', '--resize-truth', '--ablation', '--weights <files...>', '--images', '--image-resolution', '--threshold', '--rsip-threshold', '--kernel', '--tta', '--input-resize', '--adapter'],
    };
    for (const [command, options] of Object.entries(flags)) {
      const { code, stdout } = await ulseg(command, '--help');
      expect(code).toBe(0);
      for (const option of options) expect(stdout, `${command} ${option}`).toMatch(new RegExp(`\\n {2}${option.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[ ,].*\\S`));
    }
  }, 60_000);

  it('infer: a .pth + safetensors ensemble writes {0, 255} masks at each image size, and the probability maps', async () => {
    const run = await ulseg('infer', '--weights', pth, '--weights2', at('perturbed.safetensors'), '--test_path', 'img', '--out', 'predict', '--image-resolution', '64', '--save-probabilities');
    expect(failureOf(run)).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/wrote 2 masks to predict in [\d.]+ s: 2 model\(s\) \[.*model\.pth \(efficientnet-b0\), .*perturbed\.safetensors \(efficientnet-b0\)\], TTA identity\+hflip\+vflip\+rot180, 64 px, threshold 0\.5/);
    expect(run.stdout).toContain('probability maps (float32 .npy, [H, W]) to predict-probabilities');
    for (const id of IDS) {
      const image = png(at('img', id));
      const mask = png(at('predict', id));
      expect([mask.width, mask.height, mask.rgb]).toEqual([image.width, image.height, null]);
      const probability = parseNpy(readFileSync(at('predict-probabilities', id.replace('.png', '.npy'))));
      expect(probability.shape).toEqual([image.height, image.width]);
      probability.data.forEach((p, index) => {
        if (mask.data[index] !== (p >= 0.5 ? 255 : 0)) throw new Error(`${id}: mask ${mask.data[index]} where p = ${p}`);
      });
      const foreground = mask.data.filter((value) => value === 255).length;
      expect(foreground, `${id}: both classes`).toBeGreaterThan(0);
      expect(foreground).toBeLessThan(mask.data.length);
    }
    noTemporaryFiles(at('predict'));
    // The original's option names, no TTA, one model, another threshold.
    const original = await ulseg('infer', '--weights1', pth, '--test_path', 'img', '--saved_path', 'predict-plain', '--image_resolution', '64', '--tta', 'none', '--threshold', '0.59', '--load-models', 'all', '--batch-size', '2');
    expect(failureOf(original)).toBe('');
    expect(original.stdout).toMatch(/wrote 2 masks to predict-plain .* 1 model\(s\) .* TTA identity, 64 px, threshold 0\.59/);
    expect(readdirSync(at('predict-plain')).sort()).toEqual(IDS);
  }, 180_000);

  it('postprocess: RSIP then EMF as the CPU references, to a new folder by default; in place only when asked', async () => {
    const before = IDS.map((id) => readFileSync(at('predict', id)));
    const run = await ulseg('postprocess', '--image-path', 'predict', '--threshold', '50', '--kernel', '9', '--fill-holes');
    expect(failureOf(run)).toBe('');
    expect(run.stdout).toMatch(/wrote 2 masks to predict-postprocessed in [\d.]+ s: removed \d+ region\(s\) of <= 50 px, filled \d+ hole\(s\) of <= 50 px, 9x9 edge median; \d+ pixel\(s\) changed/);
    IDS.forEach((id, index) => expect(readFileSync(at('predict', id)).equals(before[index]!), 'input untouched').toBe(true));
    for (const id of IDS) {
      const input = png(at('predict', id));
      const rsip = removeSmallRegions(input.data, input.width, input.height, { threshold: 50, fillHoles: true }).mask;
      const want = binaryMedianReference(rsip, [1, 1, input.height, input.width], 9);
      expect(Buffer.from(png(at('predict-postprocessed', id)).data).equals(Buffer.from(Uint8Array.from(want))), id).toBe(true);
    }
    const plain = await ulseg('postprocess', '--image_path', 'predict-plain', '--out', 'predict-plain', '--threshood', '0', '--kernel', '1');
    expect(plain.stdout).toMatch(/wrote 2 masks to predict-plain \(in place\) .* no region removal, no median filter; 0 pixel\(s\) changed/);
    noTemporaryFiles(at('predict-plain'));
  }, 120_000);

  it('visualize: RGB overlays, prediction contour red, truth green, both yellow, the gray scan elsewhere', async () => {
    const run = await ulseg('visualize', '--images', 'img', '--masks', 'predict', '--truth', 'label', '--out', 'overlay');
    expect(failureOf(run)).toBe('');
    expect(run.stdout).toMatch(/wrote 2 overlays to overlay .*prediction red, truth green, both yellow/);
    for (const id of IDS) {
      const scan = png(at('img', id));
      const overlay = png(at('overlay', id));
      expect([overlay.width, overlay.height]).toEqual([scan.width, scan.height]);
      const rgb = overlay.rgb!;
      const prediction = png(at('predict', id));
      let truth: GrayImage = png(at('label', id));
      truth = resizeNearest(truth, scan.width, scan.height); // label 1 is 454x306 for a 454x307 scan
      // Near the edge: foreground with a background pixel (or the outside) within Chebyshev distance 2.
      const nearEdge = (mask: GrayImage, x: number, y: number): boolean => {
        if (mask.data[y * mask.width + x]! < 128) return false;
        for (let dy = -2; dy <= 2; dy++) {
          for (let dx = -2; dx <= 2; dx++) {
            const [u, v] = [x + dx, y + dy];
            if (u < 0 || v < 0 || u >= mask.width || v >= mask.height || mask.data[v * mask.width + u]! < 128) return true;
          }
        }
        return false;
      };
      const counts = { red: 0, green: 0, yellow: 0 };
      for (let y = 0; y < scan.height; y++) {
        for (let x = 0; x < scan.width; x++) {
          const pixel = y * scan.width + x;
          const [r, g, b] = [rgb[3 * pixel]!, rgb[3 * pixel + 1]!, rgb[3 * pixel + 2]!];
          const [onPrediction, onTruth] = [nearEdge(prediction, x, y), nearEdge(truth, x, y)];
          const want = onPrediction && onTruth ? 'yellow' : onPrediction ? 'red' : onTruth ? 'green' : 'gray';
          const got = r === 255 && g === 255 && b === 0 ? 'yellow' : r === 255 && g === 0 && b === 0 ? 'red' : r === 0 && g === 255 && b === 0 ? 'green' : 'gray';
          if (got !== want || (got === 'gray' && !(r === scan.data[pixel] && g === r && b === r))) {
            throw new Error(`${id} (${x}, ${y}): drew ${got} rgb(${r}, ${g}, ${b}), want ${want}`);
          }
          if (got !== 'gray') counts[got]++;
        }
      }
      expect(counts.red + counts.yellow, `${id} prediction contour`).toBeGreaterThan(0);
      expect(counts.green + counts.yellow, `${id} truth contour`).toBeGreaterThan(0);
    }
    // The RGB encoder round-trips exactly.
    const rgb = Uint8Array.from({ length: 5 * 3 * 3 }, (_, index) => (index * 37) % 256);
    expect(png(writeTo(at('rgb.png'), encodeRgbPng({ width: 5, height: 3, data: rgb }))).rgb).toEqual(rgb);
  }, 60_000);

  it('evaluate: per-image Dice and IoU as counted here, the means, a CSV; empty vs empty is 1', async () => {
    const strict = await ulseg('evaluate', '--pred', 'predict', '--truth', 'label');
    expect(strict.code).toBe(1);
    expect(failureOf(strict)).toBe("ulseg: label/1.png is 454x306 but predict/1.png is 454x307; pass --resize-truth to resize the true masks to their predictions (nearest), as training does");
    const run = await ulseg('evaluate', '--pred', 'predict', '--truth', 'label', '--resize-truth', '--out', 'scores/metrics.csv');
    expect(failureOf(run)).toBe('');
    const lines = readFileSync(at('scores/metrics.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('id,dice,iou,predicted_pixels,truth_pixels,intersection_pixels');
    const dices: number[] = [];
    const ious: number[] = [];
    IDS.forEach((id, index) => {
      const prediction = png(at('predict', id));
      const truth = resizeNearest(png(at('label', id)), prediction.width, prediction.height);
      let [a, b, both] = [0, 0, 0];
      for (let pixel = 0; pixel < prediction.data.length; pixel++) {
        const [p, t] = [prediction.data[pixel]! >= 128, truth.data[pixel]! >= 128];
        a += Number(p);
        b += Number(t);
        both += Number(p && t);
      }
      dices.push((2 * both) / (a + b));
      ious.push(both / (a + b - both));
      expect(lines[index + 1]).toBe(`${id},${dices[index]},${ious[index]},${a},${b},${both}`);
    });
    const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(lines[3]).toBe(`mean,${mean(dices)},${mean(ious)},,,`);
    expect(run.stdout).toContain(`2 images: mean Dice ${mean(dices).toFixed(4)}, mean IoU ${mean(ious).toFixed(4)}`);
    for (const dir of ['e/pred', 'e/truth']) mkdirSync(at(dir), { recursive: true });
    writeTo(at('e/pred/blank.png'), encodeGrayPng({ width: 7, height: 5, data: new Uint8Array(35) }));
    writeTo(at('e/truth/blank.png'), encodeGrayPng({ width: 7, height: 5, data: new Uint8Array(35) }));
    writeTo(at('e/pred/miss.png'), encodeGrayPng({ width: 7, height: 5, data: new Uint8Array(35) }));
    writeTo(at('e/truth/miss.png'), encodeGrayPng({ width: 7, height: 5, data: new Uint8Array(35).fill(255, 0, 4) }));
    const empty = await ulseg('evaluate', '--pred', 'e/pred', '--truth', 'e/truth', '--out', 'e.csv');
    expect(readFileSync(at('e.csv'), 'utf8')).toBe('id,dice,iou,predicted_pixels,truth_pixels,intersection_pixels\nblank.png,1,1,0,0,0\nmiss.png,0,0,0,4,0\nmean,0.5,0.5,,,\n');
    expect(empty.stdout).toMatch(/lowest Dice miss\.png 0\.0000/);
  }, 60_000);

  it('errors: one line naming the file and the problem, exit code 1, nothing half-written', async () => {
    mkdirSync(at('notpng'));
    writeFileSync(at('notpng/3.png'), 'not a png');
    mkdirSync(at('txtonly'));
    writeFileSync(at('txtonly/notes.txt'), 'hello');
    const infer = (...args: string[]) => ulseg('infer', '--image-resolution', '64', ...args);
    const cases: [() => Promise<{ code: number; stdout: string; stderr: string }>, string | RegExp][] = [
      [() => infer('--weights', pth, '--test-path', 'absent', '--out', 'x'), 'ulseg: absent: folder not found'],
      [() => infer('--weights', pth, '--test-path', 'notpng', '--out', 'x'), 'ulseg: notpng/3.png: not a PNG file (bad signature)'],
      [() => infer('--weights', pth, '--test-path', 'txtonly', '--out', 'x'), /ulseg: warning: txtonly: skipping 1 file\(s\) that are not \.png: notes\.txt\nulseg: txtonly: no PNG images/],
      [() => infer('--weights', join(fixtures, 'linknet-b0/input.npy'), '--test-path', 'img', '--out', 'x'), /ulseg: .*input\.npy: neither a safetensors file nor a PyTorch \.pth/],
      [() => infer('--weights', 'absent.pth', '--test-path', 'img', '--out', 'x'), "ulseg: --weights 'absent.pth': no such file"],
      [() => infer('--weights', 'partial.safetensors', '--test-path', 'img', '--out', 'x'), /ulseg: partial\.safetensors: the weights do not match the model\n\s+missing keys \(\d+\): decoder\.blocks\.4\./],
      [() => infer('--weights', 'no-decoder.safetensors', '--test-path', 'img', '--out', 'x'), /ulseg: no-decoder\.safetensors: the weights match no known decoder \(none of the keys decoder\.blocks\.0\.block\.\* \(linknet\)/],
      [() => infer('--weights', pth, '--test-path', 'img', '--out', 'img/'), "ulseg: --out 'img/' is the input folder: the predictions would replace the images"],
      [() => infer('--weights', pth, '--test-path', 'img', '--out', 'x', '--image-resolution', '100'), /argument '100' is invalid\. expected a multiple of 32 from 32 to 4096 .*; got '100'\./],
      [() => infer('--test-path', 'img', '--out', 'x'), "ulseg: no weights: pass --weights FILE [FILE …] (or the original's --weights1 … --weights5)"],
      [() => infer('--weights', pth, '--test-path', 'img', '--out', 'x', '--tta', 'spin'), /ulseg: test-time augmentation: unknown view 'spin'/],
      [() => ulseg('postprocess', '--image-path', 'predict', '--kernel', '20'), "ulseg: --kernel must be odd (a centred k x k window), got 20; the original's README used 20: use 19 or 21"],
      [() => ulseg('postprocess', '--image-path', 'absent'), 'ulseg: absent: folder not found'],
      [() => ulseg('visualize', '--images', 'txtonly', '--masks', 'predict', '--out', 'v2'), "ulseg: image for mask predict/1.png 'txtonly/1.png': no such file"],
      [() => ulseg('visualize', '--images', 'img', '--masks', 'predict', '--out', 'predict'), "ulseg: --out 'predict' is the --masks folder: the overlays would replace its files"],
      [() => ulseg('evaluate', '--pred', 'predict', '--truth', 'e/truth'), 'ulseg: the folders do not pair up: no true mask in e/truth for 2 prediction(s): 1.png, 2.png; no prediction in predict for 2 true mask(s): blank.png, miss.png'],
    ];
    for (const [command, message] of cases) {
      const result = await command();
      expect(result.code, String(message)).toBe(1);
      if (typeof message === 'string') expect(failureOf(result)).toBe(message);
      else expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(at('x'))).toBe(false);
    const threshold = await ulseg('infer', '--weights', pth, '--test-path', 'img', '--out', 'x', '--threshold', '2');
    expect(threshold.code).not.toBe(0);
    expect(threshold.stderr).toMatch(/option '--threshold <probability>' argument '2' is invalid\. expected a probability from 0 to 1/);
  }, 300_000);
});

function writeTo(path: string, bytes: Uint8Array): string {
  writeFileSync(path, bytes);
  return path;
}
