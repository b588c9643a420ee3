import path from 'node:path';
import sharp from 'sharp';
import { MAX_FRAME_SIDE, type Frame } from '../engine/frame/frame.js';

/** File types `stylize` reads and writes. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'] as const;

export function isImageFile(file: string): boolean {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(path.extname(file).toLowerCase());
}

export interface ReadImage {
  readonly frame: Frame;
  /** Set when the picture was larger than the engine takes and was scaled down to fit. */
  readonly scaledFrom?: { width: number; height: number };
}

/**
 * Decodes a PNG/JPEG/WebP into a frame: turned upright by its EXIF orientation (phone photos), RGB or
 * RGBA as the file has it, and scaled down to fit 4096 px a side where it is bigger.
 */
export async function readImage(file: string): Promise<ReadImage> {
  const image = sharp(file, { failOn: 'error' }).rotate();
  const meta = await image.metadata();
  // EXIF orientations 5..8 swap width and height.
  const swap = (meta.orientation ?? 1) >= 5;
  const width = (swap ? meta.height : meta.width) ?? 0;
  const height = (swap ? meta.width : meta.height) ?? 0;
  const tooBig = width > MAX_FRAME_SIDE || height > MAX_FRAME_SIDE;
  if (tooBig) image.resize(MAX_FRAME_SIDE, MAX_FRAME_SIDE, { fit: 'inside' });
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 && info.channels !== 4) {
    // Grey or grey+alpha: widen to RGB(A), which is what the network takes.
    return readImageAs(file, info.channels === 2 ? 4 : 3, tooBig ? { width, height } : undefined);
  }
  const frame: Frame = {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
    channels: info.channels,
  };
  return tooBig ? { frame, scaledFrom: { width, height } } : { frame };
}

async function readImageAs(
  file: string,
  channels: 3 | 4,
  scaledFrom: { width: number; height: number } | undefined,
): Promise<ReadImage> {
  let image = sharp(file, { failOn: 'error' }).rotate().toColourspace('srgb');
  if (scaledFrom) image = image.resize(MAX_FRAME_SIDE, MAX_FRAME_SIDE, { fit: 'inside' });
  image = channels === 4 ? image.ensureAlpha() : image.removeAlpha();
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  const frame: Frame = {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
    channels,
  };
  return scaledFrom ? { frame, scaledFrom } : { frame };
}

/** Encodes a frame by the output file's extension: PNG (lossless), JPEG or WebP (quality 92). */
export async function writeImage(frame: Frame, file: string): Promise<void> {
  const image = sharp(frame.data, {
    raw: { width: frame.width, height: frame.height, channels: frame.channels },
  });
  const ext = path.extname(file).toLowerCase();
  const encoded =
    ext === '.jpg' || ext === '.jpeg'
      ? image.jpeg({ quality: 92, mozjpeg: true })
      : ext === '.webp'
        ? image.webp({ quality: 92 })
        : image.png();
  await encoded.toFile(file);
}
