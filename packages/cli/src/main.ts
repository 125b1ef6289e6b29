/** ulseg: ultrasound lesion segmentation on hand-written WebGPU kernels. */
import { Command, Option } from 'commander';
import { ADAPTER_KINDS } from '@ulseg/kernels';
import { runInfo } from './commands/info.js';
import { runDemo } from './commands/demo.js';
import { runConvert } from './commands/convert.js';
import { reportFailure } from './errors.js';

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

program
  .command('info')
  .description('print the WebGPU adapter ulseg would use: name, driver, features and limits')
  .addOption(adapterOption())
  .action(async (options: { adapter?: (typeof ADAPTER_KINDS)[number] }) => runInfo(options));

program
  .command('demo')
  .description(
    'the main job on embedded data, needing nothing downloaded. For now: pick the adapter, print it, and run a\n' +
      'smoke computation (element-wise ops and a 10^6-element reduction) checked against a float64 CPU reference',
  )
  .addOption(adapterOption())
  .action(async (options: { adapter?: (typeof ADAPTER_KINDS)[number] }) => runDemo(options));

program
  .command('convert')
  .description(
    "convert the original's PyTorch state_dict (.pth, zip format) into a safetensors checkpoint (float32).\n" +
      'The .pth is read without running any of it: only the globals a state_dict needs are accepted.',
  )
  .argument('<input>', 'a torch.save(model.state_dict()) file, e.g. best_model.pth')
  .argument('<output>', 'the .safetensors file to write (written atomically)')
  .action(async (input: string, output: string) => runConvert(input, output));

program.parseAsync(process.argv).catch((error: unknown) => {
  process.exitCode = reportFailure(error);
});
