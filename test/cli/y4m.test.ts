import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FOX_VIDEO } from '../../main/cli/shared-data.js';
import { encodeY4m, parseY4m, yuvToRgb, type Y4mHeader } from '../../main/cli/y4m.js';

const HEADER = 'YUV4MPEG2 W4 H2 F15:1 Ip A1:1 C420mpeg2 XCOLORRANGE=LIMITED';

/** A 4x2 frame: luma `y` everywhere, neutral chroma. */
function grey(y: number) {
  return { y: new Uint8Array(8).fill(y), u: new Uint8Array(2).fill(128), v: new Uint8Array(2).fill(128) };
}

function bytes(text: string, ...frames: ReturnType<typeof grey>[]): Uint8Array {
  const header = parseY4m(new TextEncoder().encode(`${HEADER}\n`)).header;
  const head = text === HEADER ? [] : [new TextEncoder().encode(`${text}\n`)];
  const body = encodeY4m(header, frames);
  if (head.length === 0) return body;
  return new Uint8Array([...head[0]!, ...body.subarray(body.indexOf(0x0a) + 1)]);
}

describe('parseY4m and encodeY4m', () => {
  it('reads back the frames it wrote, with the header fields', () => {
    const video = parseY4m(bytes(HEADER, grey(16), grey(235)));
    expect(video.header).toMatchObject({ width: 4, height: 2, frameRate: '15:1', limitedRange: true });
    expect(video.frames.map((f) => f.y[0])).toEqual([16, 235]);
    expect(encodeY4m(video.header, video.frames)).toEqual(bytes(HEADER, grey(16), grey(235)));
  });

  it('refuses what it cannot read, naming the video and the problem', () => {
    expect(() => parseY4m(new TextEncoder().encode('RIFF....'), 'clip.avi')).toThrow(
      /clip\.avi is not a YUV4MPEG2/,
    );
    expect(() => parseY4m(bytes('YUV4MPEG2 W4 H2 F15:1 C444', grey(16)), 'v.y4m')).toThrow(
      /C444 is not supported; only 4:2:0/,
    );
    expect(() => parseY4m(bytes('YUV4MPEG2 H2 F15:1', grey(16)), 'v.y4m')).toThrow(/no valid size/);
    const cut = bytes(HEADER, grey(16));
    expect(() => parseY4m(cut.subarray(0, cut.length - 3), 'v.y4m')).toThrow(/frame 1 is cut short/);
  });
});

describe('yuvToRgb', () => {
  it('stretches studio range to full range', () => {
    const header: Y4mHeader = parseY4m(bytes(HEADER, grey(16))).header;
    expect([...yuvToRgb(grey(16), header).data.subarray(0, 3)]).toEqual([0, 0, 0]);
    expect([...yuvToRgb(grey(235), header).data.subarray(0, 3)]).toEqual([255, 255, 255]);
    const red = { ...grey(81), u: new Uint8Array(2).fill(90), v: new Uint8Array(2).fill(240) };
    const [r, g, b] = yuvToRgb(red, header).data;
    expect(r).toBeGreaterThan(250);
    expect(g).toBeLessThan(5);
    expect(b).toBeLessThan(5);
  });

  it.runIf(existsSync(FOX_VIDEO))('reads the shared fox video', () => {
    const video = parseY4m(readFileSync(FOX_VIDEO), FOX_VIDEO);
    expect([video.header.width, video.header.height]).toEqual([320, 240]);
    expect(video.frames.length).toBeGreaterThan(30);
  });
});
