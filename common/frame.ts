/** Smallest and largest side of a frame the engine accepts. */
export const MIN_FRAME_SIDE = 16;
export const MAX_FRAME_SIDE = 4096;

/** A picture as the camera, the CLI and the renderer hand it over: 8-bit RGB or RGBA, row-major, no padding. */
export interface Frame {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
}

/** Thrown for frames and options the engine refuses; the message says which value and why. */
export class FrameError extends RangeError {
  override readonly name = 'FrameError';
}

/** Checks a frame handed to the engine from outside (IPC, a file, a test). */
export function checkFrame(frame: Frame, what = 'Frame'): void {
  // Over IPC a frame can be missing altogether: say so, rather than fail destructuring with a TypeError.
  if (typeof frame !== 'object' || frame === null) {
    throw new FrameError(
      `${what} must be an object with data, width, height and channels, got ${frame === null ? 'null' : typeof frame}.`,
    );
  }
  const { width, height, channels, data } = frame;
  for (const [label, side] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(side) || side < MIN_FRAME_SIDE || side > MAX_FRAME_SIDE) {
      throw new FrameError(
        `${what} ${label} must be a whole number from ${MIN_FRAME_SIDE} to ${MAX_FRAME_SIDE} pixels, got ${side}.`,
      );
    }
  }
  if (channels !== 3 && channels !== 4) {
    throw new FrameError(`${what} must be RGB (3 channels) or RGBA (4), got ${String(channels)} channels.`);
  }
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) {
    throw new FrameError(`${what} pixels must be a Uint8Array or Uint8ClampedArray.`);
  }
  const expected = width * height * channels;
  if (data.length !== expected) {
    throw new FrameError(
      `${what} of ${width}x${height} with ${channels} channels needs ${expected} bytes, got ${data.length}.`,
    );
  }
}
