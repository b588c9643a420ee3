import { Command, Option } from 'commander';
import { benchCommand } from './commands/bench-command.js';
import { registerModelsCommands } from './commands/models-command.js';
import { registerPackCommands } from './commands/models-pack-command.js';
import { pipelineBenchCommand } from './commands/pipeline-bench.js';
import { temporalBenchCommand } from './commands/temporal-bench.js';
import { stillSceneBenchCommand } from './commands/still-scene-bench.js';
import { parsePort, serveCommand } from './commands/serve-command.js';
import { registerSoakCommand } from './commands/soak-command.js';
import { stylizeCommand } from './commands/stylize-command.js';
import { parseBackend, parsePrecision, parseSize, parseStrength } from './parse-options.js';

const program = new Command('stylemirror')
  .description(
    'Style Mirror: fast style transfer with ml5.js models, on the GPU where one works, else the CPU.',
  )
  .showHelpAfterError();

program
  .command('stylize')
  .description(
    'stylize PNG/JPEG/WebP images (files or folders) or one video (MP4, WebM, MOV, MKV) with one model',
  )
  .argument('<input...>', 'image files or folders of images, or one video file')
  .requiredOption(
    '-m, --model <dir|id>',
    'a model folder (ml5 manifest.json + weights, or an .onnx or tfjs model.json with stylemirror.json), or a model id from `stylemirror models list`',
  )
  .requiredOption('-o, --output <file|dir>', 'output image file (one input) or folder')
  .addOption(new Option('-b, --backend <name>', 'auto, ort or tfjs').default('auto').argParser(parseBackend))
  .addOption(precisionOption('auto: int8 on the CPU where it is fast here and keeps quality, else fp32'))
  .option(
    '-s, --size <WxH>',
    'processing size: the network runs at most this big, then scales back up',
    parseSize,
  )
  .option('--strength <0..1>', 'blend with the original: 0 original, 1 full style', parseStrength, 1)
  .option('--preserve-colors', "keep the photo's colours, take the style's light and dark", false)
  .option(
    '--stabilize',
    "steady the painting where the picture is still: for a video, or a folder's images taken as consecutive frames in name order",
    false,
  )
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
  .description(
    'ms per frame and fps at 256x192, 256x256 and 640x480 for every available backend (int8 beside fp32 on the CPU), against tfjs wasm',
  )
  .option('-m, --model <dir|id>', 'ml5 model folder or id (default: synthetic weights of the same shape)')
  .option('--json', 'print JSON instead of a table', false)
  .option(
    '--runs <n>',
    'timed frames per backend and size (after one warm-up)',
    (v) => Number.parseInt(v, 10),
    5,
  )
  .option('--include-slow', 'also time tfjs "cpu" (pure JavaScript, minutes per frame at 640x480)', false)
  .addOption(
    precisionOption(
      'int8 rows: auto where this CPU has fast int8, int8 always, fp32 never; with --pipeline: what the engine runs',
    ),
  )
  .option(
    '--pipeline',
    'instead: fps and latency the browser page really shows (headless Chromium, fake camera, 256x192) against the engine alone',
    false,
  )
  .option(
    '--still',
    "with --pipeline: instead, the mirror's CPU on a still scene against a moving one (resting on)",
    false,
  )
  .option(
    '--temporal',
    "instead: each model's still-scene flicker and motion fidelity with and without the frame stabiliser, and its ms per frame",
    false,
  )
  .option('--seconds <n>', 'with --pipeline: seconds per measurement', (v) => Number.parseFloat(v), 15)
  .option(
    '--models <dir>',
    'with --pipeline or --temporal: folder of ml5 model folders (default STYLEMIRROR_MODELS, ../shared/models/ml5)',
  )
  .option('--chromium <path>', 'with --pipeline: the Chromium to drive', '/usr/bin/chromium')
  .option(
    '--camera-fps <n>',
    'with --pipeline: play the fox video this fast (its own rate is 15 fps), so an engine faster than the camera shows',
    (v) => Number(v),
  )
  .addOption(
    new Option('-b, --backend <name>', 'with --temporal: auto, ort or tfjs')
      .default('auto')
      .argParser(parseBackend),
  )
  .action(async (opts) => {
    if (opts.pipeline && opts.temporal)
      throw new Error('--pipeline and --temporal are separate benches: give one.');
    if (opts.still && !opts.pipeline) throw new Error('--still goes with --pipeline.');
    if (opts.pipeline && opts.still) await stillSceneBenchCommand(opts);
    else if (opts.pipeline) await pipelineBenchCommand(opts);
    else if (opts.temporal) await temporalBenchCommand(opts);
    else await benchCommand(opts);
  });

program
  .command('serve')
  .description('serve the mirror to a web browser on this machine (browser mode), until Ctrl-C')
  .option('--port <n>', 'port to listen on (0: any free port)', parsePort, 8717)
  .option(
    '--host <address>',
    'address to listen on; beyond loopback, the printed URL carries an access token',
    '127.0.0.1',
  )
  .option('--models <dir>', "folder of your own ml5 model folders (overrides the settings')")
  .option('--settings <file>', "browser mode's settings file (default: settings.json in your config folder)")
  .option(
    '--snapshots <dir>',
    "where snapshots go (overrides the settings'; default ~/Pictures/Style Mirror)",
  )
  .option('--allow-imports', 'let pages add, rename and delete styles and download style packs', false)
  .option('--packs-from <url>', 'download style packs from this mirror instead of their own addresses')
  .option(
    '--control-port <n>',
    'remote control over HTTP on this port (0: any free port; off by default)',
    parsePort,
  )
  .option(
    '--osc-port <n>',
    'remote control over OSC (UDP) on this port (0: any free port; off by default)',
    parsePort,
  )
  .option(
    '--control-host <address>',
    "the remote control's address (default 127.0.0.1); beyond loopback, HTTP needs the printed token and OSC has none",
  )
  .option('--log-file <file>', 'where to log, rotated at 1 MiB (default: serve.log in the logs folder)')
  .action(async (opts) => {
    await serveCommand(opts);
  });

registerPackCommands(registerModelsCommands(program));
registerSoakCommand(program);

function precisionOption(what: string): Option {
  return new Option('-p, --precision <name>', `auto, fp32 or int8 (${what})`)
    .default('auto')
    .argParser(parsePrecision);
}

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`stylemirror: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
});
