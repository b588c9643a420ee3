/**
 * `stylemirror bench --temporal`: what the frame stabiliser buys and what it costs, per model.
 *
 * - Still-scene flicker: a still photo with camera-like noise (Gaussian, sigma 3 levels, seeded), 100
 *   frames through the network; the mean absolute difference between consecutive output frames, as
 *   painted and as stabilised.
 * - Motion fidelity: the fox video through the network; in pixels whose input luma changed by more
 *   than 12 levels since the previous frame, the mean absolute difference between the stabilised and
 *   the painted output. Small means motion is taken at once, with no ghost.
 * - The stabiliser's own time per frame (signature + blend) at 256x192 and 640x480.
 *
 * Each frame goes through the network once; both numbers compare the same painted frames with and
 * without the stabiliser, so the network's own run-to-run differences do not enter them.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { BackendChoice, Size } from '../../../common/engine-types.js';
import type { Frame } from '../../../common/frame.js';
import { lumaSignature } from '../../../common/temporal/frame-change.js';
import { FrameStabilizer, type StabilizerOptions } from '../../../common/temporal/stabilizer.js';
import { Engine } from '../../engine/engine.js';
import { seededRandom, withCameraNoise } from '../camera-noise.js';
import { benchModelFolders, FOX_VIDEO, STILL_PHOTO } from '../shared-data.js';
import { parseY4m, yuvToRgb } from '../y4m.js';

export interface TemporalBenchOptions {
  /** The folder of model folders; every model in it is measured unless `model` names one. */
  readonly models?: string;
  /** One model: a folder name inside `models`, or a model folder's path. */
  readonly model?: string;
  readonly backend: BackendChoice;
  readonly json: boolean;
}

/** The mirror's default processing size: the frames the stabiliser sees there. */
export const TEMPORAL_SIZE: Size = { width: 256, height: 192 };
export const STILL_FRAMES = 100;
export const NOISE_SIGMA = 3;
const NOISE_SEED = 20261124;
/** A pixel moved when its luma changed by more than this since the previous frame. */
export const MOTION_LEVELS = 12;
/** Targets: flicker at least this many times lower, moving pixels within this many levels. */
export const FLICKER_TARGET = 3;
export const FIDELITY_TARGET = 3;
/** Sizes the stabiliser is timed at: the mirror's default processing size and VGA. */
const TIMED_SIZES: readonly Size[] = [TEMPORAL_SIZE, { width: 640, height: 480 }];
const TIMED_FRAMES = 60;

export interface TemporalModelRow {
  readonly model: string;
  /** Mean absolute difference between consecutive output frames on the still scene, in levels. */
  readonly flickerPainted: number;
  readonly flickerStabilized: number;
  /** flickerPainted / flickerStabilized. */
  readonly flickerReduction: number;
  /** Mean |stabilised - painted| over the fox video's moving pixels, in levels. */
  readonly motionDifference: number;
  /** Moving pixels counted, over all frames. */
  readonly movingPixels: number;
}

export interface TemporalBenchReport {
  readonly size: Size;
  readonly backend: string;
  readonly stillSource: string;
  readonly videoSource: string;
  readonly videoFrames: number;
  readonly rows: TemporalModelRow[];
  /** The stabiliser's median ms per frame (signature + blend), per size. */
  readonly stabilizerMs: { readonly size: Size; readonly ms: number }[];
}

/** Runs every model over the still scene and the fox video, and prints flicker and fidelity. */
export async function temporalBenchCommand(
  options: TemporalBenchOptions,
  log: (line: string) => void = console.log,
): Promise<TemporalBenchReport> {
  const { modelsDir, folders } = await benchModelFolders(options);
  const say = options.json ? () => undefined : log;
  const { still, video } = await temporalScenes();

  const rows: TemporalModelRow[] = [];
  let backend = '';
  for (const folder of folders) {
    const engine = new Engine();
    try {
      const status = await engine.loadModel(path.join(modelsDir, folder), options.backend);
      backend = `${status.backend.kind} ${status.backend.runtime} (${status.backend.device})`;
      say(`${folder}: painting ${still.length} still frames and ${video.length} video frames…`);
      const paint = async (frames: Frame[]) => {
        const out: Frame[] = [];
        for (const frame of frames) out.push((await engine.stylize(frame)).frame);
        return out;
      };
      rows.push(measureModel(folder, still, await paint(still), video, await paint(video)));
    } finally {
      await engine.dispose();
    }
  }
  const report: TemporalBenchReport = {
    size: TEMPORAL_SIZE,
    backend,
    stillSource: `${path.basename(STILL_PHOTO)}, ${STILL_FRAMES} frames, noise sigma ${NOISE_SIGMA} (seeded)`,
    videoSource: path.basename(FOX_VIDEO),
    videoFrames: video.length,
    rows,
    stabilizerMs: TIMED_SIZES.map((size) => ({ size, ms: timeStabilizer(size) })),
  };
  if (options.json) log(JSON.stringify(report, null, 2));
  else printReport(report, log);
  return report;
}

/** Both numbers for one model, from the frames it painted. */
export function measureModel(
  model: string,
  stillInputs: readonly Frame[],
  stillPainted: readonly Frame[],
  videoInputs: readonly Frame[],
  videoPainted: readonly Frame[],
  options?: StabilizerOptions,
): TemporalModelRow {
  const flickerPainted = consecutiveDifference(stillPainted);
  const flickerStabilized = consecutiveDifference(stabilizeSequence(stillInputs, stillPainted, options));
  const motion = motionDifference(
    videoInputs,
    videoPainted,
    stabilizeSequence(videoInputs, videoPainted, options),
  );
  return {
    model,
    flickerPainted,
    flickerStabilized,
    flickerReduction: flickerPainted / flickerStabilized,
    motionDifference: motion.levels,
    movingPixels: motion.pixels,
  };
}

/** The painted frames as one stabiliser steadies them, in order (copies: the painted ones stay). */
export function stabilizeSequence(
  inputs: readonly Frame[],
  painted: readonly Frame[],
  options?: StabilizerOptions,
): Frame[] {
  const stabilizer = new FrameStabilizer(options);
  return painted.map((frame, i) =>
    stabilizer.stabilize(lumaSignature(inputs[i]!), { ...frame, data: new Uint8Array(frame.data) }),
  );
}

/** Mean absolute difference between each frame and the next, over all pixels and channels. */
export function consecutiveDifference(frames: readonly Frame[]): number {
  if (frames.length < 2) throw new Error('Flicker needs at least two frames.');
  let sum = 0;
  let count = 0;
  for (let f = 1; f < frames.length; f++) {
    const a = frames[f - 1]!.data;
    const b = frames[f]!.data;
    for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
    count += a.length;
  }
  return sum / count;
}

/**
 * Over the pixels whose input luma changed by more than {@link MOTION_LEVELS} since the previous
 * frame: the mean absolute difference (over colour channels) between `steady` and `painted`.
 */
export function motionDifference(
  inputs: readonly Frame[],
  painted: readonly Frame[],
  steady: readonly Frame[],
): { levels: number; pixels: number } {
  let sum = 0;
  let pixels = 0;
  for (let f = 1; f < inputs.length; f++) {
    const before = inputs[f - 1]!;
    const now = inputs[f]!;
    const a = painted[f]!;
    const b = steady[f]!;
    for (let p = 0; p < now.width * now.height; p++) {
      if (Math.abs(luma(now, p) - luma(before, p)) <= MOTION_LEVELS) continue;
      pixels++;
      for (let k = 0; k < 3; k++) {
        sum += Math.abs(a.data[p * a.channels + k]! - b.data[p * b.channels + k]!);
      }
    }
  }
  return { levels: pixels === 0 ? 0 : sum / (pixels * 3), pixels };
}

function luma(frame: Frame, pixel: number): number {
  const i = pixel * frame.channels;
  return 0.299 * frame.data[i]! + 0.587 * frame.data[i + 1]! + 0.114 * frame.data[i + 2]!;
}

/**
 * The bench's inputs at {@link TEMPORAL_SIZE}: the still photo {@link STILL_FRAMES} times, each with
 * its own seeded camera noise (the same every run), and every frame of the fox video.
 */
export async function temporalScenes(): Promise<{ still: Frame[]; video: Frame[] }> {
  const photo = await readPhoto(STILL_PHOTO, TEMPORAL_SIZE);
  const random = seededRandom(NOISE_SEED);
  const still = Array.from({ length: STILL_FRAMES }, () => withCameraNoise(photo, NOISE_SIGMA, random));
  return { still, video: await readVideo(FOX_VIDEO, TEMPORAL_SIZE) };
}

async function readPhoto(file: string, size: Size): Promise<Frame> {
  const { data, info } = await sharp(file)
    .resize(size.width, size.height, { fit: 'cover' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true })
    .catch((error: unknown) => {
      throw new Error(`Cannot read the still photo ${file}: ${(error as Error).message}`);
    });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 };
}

/** Every frame of a `.y4m` video as RGB at `size` (scaled as the mirror's capture would). */
async function readVideo(file: string, size: Size): Promise<Frame[]> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new Error(`Cannot read the video ${file}: ${(error as Error).message}`);
  }
  const { header, frames } = parseY4m(bytes, file);
  return Promise.all(
    frames.map(async (yuv) => {
      const rgb = yuvToRgb(yuv, header);
      const { data } = await sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
        .resize(size.width, size.height, { fit: 'cover' })
        .raw()
        .toBuffer({ resolveWithObject: true });
      return { data: new Uint8Array(data), width: size.width, height: size.height, channels: 3 } as Frame;
    }),
  );
}

/**
 * Median ms of one frame's signature + stabilisation at `size`, on RGBA frames as the page has them:
 * a noisy still input and a shimmering output, so the blend does its full work on every pixel.
 */
function timeStabilizer(size: Size): number {
  const random = seededRandom(1);
  const flat: Frame = {
    data: new Uint8Array(size.width * size.height * 4).fill(128),
    ...size,
    channels: 4,
  };
  const inputs = Array.from({ length: 4 }, () => withCameraNoise(flat, NOISE_SIGMA, random));
  const outputs = Array.from({ length: 4 }, () => withCameraNoise(flat, 12, random));
  const stabilizer = new FrameStabilizer();
  const times: number[] = [];
  for (let i = 0; i < TIMED_FRAMES + 5; i++) {
    const output = outputs[i % 4]!;
    const frame = { ...output, data: new Uint8Array(output.data) };
    const start = performance.now();
    stabilizer.stabilize(lumaSignature(inputs[i % 4]!), frame);
    // The first frames allocate and warm the JIT up.
    if (i >= 5) times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1]!;
}

function printReport(report: TemporalBenchReport, log: (line: string) => void): void {
  log('');
  log(`Frames at ${report.size.width}x${report.size.height}, network on ${report.backend}`);
  log(`Still scene: ${report.stillSource}`);
  log(
    `Motion:      ${report.videoSource}, ${report.videoFrames} frames; pixels whose luma moved > ${MOTION_LEVELS} levels`,
  );
  log('');
  log(
    [
      'model'.padEnd(14),
      'flicker painted',
      'stabilised',
      'lower by',
      `(>= ${FLICKER_TARGET}x)`,
      ' motion diff',
      `(<= ${FIDELITY_TARGET})`,
      'moving px',
    ].join('  '),
  );
  for (const r of report.rows) {
    log(
      [
        r.model.padEnd(14),
        r.flickerPainted.toFixed(2).padStart(15),
        r.flickerStabilized.toFixed(2).padStart(10),
        `${r.flickerReduction.toFixed(1)}x`.padStart(8),
        (r.flickerReduction >= FLICKER_TARGET ? 'met' : 'NOT met').padEnd(7),
        r.motionDifference.toFixed(2).padStart(12),
        (r.motionDifference <= FIDELITY_TARGET ? 'met' : 'NOT met').padEnd(6),
        String(r.movingPixels).padStart(9),
      ].join('  '),
    );
  }
  log('');
  for (const { size, ms } of report.stabilizerMs) {
    log(
      `Stabiliser: ${ms.toFixed(2)} ms per frame at ${size.width}x${size.height} (signature + blend, median of ${TIMED_FRAMES})`,
    );
  }
}
