import type { LoadedNetwork } from './backends/backend.js';
import type { Size, StylizeOptions, StylizeResult } from '../../common/engine-types.js';
import { checkFrame, FrameError, MIN_FRAME_SIDE, type Frame } from '../../common/frame.js';
import {
  blendIntoFrame,
  frameToNetworkImage,
  preserveColors,
  renderNetworkOutput,
} from './frame/pixel-ops.js';
import { resizeFrame } from './frame/resize.js';

/** Without a processing size, the network works at the frame's size, but no larger than this a side. */
export const DEFAULT_MAX_PROCESSING_SIDE = 2048;

export type { Size, StylizeOptions, StylizeResult, StylizeTimings } from '../../common/engine-types.js';

/** Checks options from outside (IPC, the CLI) and fills in defaults. */
export function normalizeStylizeOptions(
  options: StylizeOptions = {},
): Required<Omit<StylizeOptions, 'maxNetworkSize'>> & Pick<StylizeOptions, 'maxNetworkSize'> {
  // Over IPC "no options" may arrive as null.
  options ??= {};
  const strength = options.strength ?? 1;
  if (typeof strength !== 'number' || !Number.isFinite(strength) || strength < 0 || strength > 1) {
    throw new FrameError(`Strength must be a number from 0 to 1, got ${String(strength)}.`);
  }
  const preserve = options.preserveColors ?? false;
  if (typeof preserve !== 'boolean') {
    throw new FrameError(`preserveColors must be true or false, got ${String(preserve)}.`);
  }
  const box = options.maxNetworkSize;
  if (box !== undefined) {
    for (const side of [box.width, box.height]) {
      if (!Number.isInteger(side) || side < MIN_FRAME_SIDE || side > 4096) {
        throw new FrameError(
          `The network size (maxNetworkSize) must be whole numbers from ${MIN_FRAME_SIDE} to 4096 pixels, got ${String(box.width)}x${String(box.height)}.`,
        );
      }
    }
  }
  return { strength, preserveColors: preserve, ...(box === undefined ? {} : { maxNetworkSize: box }) };
}

/** The size the network runs at for a frame: the frame fitted inside the box, aspect kept, never enlarged. */
export function networkSizeFor(frame: Size, box?: Size): Size {
  const limit = box ?? { width: DEFAULT_MAX_PROCESSING_SIDE, height: DEFAULT_MAX_PROCESSING_SIDE };
  const scale = Math.min(1, limit.width / frame.width, limit.height / frame.height);
  if (scale === 1) return { width: frame.width, height: frame.height };
  return {
    width: Math.max(MIN_FRAME_SIDE, Math.round(frame.width * scale)),
    height: Math.max(MIN_FRAME_SIDE, Math.round(frame.height * scale)),
  };
}

/**
 * Stylizes one frame with a loaded network: any size from 16 to 4096 px a side in, the same size out.
 *
 * @throws {FrameError} for a malformed frame or options, before any work is done.
 */
export async function stylizeFrame(
  network: LoadedNetwork,
  frame: Frame,
  options: StylizeOptions = {},
): Promise<StylizeResult> {
  checkFrame(frame);
  const { strength, preserveColors: keepColors, maxNetworkSize: box } = normalizeStylizeOptions(options);
  const start = performance.now();
  const size = networkSizeFor(frame, box);

  if (strength === 0) {
    // The original, untouched: no reason to spend a network run on pixels nobody will see.
    const copy = blendIntoFrame(new Uint8Array(frame.width * frame.height * 3), frame, 0);
    const totalMs = performance.now() - start;
    return {
      frame: copy,
      networkSize: size,
      timings: { prepareMs: 0, networkMs: 0, finishMs: totalMs, totalMs },
    };
  }

  const small = await resizeFrame(frame, size.width, size.height);
  const input = frameToNetworkImage(small);
  const prepared = performance.now();

  const output = await network.run(input);
  const ran = performance.now();

  let stylized = renderNetworkOutput(output, size.width, size.height);
  if (size.width !== frame.width || size.height !== frame.height) {
    stylized = (await resizeFrame({ data: stylized, ...size, channels: 3 }, frame.width, frame.height))
      .data as Uint8Array;
  }
  if (keepColors) preserveColors(stylized, frame);
  const result = blendIntoFrame(stylized, frame, strength);
  const done = performance.now();

  return {
    frame: result,
    networkSize: size,
    timings: {
      prepareMs: prepared - start,
      networkMs: ran - prepared,
      finishMs: done - ran,
      totalMs: done - start,
    },
  };
}
