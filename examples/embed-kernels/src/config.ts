/**
 * What the example computes, as `key=value` pairs: the page reads them from its URL query
 * (`index.html?shape=2,3,17,23&kernel=5`), the Node variant from its arguments (`shape=2,3,17,23 kernel=5`).
 * Only the syntax is checked here; the geometry (kernel size, stride, window) is checked by the kernels themselves,
 * so their errors are what a bad value shows.
 */
import { ACTIVATIONS, type Activation } from '@ulseg/kernels';

export interface ExampleConfig {
  /** x: [N, C, H, W]; the grey image for the median filter is [N, 1, H, W]. */
  readonly shape: readonly [number, number, number, number];
  /** Depthwise kernel size K (weight [C, 1, K, K]); the fast path takes 3 or 5. */
  readonly kernel: number;
  readonly stride: number;
  /** Zero padding: one number for every side, or [left, right, top, bottom]. */
  readonly padding: number | readonly [number, number, number, number];
  /** Applied after the bias, fused into the depthwise kernel. */
  readonly activation: Activation;
  /** Median window k (odd, up to 31). */
  readonly median: number;
  /** Seed of the generated inputs. */
  readonly seed: number;
}

export const DEFAULT_CONFIG: ExampleConfig = {
  shape: [2, 3, 19, 23],
  kernel: 3,
  stride: 1,
  padding: 1,
  activation: 'silu',
  median: 5,
  seed: 1,
};

/** One line per parameter, for --help and the page. */
export const CONFIG_HELP: Readonly<Record<keyof ExampleConfig, string>> = {
  shape: `N,C,H,W of the depthwise input x (default ${DEFAULT_CONFIG.shape.join(',')}); the median filter runs on an N x 1 x H x W grey image`,
  kernel: `depthwise kernel size K, 3 or 5 (default ${DEFAULT_CONFIG.kernel})`,
  stride: `depthwise stride, 1 or 2 (default ${DEFAULT_CONFIG.stride})`,
  padding: `zero padding: P for every side, or L,R,T,B (default ${DEFAULT_CONFIG.padding})`,
  activation: `${ACTIVATIONS.join(' | ')}, fused after the bias (default ${DEFAULT_CONFIG.activation})`,
  median: `median window k, odd, 1..31 (default ${DEFAULT_CONFIG.median})`,
  seed: `seed of the generated inputs, 0..2^32-1 (default ${DEFAULT_CONFIG.seed})`,
};

/** A configuration problem, stated for the user (no stack trace needed). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

function integers(key: string, text: string, count: readonly number[], minimum: number): number[] {
  const values = text.split(',').map((part) => part.trim());
  const parsed = values.map(Number);
  if (!count.includes(values.length) || values.some((part) => !/^\d+$/.test(part)) || parsed.some((value) => value < minimum || value > 2 ** 32 - 1)) {
    const how = count.length === 1 && count[0] === 1 ? 'an integer' : `${count.join(' or ')} comma-separated integers`;
    throw new ConfigError(`${key} must be ${how} >= ${minimum}, got '${text}'`);
  }
  return parsed;
}

/** Reads `key=value` pairs over DEFAULT_CONFIG; throws ConfigError naming the key and the value. */
export function parseConfig(pairs: Iterable<readonly [string, string]>): ExampleConfig {
  const config: { -readonly [K in keyof ExampleConfig]: ExampleConfig[K] } = { ...DEFAULT_CONFIG };
  for (const [key, value] of pairs) {
    switch (key) {
      case 'shape':
        config.shape = integers(key, value, [4], 1) as [number, number, number, number];
        break;
      case 'kernel':
      case 'stride':
      case 'median':
        config[key] = integers(key, value, [1], 1)[0]!;
        break;
      case 'seed':
        config.seed = integers(key, value, [1], 0)[0]!;
        break;
      case 'padding': {
        const sides = integers(key, value, [1, 4], 0);
        config.padding = sides.length === 1 ? sides[0]! : (sides as [number, number, number, number]);
        break;
      }
      case 'activation':
        if (!(ACTIVATIONS as readonly string[]).includes(value)) {
          throw new ConfigError(`activation must be one of ${ACTIVATIONS.join(', ')}, got '${value}'`);
        }
        config.activation = value as Activation;
        break;
      default:
        throw new ConfigError(`unknown parameter '${key}'; known: ${Object.keys(CONFIG_HELP).join(', ')}`);
    }
  }
  return config;
}

/** The configuration as `key=value` pairs (the inverse of parseConfig), e.g. for a page URL. */
export function configPairs(config: ExampleConfig): [string, string][] {
  return [
    ['shape', config.shape.join(',')],
    ['kernel', String(config.kernel)],
    ['stride', String(config.stride)],
    ['padding', typeof config.padding === 'number' ? String(config.padding) : config.padding.join(',')],
    ['activation', config.activation],
    ['median', String(config.median)],
    ['seed', String(config.seed)],
  ];
}
