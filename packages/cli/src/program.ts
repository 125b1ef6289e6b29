/** The ulseg commands (commander), run by main.ts. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { ADAPTER_KINDS } from '@ulseg/kernels';
import type { NetworkName } from '@ulseg/model';
import { runInfo } from './commands/info.js';
import { RUNTIMES, type Runtime } from './chromium/commands.js';
import { DEMO_PRESETS, runDemo, type DemoPresetName } from './commands/demo.js';
import { runConvert, type ConvertOptions } from './commands/convert.js';
import { runForward, type ForwardOptions } from './commands/forward.js';
import { backboneCheckOption, encoderAliasOption, NETWORK_HELP, networkCheckOption, networkListArgument } from './network-options.js';
import { reportFailure } from './errors.js';
import { inferCommand } from './commands/infer.js';
import { postprocessCommand } from './commands/postprocess.js';
import { visualizeCommand } from './commands/visualize.js';
import { evaluateCommand } from './commands/evaluate.js';
import { exportOnnxCommand } from './commands/export-onnx.js';
import { synthCommand } from './commands/synth.js';
import { preprocessCommand } from './commands/preprocess.js';
import { kebabCaseOptions, numberArgument, trainCommand } from './commands/train.js';
import { deployCommand } from './commands/deploy.js';

const program = new Command()
  .name('ulseg')
  .description(
    'Ultrasound lesion segmentation (the CCF BDCI 2021 winning pipeline) on WebGPU.\n' +
      'Runs on a hardware GPU, or on the CPU through Mesa lavapipe or SwiftShader.',
  )
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)');

const adapterOption = (): Option =>
  new Option('--adapter <kind>', 'WebGPU adapter (env ULSEG_ADAPTER)').choices([...ADAPTER_KINDS]).env('ULSEG_ADAPTER');

const runtimeOption = (): Option =>
  new Option(
    '--runtime <where>',
    'node: WebGPU through Dawn in this process; chromium: the same code in a page of the system headless Chromium (puppeteer-core), ' +
      'files through a token-guarded service on 127.0.0.1 that reaches only the paths named here. ' +
      "With chromium, --adapter swiftshader is Chromium's SwiftShader, lavapipe its GLES compatibility adapter (lavapipe through ANGLE), hardware a GPU through Vulkan",
  )
    .choices([...RUNTIMES])
    .default('node');

program
  .command('info')
  .description('print the WebGPU adapter ulseg would use: name, driver, features and limits')
  .addOption(adapterOption())
  .addOption(runtimeOption())
  .action(async (options: { adapter?: (typeof ADAPTER_KINDS)[number]; runtime: Runtime }) => runInfo(options));

program
  .command('demo')
  .summary('the whole pipeline on generated data: synth, preprocess, train K folds, infer, postprocess, evaluate, report')
  .description(
    'The main job, on an embedded data set it generates (phantom ultrasound scans), needing nothing downloaded:\n' +
      'synth -> preprocess -> K-fold training -> ensemble inference with flip TTA -> RSIP + edge median -> evaluation\n' +
      '-> the ablation table (Otsu baseline, one model, + flips, + ensemble, + RSIP, + EMF) -> overlays, and\n' +
      'OUT/report.html (overlay grid, ablation table, per-fold curves, time of each step, machine and adapter, the\n' +
      'phantom data, settings); it prints the path to open.\n' +
      `Presets: quick = ${DEMO_PRESETS.quick.summary};\n` +
      `         tiny  = ${DEMO_PRESETS.tiny.summary};\n` +
      `         seed  = ${DEMO_PRESETS.seed.summary}.`,
  )
  .option('--out <dir>', 'output folder, new or empty (default: ./ulseg-demo, or ./ulseg-demo-N when that one is taken)')
  .addOption(new Option('--preset <name>', 'what to run').choices(Object.keys(DEMO_PRESETS)).default('quick'))
  .option('--seed <n>', 'seed of the data set, the folds and training', (value) => {
    const seed = Number(value);
    if (!Number.isInteger(seed) || seed < 0) throw new InvalidArgumentError('a non-negative integer');
    return seed;
  }, 2020)
  .addOption(adapterOption())
  .addOption(runtimeOption())
  .option(
    '--networks <list>',
    `also train each of these networks on the same folds and compare them in one table of report.html, like the original's results table (comma-separated: ${NETWORK_HELP})`,
    networkListArgument,
  )
  .action(async (options: { out?: string; preset: DemoPresetName; seed: number; adapter?: (typeof ADAPTER_KINDS)[number]; runtime: Runtime; networks?: NetworkName[] }) => {
    await runDemo(options);
  });

program
  .command('convert')
  .description(
    "convert the original's PyTorch state_dict (.pth, zip format) of any built network into a safetensors checkpoint\n" +
      '(float32) that records its network, backbone and decoder attention. The .pth is read without running any of it:\n' +
      'only the globals a state_dict needs are accepted. The network is recognised from the keys; the state_dict must\n' +
      'match it key for key and shape for shape (a missing, unexpected or misshapen key is refused by name).',
  )
  .argument('<input>', 'a torch.save(model.state_dict()) file, e.g. best_model.pth')
  .argument('<output>', 'the .safetensors file to write (written atomically; must not be the input)')
  .addOption(networkCheckOption())
  .addOption(backboneCheckOption())
  .addOption(encoderAliasOption())
  .addOption(adapterOption())
  .action(async (input: string, output: string, options: ConvertOptions) => runConvert(input, output, options));

program
  .command('forward')
  .description(
    'run the model on an NCHW float32 .npy and write the logits; with --target, also the gradient of the Dice loss\n' +
      'for every parameter (train mode). A tool for checking parity with PyTorch.',
  )
  .requiredOption('--weights <file>', 'model weights: .safetensors or the original .pth')
  .requiredOption('--input <file>', 'input x as a float32 .npy, [N, C, H, W] with H and W multiples of 32')
  .requiredOption('--output <file>', 'logits .npy to write (must not be an input; written only once every input has been checked)')
  .addOption(networkCheckOption())
  .addOption(backboneCheckOption())
  .addOption(encoderAliasOption())
  .addOption(new Option('--mode <mode>', 'BatchNorm mode').choices(['eval', 'train']).default('eval'))
  .option('--drop-connect-rate <rate>', "drop-connect base rate in train mode, from 0 to below 1 (the original trains with 0.2)", numberArgument(0, 1), 0)
  .option('--target <file>', 'target .npy (same shape as the logits) for the Dice loss')
  .option('--grads <file>', 'safetensors file for the parameter gradients (needs --target)')
  .addOption(adapterOption())
  .action(async (options: ForwardOptions) => runForward(options));

for (const command of [inferCommand(adapterOption, runtimeOption), postprocessCommand(adapterOption), visualizeCommand(), evaluateCommand(adapterOption)]) {
  program.addCommand(command.copyInheritedSettings(program));
}

program.addCommand(exportOnnxCommand(adapterOption).copyInheritedSettings(program));

for (const command of [synthCommand(), preprocessCommand(), trainCommand(adapterOption, runtimeOption)]) program.addCommand(command.copyInheritedSettings(program));

program.addCommand(deployCommand().copyInheritedSettings(program));

program.parseAsync(kebabCaseOptions(process.argv, ['synth', 'preprocess', 'train'])).catch((error: unknown) => {
  process.exitCode = reportFailure(error);
});
