import { Command, Option } from 'commander';
import { benchCommand } from './commands/bench-command.js';
import { stylizeCommand } from './commands/stylize-command.js';
import { parseBackend, parseSize, parseStrength } from './parse-options.js';

const program = new Command('stylemirror')
  .description(
    'Style Mirror: fast style transfer with ml5.js models, on the GPU where one works, else the CPU.',
  )
  .showHelpAfterError();

program
  .command('stylize')
  .description('stylize PNG/JPEG/WebP images (files or folders) with one model')
  .argument('<input...>', 'image files or folders of images')
  .requiredOption('-m, --model <dir|id>', 'ml5 model folder (manifest.json + weights), or a model id')
  .requiredOption('-o, --output <file|dir>', 'output image file (one input) or folder')
  .addOption(new Option('-b, --backend <name>', 'auto, ort or tfjs').default('auto').argParser(parseBackend))
  .option(
    '-s, --size <WxH>',
    'processing size: the network runs at most this big, then scales back up',
    parseSize,
  )
  .option('--strength <0..1>', 'blend with the original: 0 original, 1 full style', parseStrength, 1)
  .option('--preserve-colors', "keep the photo's colours, take the style's light and dark", false)
  .action(async (inputs: string[], opts) => {
    const summary = await stylizeCommand(inputs, opts);
    if (summary.failed.length > 0) {
      console.error(
        `${summary.failed.length} of ${summary.failed.length + summary.written.length} images failed.`,
      );
      process.exitCode = 1;
    }
  });

program
  .command('bench')
  .description('ms per frame and fps at 256x256 and 640x480 for every available backend, against tfjs wasm')
  .option('-m, --model <dir|id>', 'ml5 model folder or id (default: synthetic weights of the same shape)')
  .option('--json', 'print JSON instead of a table', false)
  .option(
    '--runs <n>',
    'timed frames per backend and size (after one warm-up)',
    (v) => Number.parseInt(v, 10),
    5,
  )
  .option('--include-slow', 'also time tfjs "cpu" (pure JavaScript, minutes per frame at 640x480)', false)
  .action(async (opts) => {
    await benchCommand(opts);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`stylemirror: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
});
