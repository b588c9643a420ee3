import type { Frame } from '../../../common/frame.js';

/** A frame whose pixels are a plain `Uint8Array`, as the contract's validators and MessagePack want. */
export interface ByteFrame extends Frame {
  readonly data: Uint8Array;
}

/**
 * The same pixels as a `Uint8Array` view (no copy): canvas pixels are `Uint8ClampedArray`, which the
 * contract's `z.instanceof(Uint8Array)` refuses and MessagePack would not send as binary.
 */
export function asByteFrame(frame: Frame): ByteFrame {
  const { data } = frame;
  const bytes =
    data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { data: bytes, width: frame.width, height: frame.height, channels: frame.channels };
}

/**
 * The buffer to transfer (move, not copy) with a frame, when the frame's pixels are the whole of
 * it; a view into a larger buffer is copied instead, since moving it would take the rest along.
 */
export function transferList(frame: Frame): ArrayBuffer[] {
  const { buffer, byteOffset, byteLength } = frame.data;
  return buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength
    ? [buffer]
    : [];
}

/**
 * A frame's pixels as RGBA for `ImageData` (a view when they already are, else expanded from RGB).
 *
 * @throws {RangeError} when the pixel count does not match the frame's size: a malformed reply.
 */
export function toRgba(frame: Frame): Uint8ClampedArray<ArrayBuffer> {
  const { data, width, height, channels } = frame;
  const pixels = width * height;
  if (!Number.isInteger(pixels) || pixels <= 0 || (channels !== 3 && channels !== 4)) {
    throw new RangeError(`A stylized frame of ${width}x${height} with ${channels} channels cannot be drawn.`);
  }
  if (data.length !== pixels * channels) {
    throw new RangeError(
      `A stylized frame of ${width}x${height} with ${channels} channels needs ${pixels * channels} bytes, got ${data.length}.`,
    );
  }
  if (channels === 4 && data.buffer instanceof ArrayBuffer) {
    return new Uint8ClampedArray(data.buffer, data.byteOffset, data.length);
  }
  const out = new Uint8ClampedArray(pixels * 4);
  for (let i = 0, o = 0; o < out.length; i += channels, o += 4) {
    out[o] = data[i]!;
    out[o + 1] = data[i + 1]!;
    out[o + 2] = data[i + 2]!;
    out[o + 3] = channels === 4 ? data[i + 3]! : 255;
  }
  return out;
}
