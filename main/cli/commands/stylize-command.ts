import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { BackendChoice } from '../../engine/backends/select-backend.js';
import type { PrecisionChoice } from '../../engine/engine-types.js';
import { Engine } from '../../engine/engine.js';
import type { Size } from '../../engine/stylize.js';
import { isImageFile, readImage, writeImage } from '../image-files.js';
import { resolveModelArgument } from '../model-library.js';

export interface StylizeCommandOptions {
  readonly model: string;
  readonly output: string;
  readonly backend: BackendChoice;
  readonly precision: PrecisionChoice;
  readonly size?: Size;
  readonly strength: number;
  readonly preserveColors: boolean;
}

/** What a run did, for the exit code. */
export interface StylizeSummary {
  readonly written: string[];
  readonly failed: { input: string; error: string }[];
}

/**
 * Stylizes image files with one loaded model. Inputs are files or folders (their images, not
 * recursive). One input may go to an output file; several go into an output folder as
 * `<name>.<model>.<ext>`. A file that fails is reported and skipped; the rest still run.
 */
export async function stylizeCommand(
  inputs: string[],
  options: StylizeCommandOptions,
  log: (line: string) => void = console.log,
): Promise<StylizeSummary> {
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
    for (const input of files) {
      const output = toFolder ? path.join(options.output, outputName(input, status.model)) : options.output;
      try {
        const { frame, scaledFrom } = await readImage(input);
        const result = await engine.stylize(frame, {
          strength: options.strength,
          preserveColors: options.preserveColors,
          ...(options.size ? { processingSize: options.size } : {}),
        });
        await writeImage(result.frame, output);
        summary.written.push(output);
        const note = scaledFrom ? ` (scaled down from ${scaledFrom.width}x${scaledFrom.height})` : '';
        const at = result.processingSize;
        log(
          `${input} -> ${output}  ${frame.width}x${frame.height}${note}, network at ${at.width}x${at.height}, ` +
            `${result.timings.networkMs.toFixed(0)} ms network, ${result.timings.totalMs.toFixed(0)} ms total`,
        );
      } catch (error) {
        summary.failed.push({ input, error: (error as Error).message });
        log(`${input}: FAILED: ${(error as Error).message}`);
      }
    }
    return summary;
  } finally {
    await engine.dispose();
  }
}

/** `photo.jpg` + model `udnie` -> `photo.udnie.jpg`; other inputs keep their format. */
function outputName(input: string, model: string): string {
  const ext = path.extname(input);
  return `${path.basename(input, ext)}.${model}${ext.toLowerCase()}`;
}

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
      const names = (await readdir(input)).filter(isImageFile).sort();
      files.push(...names.map((n) => path.join(input, n)));
    } else {
      files.push(input);
    }
  }
  return files;
}
