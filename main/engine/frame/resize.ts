import sharp from 'sharp';
import type { Frame } from '../../../common/frame.js';

/**
 * Resamples an 8-bit frame with libvips (through sharp): Lanczos for shrinking, which keeps detail
 * the network would otherwise alias, and bicubic for enlarging the network's output, which is smooth
 * where Lanczos would ring around the painted edges.
 */
export async function resizeFrame(frame: Frame, width: number, height: number): Promise<Frame> {
  if (frame.width === width && frame.height === height) return frame;
  const shrinking = width * height < frame.width * frame.height;
  const { data } = await sharp(frame.data, {
    raw: { width: frame.width, height: frame.height, channels: frame.channels },
  })
    .resize(width, height, { fit: 'fill', kernel: shrinking ? 'lanczos3' : 'cubic' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width,
    height,
    channels: frame.channels,
  };
}
