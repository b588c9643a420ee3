import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedNetwork, NetworkImage } from '../../main/engine/backends/backend.js';
import { createOrtBackend } from '../../main/engine/backends/ort/ort-backend.js';
import { FrameError, type Frame } from '../../common/frame.js';
import { readMl5Model } from '../../main/engine/model/ml5-model-reader.js';
import {
  DEFAULT_MAX_PROCESSING_SIDE,
  normalizeStylizeOptions,
  networkSizeFor,
  stylizeFrame,
  type Size,
  type StylizeOptions,
} from '../../main/engine/stylize.js';
import { meanAbsDiff, photoFrame } from '../support/photos.js';

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const MODEL_DIR = path.resolve(REPO_ROOT, '../shared/models/ml5/udnie');

/** The real network, wrapped to record what it was given and what it returned. */
interface SpyNetwork extends LoadedNetwork {
  readonly calls: { input: NetworkImage; output: NetworkImage }[];
}

function spy(network: LoadedNetwork): SpyNetwork {
  const calls: SpyNetwork['calls'] = [];
  return {
    info: network.info,
    calls,
    async run(input) {
      // Copy the input: the caller owns its buffer.
      const seen = { data: input.data.slice(), width: input.width, height: input.height };
      const output = await network.run(input);
      calls.push({ input: seen, output });
      return output;
    },
    dispose: () => network.dispose(),
  };
}

let network: LoadedNetwork;
beforeAll(async () => {
  network = await createOrtBackend({ provider: 'cpu' }).load(await readMl5Model(MODEL_DIR));
});
afterAll(async () => {
  await network?.dispose();
});

/** The content photo scaled to `width x height`, RGB; RGBA with a varying alpha pattern. */
async function photo(width: number, height: number, channels: 3 | 4 = 3): Promise<Frame> {
  const { data: rgb } = await photoFrame(width, height, 3);
  if (channels === 3) return { data: rgb, width, height, channels };
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    rgba[4 * p] = rgb[3 * p]!;
    rgba[4 * p + 1] = rgb[3 * p + 1]!;
    rgba[4 * p + 2] = rgb[3 * p + 2]!;
    rgba[4 * p + 3] = (p * 37 + 11) % 256;
  }
  return { data: rgba, width, height, channels };
}

/** ml5's rendering of a network output, written out here independently: crop, clip, `floor(256 v / 255)`. */
function renderCrop(output: NetworkImage, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const v = output.data[(y * output.width + x) * 3 + c]!;
        const clipped = Math.min(255, Math.max(0, v));
        out[(y * width + x) * 3 + c] = Math.min(255, Math.floor((256 * clipped) / 255));
      }
    }
  }
  return out;
}

/** The RGB channels of a frame, alpha dropped. */
function rgbOf(frame: Frame): Uint8Array {
  if (frame.channels === 3) return Uint8Array.from(frame.data);
  const out = new Uint8Array(frame.width * frame.height * 3);
  for (let p = 0; p < frame.width * frame.height; p++) {
    out[3 * p] = frame.data[4 * p]!;
    out[3 * p + 1] = frame.data[4 * p + 1]!;
    out[3 * p + 2] = frame.data[4 * p + 2]!;
  }
  return out;
}

/** BT.601 Y, Cb and Cr planes of RGB pixels. */
function ycbcr(rgb: Uint8Array): { y: Float64Array; cb: Float64Array; cr: Float64Array } {
  const n = rgb.length / 3;
  const y = new Float64Array(n);
  const cb = new Float64Array(n);
  const cr = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const r = rgb[3 * p]!;
    const g = rgb[3 * p + 1]!;
    const b = rgb[3 * p + 2]!;
    y[p] = 0.299 * r + 0.587 * g + 0.114 * b;
    cb[p] = -0.168736 * r - 0.331264 * g + 0.5 * b;
    cr[p] = 0.5 * r - 0.418688 * g - 0.081312 * b;
  }
  return { y, cb, cr };
}

describe('networkSizeFor', () => {
  it('keeps a frame that fits the box (or the default limit) as it is: never enlarges', () => {
    expect(networkSizeFor({ width: 640, height: 480 })).toEqual({ width: 640, height: 480 });
    expect(networkSizeFor({ width: 64, height: 48 }, { width: 640, height: 480 })).toEqual({
      width: 64,
      height: 48,
    });
    expect(networkSizeFor({ width: 64, height: 48 }, { width: 64, height: 48 })).toEqual({
      width: 64,
      height: 48,
    });
    // Fits one side exactly and the other loosely: still untouched.
    expect(networkSizeFor({ width: 64, height: 48 }, { width: 64, height: 4096 })).toEqual({
      width: 64,
      height: 48,
    });
  });

  it(`limits a frame without a box to ${DEFAULT_MAX_PROCESSING_SIDE} px a side, aspect kept`, () => {
    expect(networkSizeFor({ width: 4096, height: 2048 })).toEqual({ width: 2048, height: 1024 });
    expect(networkSizeFor({ width: 3000, height: 4000 })).toEqual({ width: 1536, height: 2048 });
  });

  it('fits the frame inside the box by its tighter side, keeping the aspect ratio', () => {
    expect(networkSizeFor({ width: 640, height: 480 }, { width: 320, height: 320 })).toEqual({
      width: 320,
      height: 240,
    });
    expect(networkSizeFor({ width: 1920, height: 1080 }, { width: 640, height: 640 })).toEqual({
      width: 640,
      height: 360,
    });
    expect(networkSizeFor({ width: 480, height: 640 }, { width: 640, height: 240 })).toEqual({
      width: 180,
      height: 240,
    });
  });

  it('rounds to whole pixels and never goes below 16 px a side', () => {
    // 37x45 in 20x20: scale 20/45 gives 16.44 -> 16 by 20.
    expect(networkSizeFor({ width: 37, height: 45 }, { width: 20, height: 20 })).toEqual({
      width: 16,
      height: 20,
    });
    // A panorama squeezed into 64 wide would be 0.25 px high: clamped to the engine's minimum.
    expect(networkSizeFor({ width: 4096, height: 16 }, { width: 64, height: 64 })).toEqual({
      width: 64,
      height: 16,
    });
  });

  it('always gives whole sizes within both the frame and the box, with the aspect kept up to rounding', () => {
    const frames: Size[] = [
      { width: 16, height: 16 },
      { width: 37, height: 45 },
      { width: 641, height: 479 },
      { width: 1919, height: 1081 },
      { width: 4096, height: 4096 },
      { width: 17, height: 4095 },
    ];
    const boxes: (Size | undefined)[] = [
      undefined,
      { width: 16, height: 16 },
      { width: 33, height: 200 },
      { width: 256, height: 256 },
      { width: 640, height: 480 },
      { width: 4096, height: 4096 },
    ];
    for (const frame of frames) {
      for (const box of boxes) {
        const size = networkSizeFor(frame, box);
        const limit = box ?? { width: DEFAULT_MAX_PROCESSING_SIDE, height: DEFAULT_MAX_PROCESSING_SIDE };
        const where = `${frame.width}x${frame.height} in ${limit.width}x${limit.height}`;
        expect(Number.isInteger(size.width) && Number.isInteger(size.height), where).toBe(true);
        expect(size.width, where).toBeLessThanOrEqual(Math.min(frame.width, limit.width));
        expect(size.height, where).toBeLessThanOrEqual(Math.min(frame.height, limit.height));
        expect(Math.min(size.width, size.height), where).toBeGreaterThanOrEqual(16);
        // Each side within a rounding step of the exact scale, unless the 16 px floor lifted it.
        const scale = Math.min(1, limit.width / frame.width, limit.height / frame.height);
        if (size.width > 16)
          expect(Math.abs(size.width - frame.width * scale), where).toBeLessThanOrEqual(0.5);
        if (size.height > 16) {
          expect(Math.abs(size.height - frame.height * scale), where).toBeLessThanOrEqual(0.5);
        }
      }
    }
  });
});

describe('normalizeStylizeOptions', () => {
  it('fills in full strength and no colour preservation, and leaves the processing size out', () => {
    const options = normalizeStylizeOptions();
    expect(options).toEqual({ strength: 1, preserveColors: false });
    expect('maxNetworkSize' in options).toBe(false);
    expect(normalizeStylizeOptions({ strength: 0.25, maxNetworkSize: { width: 64, height: 48 } })).toEqual({
      strength: 0.25,
      preserveColors: false,
      maxNetworkSize: { width: 64, height: 48 },
    });
  });

  it('refuses a preserveColors that is not a boolean', () => {
    expect(() => normalizeStylizeOptions({ preserveColors: 'yes' as unknown as boolean })).toThrow(
      /preserveColors must be true or false, got yes/,
    );
  });
});

describe('stylizeFrame with a real model on onnxruntime (CPU)', () => {
  it('returns an RGB frame of the input size, restyled, and reports its timings', async () => {
    const frame = await photo(48, 32);
    const before = Uint8Array.from(frame.data);
    const net = spy(network);
    const result = await stylizeFrame(net, frame);

    expect(result.frame.width).toBe(48);
    expect(result.frame.height).toBe(32);
    expect(result.frame.channels).toBe(3);
    expect(result.frame.data).toBeInstanceOf(Uint8Array);
    expect(result.frame.data.length).toBe(48 * 32 * 3);
    expect(result.networkSize).toEqual({ width: 48, height: 32 });
    // A style, not a copy: udnie repaints the photo heavily.
    expect(meanAbsDiff(result.frame.data, frame.data)).toBeGreaterThan(20);
    // The caller's frame is left alone.
    expect(frame.data).toEqual(before);

    expect(net.calls).toHaveLength(1);
    const { timings } = result;
    expect(timings.networkMs).toBeGreaterThan(0);
    expect(timings.prepareMs).toBeGreaterThanOrEqual(0);
    expect(timings.finishMs).toBeGreaterThanOrEqual(0);
    expect(timings.totalMs).toBeCloseTo(timings.prepareMs + timings.networkMs + timings.finishMs, 6);
  });

  it('at full size returns exactly the network output, cropped from its 4*ceil size: no resampling', async () => {
    const frame = await photo(37, 45);
    const net = spy(network);
    const result = await stylizeFrame(net, frame);

    expect(result.frame.width).toBe(37);
    expect(result.frame.height).toBe(45);
    expect(result.frame.data.length).toBe(37 * 45 * 3);
    expect(result.networkSize).toEqual({ width: 37, height: 45 });

    expect(net.calls).toHaveLength(1);
    const { input, output } = net.calls[0]!;
    // The network saw the frame's own pixels, as float RGB.
    expect([input.width, input.height]).toEqual([37, 45]);
    expect(input.data).toEqual(Float32Array.from(frame.data));
    // It padded each side to a multiple of 4; the result is the top-left 37x45 of that, rendered.
    expect([output.width, output.height]).toEqual([40, 48]);
    expect(result.frame.data).toEqual(renderCrop(output, 37, 45));
  });

  it('keeps RGBA: same size, alpha copied, colour the same as for the RGB pixels alone', async () => {
    const rgba = await photo(37, 45, 4);
    const rgb = await photo(37, 45, 3);
    const withAlpha = await stylizeFrame(network, rgba);
    const without = await stylizeFrame(network, rgb);

    expect(withAlpha.frame.channels).toBe(4);
    expect([withAlpha.frame.width, withAlpha.frame.height]).toEqual([37, 45]);
    expect(withAlpha.frame.data.length).toBe(37 * 45 * 4);
    for (let p = 0; p < 37 * 45; p++) {
      if (withAlpha.frame.data[4 * p + 3] !== rgba.data[4 * p + 3]) {
        expect.fail(`alpha of pixel ${p} is ${withAlpha.frame.data[4 * p + 3]}, not ${rgba.data[4 * p + 3]}`);
      }
    }
    expect(rgbOf(withAlpha.frame)).toEqual(without.frame.data);
  });

  it('at strength 0 returns the input pixels exactly, without running the network', async () => {
    for (const channels of [3, 4] as const) {
      const frame = await photo(37, 45, channels);
      const net = spy(network);
      const result = await stylizeFrame(net, frame, { strength: 0 });
      expect(result.frame.channels).toBe(channels);
      expect([result.frame.width, result.frame.height]).toEqual([37, 45]);
      expect(Uint8Array.from(result.frame.data)).toEqual(Uint8Array.from(frame.data));
      // A copy the caller may write into, not the input itself.
      expect(result.frame.data).not.toBe(frame.data);
      expect(net.calls).toHaveLength(0);
      expect(result.timings.networkMs).toBe(0);
    }
  });

  it('at strength 0.5 lands half-way between the input and the full style, pixel by pixel', async () => {
    const frame = await photo(48, 32, 4);
    const full = await stylizeFrame(network, frame);
    const half = await stylizeFrame(network, frame, { strength: 0.5 });

    const input = rgbOf(frame);
    const styled = rgbOf(full.frame);
    const blended = rgbOf(half.frame);
    let worst = 0;
    for (let i = 0; i < blended.length; i++) {
      worst = Math.max(worst, Math.abs(blended[i]! - (styled[i]! + input[i]!) / 2));
    }
    expect(worst).toBeLessThanOrEqual(1);

    const fullDiff = meanAbsDiff(styled, input);
    expect(fullDiff).toBeGreaterThan(20);
    expect(meanAbsDiff(blended, input)).toBeCloseTo(fullDiff / 2, 0);
    expect(meanAbsDiff(blended, styled)).toBeCloseTo(fullDiff / 2, 0);
    // Alpha is still the input's.
    for (let p = 0; p < 48 * 32; p++) expect(half.frame.data[4 * p + 3]).toBe(frame.data[4 * p + 3]);
  });

  it("with preserveColors keeps the input's chroma and takes the style's luminance", async () => {
    const frame = await photo(64, 48);
    const plain = await stylizeFrame(network, frame);
    const kept = await stylizeFrame(network, frame, { preserveColors: true });
    expect([kept.frame.width, kept.frame.height, kept.frame.channels]).toEqual([64, 48, 3]);

    const input = ycbcr(rgbOf(frame));
    const styled = ycbcr(rgbOf(plain.frame));
    const out = ycbcr(rgbOf(kept.frame));

    // The plain style changes the colours a lot; colour preservation puts them back (up to rounding
    // and clipping at 0 and 255).
    const styledChroma = meanAbsDiff(styled.cb, input.cb) + meanAbsDiff(styled.cr, input.cr);
    const keptChroma = meanAbsDiff(out.cb, input.cb) + meanAbsDiff(out.cr, input.cr);
    expect(styledChroma).toBeGreaterThan(10);
    expect(keptChroma).toBeLessThan(3);
    expect(keptChroma).toBeLessThan(styledChroma / 4);

    // Light and dark follow the stylized picture, not the photo.
    const lumaToStyled = meanAbsDiff(out.y, styled.y);
    const lumaToInput = meanAbsDiff(out.y, input.y);
    expect(lumaToStyled).toBeLessThan(3);
    expect(lumaToInput).toBeGreaterThan(4 * lumaToStyled);
  });

  it('runs the network at the processing size, aspect kept, and still returns the full size', async () => {
    const frame = await photo(96, 64);
    const box = { width: 48, height: 48 };
    const net = spy(network);
    const small = await stylizeFrame(net, frame, { maxNetworkSize: box });

    expect(small.networkSize).toEqual(networkSizeFor(frame, box));
    expect(small.networkSize).toEqual({ width: 48, height: 32 });
    expect(net.calls).toHaveLength(1);
    expect([net.calls[0]!.input.width, net.calls[0]!.input.height]).toEqual([48, 32]);
    expect([small.frame.width, small.frame.height, small.frame.channels]).toEqual([96, 64, 3]);
    expect(small.frame.data.length).toBe(96 * 64 * 3);

    // A different picture from the full-size run, but the same style: closer to it than to the photo.
    const full = await stylizeFrame(network, frame);
    const toFull = meanAbsDiff(small.frame.data, full.frame.data);
    expect(toFull).toBeGreaterThan(0);
    expect(toFull).toBeLessThan(meanAbsDiff(small.frame.data, frame.data));
  });

  it('never enlarges: a box bigger than the frame runs at the frame size, same as no box', async () => {
    const frame = await photo(48, 32);
    const net = spy(network);
    const boxed = await stylizeFrame(net, frame, { maxNetworkSize: { width: 200, height: 200 } });
    expect(boxed.networkSize).toEqual({ width: 48, height: 32 });
    expect([net.calls[0]!.input.width, net.calls[0]!.input.height]).toEqual([48, 32]);
    const plain = await stylizeFrame(network, frame);
    expect(boxed.frame.data).toEqual(plain.frame.data);
  });

  it('takes Uint8ClampedArray pixels and downscaled RGBA, copying alpha', async () => {
    const rgba = await photo(64, 48, 4);
    const clamped: Frame = { ...rgba, data: new Uint8ClampedArray(rgba.data) };
    const result = await stylizeFrame(network, clamped, {
      maxNetworkSize: { width: 32, height: 32 },
      strength: 0.75,
      preserveColors: true,
    });
    expect(result.networkSize).toEqual({ width: 32, height: 24 });
    expect([result.frame.width, result.frame.height, result.frame.channels]).toEqual([64, 48, 4]);
    for (let p = 0; p < 64 * 48; p++) expect(result.frame.data[4 * p + 3]).toBe(rgba.data[4 * p + 3]);
  });

  describe('refuses bad input with a FrameError naming the problem, before running the network', () => {
    const good = (): Frame => ({ data: new Uint8Array(48 * 32 * 3), width: 48, height: 32, channels: 3 });
    const frameCases: [string, () => unknown, RegExp][] = [
      [
        'a buffer one byte short',
        () => ({ ...good(), data: new Uint8Array(48 * 32 * 3 - 1) }),
        /needs 4608 bytes, got 4607/,
      ],
      [
        'an RGBA-sized buffer for RGB',
        () => ({ ...good(), data: new Uint8Array(48 * 32 * 4) }),
        /needs 4608 bytes, got 6144/,
      ],
      [
        'width 15',
        () => ({ ...good(), width: 15, data: new Uint8Array(15 * 32 * 3) }),
        /width .*16 to 4096.*got 15/,
      ],
      [
        'width 4097',
        () => ({ ...good(), width: 4097, data: new Uint8Array(4097 * 32 * 3) }),
        /width .*got 4097/,
      ],
      ['width 0', () => ({ ...good(), width: 0, data: new Uint8Array(0) }), /width .*got 0/],
      ['width NaN', () => ({ ...good(), width: NaN }), /width .*got NaN/],
      ['width 1.5', () => ({ ...good(), width: 1.5 }), /width .*got 1\.5/],
      ['height 15', () => ({ ...good(), height: 15, data: new Uint8Array(48 * 15 * 3) }), /height .*got 15/],
      [
        '2 channels',
        () => ({ ...good(), channels: 2, data: new Uint8Array(48 * 32 * 2) }),
        /RGB \(3 channels\) or RGBA \(4\), got 2 channels/,
      ],
      [
        'Float32Array pixels',
        () => ({ ...good(), data: new Float32Array(48 * 32 * 3) }),
        /pixels must be a Uint8Array/,
      ],
      [
        'a plain array of pixels',
        () => ({ ...good(), data: Array.from({ length: 48 * 32 * 3 }, () => 0) }),
        /pixels must be a Uint8Array/,
      ],
      ['no frame at all', () => undefined, /Frame/],
      ['null', () => null, /Frame/],
    ];
    it.each(frameCases)('frame: %s', async (_, make, message) => {
      const net = spy(network);
      const attempt = stylizeFrame(net, make() as Frame);
      await expect(attempt).rejects.toBeInstanceOf(FrameError);
      await expect(attempt).rejects.toThrow(message);
      expect(net.calls).toHaveLength(0);
    });

    const optionCases: [string, unknown, RegExp][] = [
      ['strength NaN', { strength: NaN }, /Strength must be a number from 0 to 1, got NaN/],
      ['strength -0.1', { strength: -0.1 }, /Strength .*got -0\.1/],
      ['strength 2', { strength: 2 }, /Strength .*got 2/],
      ["strength '1'", { strength: '1' }, /Strength .*got 1/],
      ['maxNetworkSize 0x0', { maxNetworkSize: { width: 0, height: 0 } }, /network size .*got 0x0/],
      ['maxNetworkSize NaN', { maxNetworkSize: { width: NaN, height: 48 } }, /network size .*got NaNx48/],
      [
        'maxNetworkSize 15x48',
        { maxNetworkSize: { width: 15, height: 48 } },
        /network size .*16 to 4096.*15x48/,
      ],
      ['maxNetworkSize 64x4097', { maxNetworkSize: { width: 64, height: 4097 } }, /network size .*64x4097/],
      ["preserveColors 'true'", { preserveColors: 'true' }, /preserveColors must be true or false/],
    ];
    it.each(optionCases)('options: %s', async (_, options, message) => {
      const net = spy(network);
      const attempt = stylizeFrame(net, good(), options as StylizeOptions);
      await expect(attempt).rejects.toBeInstanceOf(FrameError);
      await expect(attempt).rejects.toThrow(message);
      expect(net.calls).toHaveLength(0);
    });
  });
});
