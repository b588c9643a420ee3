import type { NetworkImage } from '../backends/backend.js';
import type { Frame } from '../../../common/frame.js';

/** 8-bit RGB(A) frame -> the network's input: RGB float32 in 0..255, alpha dropped, no normalisation. */
export function frameToNetworkImage(frame: Frame): NetworkImage {
  const { data, width, height, channels } = frame;
  const out = new Float32Array(width * height * 3);
  for (let i = 0, o = 0; o < out.length; i += channels, o += 3) {
    out[o] = data[i]!;
    out[o + 1] = data[i + 1]!;
    out[o + 2] = data[i + 2]!;
  }
  return { data: out, width, height };
}

/**
 * The network's raw output -> 8-bit RGB exactly as ml5 renders it, cropped to `width x height` (the
 * network pads each side up to a multiple of 4): `min(255, floor(256 * clip(v, 0, 255) / 255))`.
 */
export function renderNetworkOutput(output: NetworkImage, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  const rowStride = output.width * 3;
  for (let y = 0, o = 0; y < height; y++) {
    const row = y * rowStride;
    for (let x = 0; x < width * 3; x++, o++) {
      const v = output.data[row + x]!;
      // NaN compares false everywhere and lands on 0, so a broken output shows as black, not garbage.
      const clipped = v > 255 ? 255 : v > 0 ? v : 0;
      out[o] = Math.min(255, Math.floor((256 * clipped) / 255));
    }
  }
  return out;
}

/**
 * Keeps the original's colour and takes only the stylized picture's luminance (Gatys et al.'s
 * "luminance-only transfer"), in BT.601 YCbCr. Writes into `stylized` (RGB) in place.
 */
export function preserveColors(stylized: Uint8Array, original: Frame): void {
  const { data, channels } = original;
  for (let s = 0, i = 0; s < stylized.length; s += 3, i += channels) {
    const y = 0.299 * stylized[s]! + 0.587 * stylized[s + 1]! + 0.114 * stylized[s + 2]!;
    const r = data[i]!;
    const g = data[i + 1]!;
    const b = data[i + 2]!;
    const cb = -0.168736 * r - 0.331264 * g + 0.5 * b;
    const cr = 0.5 * r - 0.418688 * g - 0.081312 * b;
    stylized[s] = clampByte(y + 1.402 * cr);
    stylized[s + 1] = clampByte(y - 0.344136 * cb - 0.714136 * cr);
    stylized[s + 2] = clampByte(y + 1.772 * cb);
  }
}

/**
 * Builds the output frame in the input's channel layout: `strength * stylized + (1 - strength) * original`,
 * alpha copied from the original.
 */
export function blendIntoFrame(stylized: Uint8Array, original: Frame, strength: number): Frame {
  const { data, width, height, channels } = original;
  const out = new Uint8Array(width * height * channels);
  const keep = 1 - strength;
  for (let s = 0, i = 0; s < stylized.length; s += 3, i += channels) {
    if (strength === 1) {
      out[i] = stylized[s]!;
      out[i + 1] = stylized[s + 1]!;
      out[i + 2] = stylized[s + 2]!;
    } else {
      out[i] = Math.round(strength * stylized[s]! + keep * data[i]!);
      out[i + 1] = Math.round(strength * stylized[s + 1]! + keep * data[i + 1]!);
      out[i + 2] = Math.round(strength * stylized[s + 2]! + keep * data[i + 2]!);
    }
    if (channels === 4) out[i + 3] = data[i + 3]!;
  }
  return { data: out, width, height, channels };
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}
