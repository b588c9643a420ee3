import path from 'node:path';
import sharp from 'sharp';
import { MAX_FRAME_SIDE, type Frame } from '../../common/frame.js';

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
 * Decodes a PNG/JPEG/WebP into a frame: turned upright by its EXIF orientation (phone photos), in
 * sRGB (grey widened), RGBA where the file has alpha and RGB otherwise, and scaled down
 * to fit 4096 px a side where it is bigger. The layout is decided from the header, so the pixels are
 * decoded once.
 */
export async function readImage(file: string): Promise<ReadImage> {
  const image = sharp(file, { failOn: 'error' });
  const meta = await image.metadata();
  // EXIF orientations 5..8 swap width and height.
  const swap = (meta.orientation ?? 1) >= 5;
  const width = (swap ? meta.height : meta.width) ?? 0;
  const height = (swap ? meta.width : meta.height) ?? 0;
  const tooBig = width > MAX_FRAME_SIDE || height > MAX_FRAME_SIDE;
  const channels = meta.hasAlpha === true ? 4 : 3;

  const pipeline = image.rotate().toColourspace('srgb');
  if (channels === 4) pipeline.ensureAlpha();
  else pipeline.removeAlpha();
  if (tooBig) pipeline.resize(MAX_FRAME_SIDE, MAX_FRAME_SIDE, { fit: 'inside' });
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  const frame: Frame = {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
    channels,
  };
  return tooBig ? { frame, scaledFrom: { width, height } } : { frame };
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
