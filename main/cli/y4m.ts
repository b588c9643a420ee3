/**
 * YUV4MPEG2 (`.y4m`), the raw video format Chromium's fake camera plays: a text header line, then
 * per frame a `FRAME` line and the planes, uncompressed. Only 4:2:0 chroma, which is what Chromium
 * and ffmpeg write by default; anything else is refused by name.
 */
import type { Frame } from '../../common/frame.js';

/** The header fields this reader uses, and the whole line to write back. */
export interface Y4mHeader {
  readonly width: number;
  readonly height: number;
  /** Frames per second as the header's fraction, e.g. `15:1`. */
  readonly frameRate: string;
  /** The chroma tag, e.g. `420mpeg2` (`420jpeg` when the header has none). */
  readonly colourspace: string;
  /** Studio range (16..235), as `XCOLORRANGE=LIMITED` says or the tag's default; else full range. */
  readonly limitedRange: boolean;
  /** The header line without its newline, to write the same stream back. */
  readonly line: string;
}

/** One frame's planes: luma at full size, the two chroma planes at half size each way. */
export interface YuvFrame {
  readonly y: Uint8Array;
  readonly u: Uint8Array;
  readonly v: Uint8Array;
}

export interface Y4mVideo {
  readonly header: Y4mHeader;
  readonly frames: YuvFrame[];
}

/**
 * Reads a whole `.y4m` stream held in `bytes` (the frames are views into it, not copies).
 *
 * @throws {Error} naming `name` and the problem: not YUV4MPEG2, a chroma layout other than 4:2:0, a
 *   header without a size, or a frame cut short.
 */
export function parseY4m(bytes: Uint8Array, name = 'the video'): Y4mVideo {
  const headerEnd = bytes.indexOf(0x0a);
  const line = new TextDecoder().decode(
    bytes.subarray(0, headerEnd === -1 ? Math.min(bytes.length, 200) : headerEnd),
  );
  if (!line.startsWith('YUV4MPEG2') || headerEnd === -1) {
    throw new Error(`${name} is not a YUV4MPEG2 (.y4m) video: it starts "${line.slice(0, 20)}".`);
  }
  const tags = new Map(
    line
      .split(' ')
      .slice(1)
      .filter((t) => t !== '')
      .map((t) => [t[0]!, t.slice(1)]),
  );
  const width = Number(tags.get('W'));
  const height = Number(tags.get('H'));
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 2 || height < 2) {
    throw new Error(`${name}: the header has no valid size (W${tags.get('W')} H${tags.get('H')}).`);
  }
  const colourspace = tags.get('C') ?? '420jpeg';
  if (!colourspace.startsWith('420')) {
    throw new Error(`${name}: chroma layout C${colourspace} is not supported; only 4:2:0 (C420...) is.`);
  }
  const range = [...tags.entries()].find(([k, v]) => k === 'X' && v.startsWith('COLORRANGE='))?.[1];
  const header: Y4mHeader = {
    width,
    height,
    frameRate: tags.get('F') ?? '25:1',
    colourspace,
    limitedRange: range === undefined ? true : range !== 'COLORRANGE=FULL',
    line,
  };

  const lumaSize = width * height;
  const chromaSize = Math.ceil(width / 2) * Math.ceil(height / 2);
  const frames: YuvFrame[] = [];
  let at = headerEnd + 1;
  while (at < bytes.length) {
    const lineEnd = bytes.indexOf(0x0a, at);
    const tag = new TextDecoder().decode(bytes.subarray(at, Math.min(at + 5, bytes.length)));
    if (tag !== 'FRAME' || lineEnd === -1) {
      throw new Error(`${name}: frame ${frames.length + 1} does not start with a FRAME line.`);
    }
    const start = lineEnd + 1;
    const end = start + lumaSize + 2 * chromaSize;
    if (end > bytes.length) {
      throw new Error(
        `${name}: frame ${frames.length + 1} is cut short (${bytes.length - start} of ${end - start} bytes).`,
      );
    }
    frames.push({
      y: bytes.subarray(start, start + lumaSize),
      u: bytes.subarray(start + lumaSize, start + lumaSize + chromaSize),
      v: bytes.subarray(start + lumaSize + chromaSize, end),
    });
    at = end;
  }
  return { header, frames };
}

/** Writes frames as a `.y4m` stream with `header`'s line. */
export function encodeY4m(header: Y4mHeader, frames: readonly YuvFrame[]): Uint8Array {
  const head = new TextEncoder().encode(`${header.line}\n`);
  const mark = new TextEncoder().encode('FRAME\n');
  const frameBytes = frames.reduce((n, f) => n + mark.length + f.y.length + f.u.length + f.v.length, 0);
  const out = new Uint8Array(head.length + frameBytes);
  out.set(head, 0);
  let at = head.length;
  for (const frame of frames) {
    for (const part of [mark, frame.y, frame.u, frame.v]) {
      out.set(part, at);
      at += part.length;
    }
  }
  return out;
}

/** A frame as RGB, with BT.601 colours (what standard-definition video and webcams use). */
export function yuvToRgb(frame: YuvFrame, header: Y4mHeader): Frame {
  const { width, height, limitedRange } = header;
  const chromaWidth = Math.ceil(width / 2);
  const data = new Uint8Array(width * height * 3);
  // Studio range stretches 16..235 (luma) and 16..240 (chroma) to 0..255.
  const lumaScale = limitedRange ? 255 / 219 : 1;
  const chromaScale = limitedRange ? 255 / 224 : 1;
  const lumaOffset = limitedRange ? 16 : 0;
  for (let y = 0, o = 0; y < height; y++) {
    const chromaRow = (y >> 1) * chromaWidth;
    for (let x = 0; x < width; x++, o += 3) {
      const luma = (frame.y[y * width + x]! - lumaOffset) * lumaScale;
      const cb = (frame.u[chromaRow + (x >> 1)]! - 128) * chromaScale;
      const cr = (frame.v[chromaRow + (x >> 1)]! - 128) * chromaScale;
      data[o] = clampByte(luma + 1.402 * cr);
      data[o + 1] = clampByte(luma - 0.344136 * cb - 0.714136 * cr);
      data[o + 2] = clampByte(luma + 1.772 * cb);
    }
  }
  return { data, width, height, channels: 3 };
}

function clampByte(value: number): number {
  return value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
}
