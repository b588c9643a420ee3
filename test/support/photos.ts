/**
 * The content photo the engine tests paint, as frames, and the one pixel comparison they share.
 */
import path from 'node:path';
import sharp from 'sharp';
import type { Frame } from '../../common/frame.js';
import { SHARED_DIR } from './testvectors.js';

/** A 128x128 portrait from ../shared. */
export const PHOTO = path.join(SHARED_DIR, 'images/content/harriet_128x128.jpg');

/** The photo stretched to `width x height`: RGB, or RGBA with alpha 255. */
export async function photoFrame(width: number, height: number, channels: 3 | 4): Promise<Frame> {
  const image = sharp(PHOTO).resize(width, height, { fit: 'fill' });
  const { data } = await (channels === 4 ? image.ensureAlpha() : image.removeAlpha())
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width, height, channels };
}

/** Mean absolute difference of two pixel arrays of the same length. */
export function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`meanAbsDiff: lengths differ (${a.length} vs ${b.length}).`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}
