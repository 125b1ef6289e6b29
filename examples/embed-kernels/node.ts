/**
 * The Node variant of the example: the same code (src/example.ts) on a device from Dawn, the npm `webgpu` package,
 * created here exactly as an app without ulseg would create it. Run `node build.mjs`, then `node dist/node.mjs --help`.
 */
import { create, globals } from 'webgpu';
import { CONFIG_HELP, ConfigError, parseConfig } from './src/config.js';
import { runExample, summarize } from './src/example.js';

const USAGE = `Usage: node dist/node.mjs [key=value ...] [--adapter NAME] [--json]

Runs @ulseg/kernels' depthwise convolution and median filter on buffers this program creates on its own Dawn
device, and prints what came back.

Parameters (key=value):
${Object.entries(CONFIG_HELP)
  .map(([key, help]) => `  ${key.padEnd(11)} ${help}`)
  .join('\n')}

Options:
  --adapter NAME  Dawn adapter to use, by name (e.g. llvmpipe, SwiftShader); an unknown name lists the ones Dawn sees.
                  Default: Dawn's choice. SwiftShader's Vulkan driver is found only when VK_ADD_DRIVER_FILES (or
                  VK_ICD_FILENAMES) names its ICD file, e.g. /usr/lib/chromium/vk_swiftshader_icd.json.
  --json          Print the whole result (configuration, adapter, shapes, inputs, outputs) as JSON.
  --help          Show this help.`;

interface Arguments {
  readonly adapter: string | undefined;
  readonly json: boolean;
  readonly pairs: [string, string][];
}

function parseArguments(argv: readonly string[]): Arguments | 'help' {
  let adapter: string | undefined;
  let json = false;
  const pairs: [string, string][] = [];
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument === '--help' || argument === '-h') return 'help';
    if (argument === '--json') json = true;
    else if (argument === '--adapter') {
      adapter = argv[++index];
      if (!adapter) throw new ConfigError('--adapter needs a name, e.g. --adapter llvmpipe');
    } else if (/^[a-z]+=/.test(argument)) {
      const split = argument.indexOf('=');
      pairs.push([argument.slice(0, split), argument.slice(split + 1)]);
    } else throw new ConfigError(`unexpected argument '${argument}' (see --help)`);
  }
  return { adapter, json, pairs };
}

/** Dawn's instance: kept for the life of the program, since the device dies with it when it is garbage-collected. */
let navigatorGpu: GPU | undefined;

async function main(argv: readonly string[]): Promise<void> {
  const args = parseArguments(argv);
  if (args === 'help') {
    console.log(USAGE);
    return;
  }
  const config = parseConfig(args.pairs);
  // Dawn does not install WebGPU's globals (GPUBufferUsage, GPUMapMode, ...) by itself.
  Object.assign(globalThis, globals);
  navigatorGpu = create(args.adapter ? [`adapter=${args.adapter}`] : []);
  const adapter = await navigatorGpu.requestAdapter();
  if (!adapter) throw new Error(`Dawn found no WebGPU adapter${args.adapter ? ` named '${args.adapter}'` : ''}; install a Vulkan driver (Mesa's lavapipe: mesa-vulkan-drivers).`);
  // The app's device, with WebGPU's default limits: enough for the example's tensors.
  const device = await adapter.requestDevice({ label: 'example node' });
  try {
    const result = await runExample(device, config, adapter);
    console.log(args.json ? JSON.stringify(result) : summarize(result));
  } finally {
    // dawn.node (0.6.2) can crash or hang at exit when a device that made buffers is destroyed before its queue was
    // ever waited on (here: when a kernel refused its arguments); waiting for the queue first avoids it.
    await device.queue.onSubmittedWorkDone();
    device.destroy();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error)}`);
  process.exitCode = 1;
});
