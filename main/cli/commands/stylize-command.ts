import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { lumaSignature } from '../../../common/temporal/frame-change.js';
import { FrameStabilizer } from '../../../common/temporal/stabilizer.js';
import type { BackendChoice } from '../../engine/backends/select-backend.js';
import type { PrecisionChoice } from '../../../common/engine-types.js';
import { Engine } from '../../engine/engine.js';
import type { Size } from '../../engine/stylize.js';
import type { StylizeOptions } from '../../../common/engine-types.js';
import { isImageFile, readImage, writeImage } from '../image-files.js';
import { resolveModelArgument } from '../model-library.js';
import { startProgress } from '../progress.js';
import { isVideoFile } from '../video/ffmpeg.js';
import { stylizeVideo } from './stylize-video.js';

export interface StylizeCommandOptions {
  readonly model: string;
  readonly output: string;
  readonly backend: BackendChoice;
  readonly precision: PrecisionChoice;
  readonly size?: Size;
  readonly strength: number;
  readonly preserveColors: boolean;
  /** Take the inputs as consecutive frames of one video, in order, and steady the painting between them. */
  readonly stabilize?: boolean;
}

/** What a run did, for the exit code. */
export interface StylizeSummary {
  readonly written: string[];
  readonly failed: { input: string; error: string }[];
}

/**
 * Stylizes image files or one video with one loaded model. Inputs are files or folders (their images,
 * not recursive). One input may go to an output file; several go into an output folder as
 * `<name>.<model>.<ext>`. A file that fails is reported and skipped; the rest still run. A video goes
 * to one output video file.
 */
export async function stylizeCommand(
  inputs: string[],
  options: StylizeCommandOptions,
  log: (line: string) => void = console.log,
): Promise<StylizeSummary> {
  if (inputs.some(isVideoFile)) {
    if (inputs.length !== 1) throw new Error('Give one video at a time (with no images beside it).');
    return stylizeVideoCommand(inputs[0]!, options, log);
  }
  const files = await expandInputs(inputs);
  if (files.length === 0) throw new Error(`No PNG, JPEG or WebP images in ${inputs.join(', ')}.`);

  const toFolder = files.length > 1 || inputs.some((i) => !isImageFile(i)) || !isImageFile(options.output);
  if (toFolder) await mkdir(options.output, { recursive: true });
  else await mkdir(path.dirname(path.resolve(options.output)), { recursive: true });

  const engine = new Engine();
  try {
    const status = await engine.loadModel(
      await resolveModelArgument(options.model),
      options.backend,
      undefined,
      options.precision,
    );
    const { backend } = status;
    log(
      `model ${status.model} on ${backend.kind} (${backend.runtime}, ${backend.device}, ${backend.precision})`,
    );
    if (backend.fallbackReason !== undefined) log(`  not on a faster device: ${backend.fallbackReason}`);
    log(`  precision ${backend.precision}: ${backend.precisionReason}`);

    const summary: StylizeSummary = { written: [], failed: [] };
    const progress = files.length > 1 ? startProgress(files.length, 'images') : undefined;
    // With a bar on the terminal, only failures are worth a line above it.
    const report = progress === undefined ? log : () => undefined;
    // Frame by frame, as a video loop would call it; it starts afresh by itself on a size change.
    const stabilizer = options.stabilize === true ? new FrameStabilizer() : undefined;
    if (stabilizer !== undefined)
      log(`stabilising ${files.length} images as consecutive frames, in this order`);
    for (const input of files) {
      const output = toFolder ? path.join(options.output, outputName(input, status.model)) : options.output;
      try {
        const { frame, scaledFrom } = await readImage(input);
        const result = await engine.stylize(frame, stylizeOptions(options));
        const painted = stabilizer?.stabilize(lumaSignature(frame), result.frame) ?? result.frame;
        await writeImage(painted, output);
        summary.written.push(output);
        const note = scaledFrom ? ` (scaled down from ${scaledFrom.width}x${scaledFrom.height})` : '';
        const at = result.networkSize;
        report(
          `${input} -> ${output}  ${frame.width}x${frame.height}${note}, network at ${at.width}x${at.height}, ` +
            `${result.timings.networkMs.toFixed(0)} ms network, ${result.timings.totalMs.toFixed(0)} ms total`,
        );
      } catch (error) {
        summary.failed.push({ input, error: (error as Error).message });
        (progress?.log ?? log)(`${input}: FAILED: ${(error as Error).message}`);
      }
      progress?.tick();
    }
    progress?.stop();
    return summary;
  } finally {
    await engine.dispose();
  }
}

async function stylizeVideoCommand(
  input: string,
  options: StylizeCommandOptions,
  log: (line: string) => void,
): Promise<StylizeSummary> {
  await mkdir(path.dirname(path.resolve(options.output)), { recursive: true });
  const engine = new Engine();
  try {
    const status = await engine.loadModel(await resolveModelArgument(options.model), options.backend);
    log(
      `model ${status.model} on ${status.backend.kind} (${status.backend.runtime}, ${status.backend.device})`,
    );
    await stylizeVideo(
      engine,
      input,
      options.output,
      stylizeOptions(options),
      log,
      options.stabilize === true,
    );
    return { written: [options.output], failed: [] };
  } finally {
    await engine.dispose();
  }
}

function stylizeOptions(options: StylizeCommandOptions): StylizeOptions {
  return {
    strength: options.strength,
    preserveColors: options.preserveColors,
    ...(options.size ? { maxNetworkSize: options.size } : {}),
  };
}

/** `photo.jpg` + model `udnie` -> `photo.udnie.jpg`; other inputs keep their format. */
function outputName(input: string, model: string): string {
  const ext = path.extname(input);
  return `${path.basename(input, ext)}.${model}${ext.toLowerCase()}`;
}

const NAME_ORDER = new Intl.Collator('en', { numeric: true });

async function expandInputs(inputs: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    let info;
    try {
      info = await stat(input);
    } catch {
      throw new Error(`Input ${input} does not exist.`);
    }
    if (info.isDirectory()) {
      // Natural order, so frame2 comes before frame10: the order frames of a video are named in.
      const names = (await readdir(input)).filter(isImageFile).sort(NAME_ORDER.compare);
      files.push(...names.map((n) => path.join(input, n)));
    } else {
      files.push(input);
    }
  }
  return files;
}
