/**
 * The page's settings, from its URL query (`?tta=none&resolution=64`) or its form fields: every value is checked, and
 * a bad one becomes one ConfigError naming the parameter, the value and the rule. No DOM here (tested in Node).
 */
import { resolveViews, type TtaView } from '@ulseg/infer';
import { BACKBONES, checkBackbone, checkDecoderAttention, checkNetwork, NETWORKS, type BackboneName, type DecoderAttention, type NetworkName } from '@ulseg/model';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface SegmentSettings {
  /** Weight URLs (relative to the page); empty: the bundled demo weights under `weights/`, if any. */
  readonly weights: readonly string[];
  /** A scan URL to segment as soon as the weights are ready (otherwise the user drops one). */
  readonly scan: string | undefined;
  /** Model input size R (multiple of 32). */
  readonly resolution: number;
  /** Test-time views: `flips` (the original's four), `none`, or a list such as `identity,hflip`. */
  readonly tta: readonly TtaView[];
  readonly threshold: number;
  /** RSIP: largest removed region in pixels (0: none removed). */
  readonly rsip: number;
  /** EMF window (odd; 1: no filter). */
  readonly kernel: number;
  readonly fillHoles: boolean;
}

export interface TrainSettings {
  /** Generated phantom scans to train on, and to validate on (a separate seeded stream). */
  readonly images: number;
  readonly validation: number;
  /** Phantom scan size: width in [w0, w1], height in [h0, h1]. */
  readonly phantomWidth: readonly [number, number];
  readonly phantomHeight: readonly [number, number];
  /** linknet or unet (@ulseg/model's NETWORKS). */
  readonly network: NetworkName;
  /** The backbone: resnet18/34/50, efficientnet-b0 … b7. */
  readonly encoder: BackboneName;
  /** Unet only: scSE decoder attention. */
  readonly decoderAttention: DecoderAttention;
  readonly resolution: number;
  readonly batch: number;
  readonly epochs: number;
  readonly learningRate: number;
  /** w of w·BCE + (1 − w)·Dice. */
  readonly bceWeight: number;
  readonly augment: boolean;
  readonly seed: number;
  /** Start training when the page opens. */
  readonly autostart: boolean;
}

export interface PageSettings {
  readonly tab: 'segment' | 'train';
  readonly segment: SegmentSettings;
  readonly train: TrainSettings;
}

/** Every parameter the page understands, with its meaning (shown on the page and in the README). */
export const PARAMETER_HELP: Readonly<Record<string, string>> = {
  tab: 'segment | train: the tab shown first (default segment)',
  weights: 'comma-separated URLs of .safetensors or .pth checkpoints (default: weights/index.json, else weights/fold1..5/best.safetensors)',
  scan: 'URL of a PNG or JPEG scan to segment once the weights are ready',
  resolution: 'model input size R, a multiple of 32 (default 256)',
  tta: 'test-time views: flips (identity, hflip, vflip, rot180), none, or a comma list of those views (default flips)',
  threshold: 'foreground where the mean probability is >= this (default 0.5)',
  rsip: 'post-processing: remove regions of at most this many pixels, 0 keeps all (default 50)',
  kernel: 'post-processing: edge median window, odd, 1 disables it (default 19)',
  'fill-holes': 'post-processing: fill holes inside the lesion, 0 or 1 (default 0)',
  'train-images': 'phantom scans to train on (default 16)',
  'train-validation': 'phantom scans to validate on after each epoch (default 2)',
  'train-size': 'phantom scan size WxH, e.g. 160x112 (default 160x112)',
  'train-network': `the network to train: ${NETWORKS.join(', ')} (default linknet)`,
  'train-backbone': `its backbone: ${BACKBONES.join(', ')} (default efficientnet-b0; train-encoder is its alias)`,
  'train-encoder': 'alias of train-backbone',
  'train-decoder-attention': 'unet only: none or scse (default none)',
  'train-resolution': 'training input size R, a multiple of 32, at least 64 (default 64)',
  'train-batch': 'images per step (default 4)',
  'train-epochs': 'epochs (default 10)',
  'train-lr': 'Adam learning rate (default 0.01)',
  'train-bce': 'w of the loss w·BCE + (1 − w)·Dice, in [0, 1] (default 0.5)',
  'train-augment': 'augment the training scans on the GPU, 0 or 1 (default 0)',
  'train-seed': 'seed of the phantoms, the initialisation and the shuffling (default 1)',
  'train-autostart': 'start training when the page opens, 0 or 1 (default 0)',
};

function integer(name: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer in ${min}..${max === Number.MAX_SAFE_INTEGER ? '' : max}, got '${text}'`);
  }
  return value;
}

function number(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) throw new ConfigError(`${name} must be a number in [${min}, ${max}], got '${text}'`);
  return value;
}

/** A model-package name check (checkNetwork, …) as a ConfigError naming the parameter. */
function checked<T>(name: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw new ConfigError(`${name}: ${(error as Error).message}`);
  }
}

function flag(name: string, text: string): boolean {
  if (text === '1' || text === 'true') return true;
  if (text === '0' || text === 'false') return false;
  throw new ConfigError(`${name} must be 0 or 1, got '${text}'`);
}

function multipleOf32(name: string, text: string, min: number): number {
  const value = integer(name, text, min, 4096);
  if (value % 32 !== 0) throw new ConfigError(`${name} must be a multiple of 32 (the encoder downsamples 5 times), got ${value}`);
  return value;
}

export const DEFAULT_SEGMENT: SegmentSettings = { weights: [], scan: undefined, resolution: 256, tta: resolveViews('flips'), threshold: 0.5, rsip: 50, kernel: 19, fillHoles: false };

export const DEFAULT_TRAIN: TrainSettings = {
  images: 16,
  validation: 2,
  phantomWidth: [160, 160],
  phantomHeight: [112, 112],
  network: 'linknet',
  encoder: 'efficientnet-b0',
  decoderAttention: 'none',
  resolution: 64,
  batch: 4,
  epochs: 10,
  learningRate: 1e-2,
  bceWeight: 0.5,
  augment: false,
  seed: 1,
  autostart: false,
};

/** Settings from query pairs; unknown names and bad values throw a ConfigError. */
export function parseSettings(pairs: Iterable<readonly [string, string]>): PageSettings {
  let tab: PageSettings['tab'] = 'segment';
  const segment: { -readonly [K in keyof SegmentSettings]: SegmentSettings[K] } = { ...DEFAULT_SEGMENT };
  const train: { -readonly [K in keyof TrainSettings]: TrainSettings[K] } = { ...DEFAULT_TRAIN };
  for (const [name, text] of pairs) {
    switch (name) {
      case 'tab':
        if (text !== 'segment' && text !== 'train') throw new ConfigError(`tab must be segment or train, got '${text}'`);
        tab = text;
        break;
      case 'weights':
        segment.weights = text.split(',').map((url) => url.trim()).filter((url) => url !== '');
        if (segment.weights.length === 0) throw new ConfigError(`weights must list at least one URL, got '${text}'`);
        break;
      case 'scan':
        if (text.trim() === '') throw new ConfigError('scan must be a URL, got an empty value');
        segment.scan = text.trim();
        break;
      case 'resolution':
        segment.resolution = multipleOf32(name, text, 32);
        break;
      case 'tta':
        try {
          segment.tta = resolveViews(text);
        } catch (error) {
          throw new ConfigError(`tta: ${(error as Error).message}`);
        }
        break;
      case 'threshold':
        segment.threshold = number(name, text, 0, 1);
        break;
      case 'rsip':
        segment.rsip = integer(name, text, 0);
        break;
      case 'kernel':
        segment.kernel = integer(name, text, 1, 31);
        if (segment.kernel % 2 === 0) throw new ConfigError(`kernel must be odd (a centred median window), got ${segment.kernel}`);
        break;
      case 'fill-holes':
        segment.fillHoles = flag(name, text);
        break;
      case 'train-images':
        train.images = integer(name, text, 1, 4096);
        break;
      case 'train-validation':
        train.validation = integer(name, text, 1, 4096);
        break;
      case 'train-size': {
        const match = /^(\d+)x(\d+)$/.exec(text.trim());
        const width = match ? Number(match[1]) : NaN;
        const height = match ? Number(match[2]) : NaN;
        if (!(width >= 32 && width <= 2048 && height >= 32 && height <= 2048)) throw new ConfigError(`train-size must be WxH with sides in 32..2048, got '${text}'`);
        train.phantomWidth = [width, width];
        train.phantomHeight = [height, height];
        break;
      }
      case 'train-network':
        train.network = checked(name, () => checkNetwork(text));
        break;
      case 'train-backbone':
      case 'train-encoder':
        train.encoder = checked(name, () => checkBackbone(text));
        break;
      case 'train-decoder-attention':
        if (text !== 'none' && text !== 'scse') throw new ConfigError(`${name}: unknown decoder attention '${text}'; available: none, scse`);
        train.decoderAttention = text;
        break;
      case 'train-resolution':
        train.resolution = multipleOf32(name, text, 64);
        break;
      case 'train-batch':
        train.batch = integer(name, text, 1, 256);
        break;
      case 'train-epochs':
        train.epochs = integer(name, text, 1, 10000);
        break;
      case 'train-lr':
        train.learningRate = number(name, text, 1e-12, 10);
        break;
      case 'train-bce':
        train.bceWeight = number(name, text, 0, 1);
        break;
      case 'train-augment':
        train.augment = flag(name, text);
        break;
      case 'train-seed':
        train.seed = integer(name, text, 0, 0xffffffff);
        break;
      case 'train-autostart':
        train.autostart = flag(name, text);
        break;
      default:
        throw new ConfigError(`unknown parameter '${name}'; known: ${Object.keys(PARAMETER_HELP).join(', ')}`);
    }
  }
  checked('train-decoder-attention', () => checkDecoderAttention(train.decoderAttention, train.network));
  return { tab, segment, train };
}
