import { describe, expect, it } from 'vitest';
import type { Frame } from '../../../common/frame.js';
import { lumaSignature } from '../../../common/temporal/frame-change.js';
import { FrameStabilizer } from '../../../common/temporal/stabilizer.js';
import { seededRandom, withCameraNoise } from '../../../main/cli/camera-noise.js';
import { meanAbsDiff } from '../../support/photos.js';

interface Square {
  readonly x: number;
  readonly y: number;
  readonly side: number;
}

/** A textured RGB scene (a gradient, so blocks differ) with a bright square. */
function scene(width: number, height: number, square?: Square): Frame {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const grey = inside(square, x, y) ? 220 : 60 + ((x + 2 * y) % 64);
      data.set([grey, grey * 0.8, grey * 0.6], (y * width + x) * 3);
    }
  }
  return { data, width, height, channels: 3 };
}

function inside(square: Square | undefined, x: number, y: number): boolean {
  return (
    square !== undefined &&
    x >= square.x &&
    x < square.x + square.side &&
    y >= square.y &&
    y < square.y + square.side
  );
}

/**
 * Stands in for a style network: a fixed function of the input that amplifies its noise four times,
 * as the networks' textures do, so a still noisy input gives a shimmering painting.
 */
function paint(input: Frame): Frame {
  const data = new Uint8Array(input.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, 4 * (input.data[i]! - 60) + 20));
  return { ...input, data };
}

/** Paints `input` and stabilises the painting; returns both. */
function step(stabilizer: FrameStabilizer, input: Frame) {
  const painted = paint(input);
  const shown = stabilizer.stabilize(lumaSignature(input), {
    ...painted,
    data: new Uint8Array(painted.data),
  });
  return { painted, shown };
}

/** Largest |a - b| over the pixels of `square`. */
function maxDiffIn(square: Square, a: Frame, b: Frame): number {
  let most = 0;
  for (let y = square.y; y < square.y + square.side; y++) {
    for (let x = square.x; x < square.x + square.side; x++) {
      for (let k = 0; k < 3; k++) {
        const i = (y * a.width + x) * 3 + k;
        most = Math.max(most, Math.abs(a.data[i]! - b.data[i]!));
      }
    }
  }
  return most;
}

describe('FrameStabilizer on a still scene with camera noise', () => {
  it('converges to the noiseless painting and stays steady, where the painting itself boils', () => {
    const random = seededRandom(11);
    const still = scene(128, 96);
    const clean = paint(still);
    const stabilizer = new FrameStabilizer();
    const painted: Frame[] = [];
    const shown: Frame[] = [];
    for (let i = 0; i < 100; i++) {
      const frame = step(stabilizer, withCameraNoise(still, 3, random));
      painted.push(frame.painted);
      shown.push(frame.shown);
    }
    const flicker = (frames: Frame[], from: number) =>
      Math.max(...frames.slice(from + 1).map((f, i) => meanAbsDiff(frames[from + i]!.data, f.data)));
    // Each painted frame is about 7 levels off the clean painting (noise 3 x 4, less where it clips).
    expect(meanAbsDiff(painted[99]!.data, clean.data)).toBeGreaterThan(6);
    expect(meanAbsDiff(shown[99]!.data, clean.data)).toBeLessThan(3);
    // From frame 30 on, no frame moves by more than a quarter of what the painting moves.
    expect(flicker(shown, 30)).toBeLessThan(flicker(painted, 30) / 4);
  });
});

describe('FrameStabilizer on motion', () => {
  it('takes a moving square at once, where it arrives and where it left, with no ghost', () => {
    const random = seededRandom(12);
    const from: Square = { x: 21, y: 17, side: 20 };
    const to: Square = { x: 63, y: 41, side: 20 };
    const stabilizer = new FrameStabilizer();
    for (let i = 0; i < 30; i++) step(stabilizer, withCameraNoise(scene(128, 96, from), 3, random));

    const moved = step(stabilizer, withCameraNoise(scene(128, 96, to), 3, random));
    expect(maxDiffIn(to, moved.shown, moved.painted)).toBe(0);
    expect(maxDiffIn(from, moved.shown, moved.painted)).toBe(0);

    // The next frames of the square standing still: where it was, the background, never the square.
    for (let i = 0; i < 5; i++) {
      const { shown } = step(stabilizer, withCameraNoise(scene(128, 96, to), 3, random));
      const background = paint(scene(128, 96, to));
      expect(maxDiffIn(from, shown, background)).toBeLessThan(40); // the square is 220 -> 255 against ~20..255
      expect(meanAbsDiff(shown.data, background.data)).toBeLessThan(12);
    }
  });

  it('takes a scene cut whole', () => {
    const random = seededRandom(13);
    const stabilizer = new FrameStabilizer();
    for (let i = 0; i < 10; i++) step(stabilizer, withCameraNoise(scene(64, 48), 3, random));
    const dark = scene(64, 48);
    dark.data.forEach((v, i) => (dark.data[i] = 255 - v));
    const cut = step(stabilizer, dark);
    expect(meanAbsDiff(cut.shown.data, cut.painted.data)).toBe(0);
  });
});

describe('FrameStabilizer starting afresh', () => {
  it('takes the first frame at a new size whole, and again on going back', () => {
    const random = seededRandom(14);
    const stabilizer = new FrameStabilizer();
    for (let i = 0; i < 10; i++) step(stabilizer, withCameraNoise(scene(64, 48), 3, random));
    const smaller = step(stabilizer, withCameraNoise(scene(48, 32), 3, random));
    expect(meanAbsDiff(smaller.shown.data, smaller.painted.data)).toBe(0);
    const second = step(stabilizer, withCameraNoise(scene(48, 32), 3, random));
    expect(meanAbsDiff(second.shown.data, second.painted.data)).toBeGreaterThan(0); // blended again at the new size
    const back = step(stabilizer, withCameraNoise(scene(64, 48), 3, random));
    expect(meanAbsDiff(back.shown.data, back.painted.data)).toBe(0);
  });

  it('takes the frame after reset() whole (another model paints the same input differently)', () => {
    const random = seededRandom(15);
    const stabilizer = new FrameStabilizer();
    for (let i = 0; i < 10; i++) step(stabilizer, withCameraNoise(scene(64, 48), 3, random));
    stabilizer.reset();
    const next = step(stabilizer, withCameraNoise(scene(64, 48), 3, random));
    expect(meanAbsDiff(next.shown.data, next.painted.data)).toBe(0);
  });

  it('leaves alpha alone in RGBA frames and restarts when the channels change', () => {
    const stabilizer = new FrameStabilizer();
    const rgba = (alpha: number): Frame => ({
      data: new Uint8Array(32 * 32 * 4).map((_, i) => (i % 4 === 3 ? alpha : 90)),
      width: 32,
      height: 32,
      channels: 4,
    });
    stabilizer.stabilize(lumaSignature(rgba(255)), rgba(255));
    const second = stabilizer.stabilize(lumaSignature(rgba(255)), rgba(7));
    expect(second.data.filter((_, i) => i % 4 === 3).every((a) => a === 7)).toBe(true);
    const rgb = scene(32, 32);
    const copy = new Uint8Array(rgb.data);
    expect(meanAbsDiff(stabilizer.stabilize(lumaSignature(rgb), rgb).data, copy)).toBe(0);
  });
});

describe('FrameStabilizer refusing bad input', () => {
  it('names both sizes when the output is not the size of the input', () => {
    const stabilizer = new FrameStabilizer();
    expect(() => stabilizer.stabilize(lumaSignature(scene(64, 48)), scene(48, 32))).toThrow(
      /64x48 frame's signature but the output is 48x32/,
    );
  });

  it('refuses a signature whose blocks do not cover the frame', () => {
    const signature = lumaSignature(scene(64, 48));
    const forged = { ...signature, luma: signature.luma.subarray(1) };
    expect(() => new FrameStabilizer().stabilize(forged, scene(64, 48))).toThrow(/16x12 blocks, 191 values/);
  });

  it('refuses options that would never settle or never move', () => {
    expect(() => new FrameStabilizer({ stillBlend: 0 })).toThrow(/stillBlend/);
    expect(() => new FrameStabilizer({ stillLevels: 8, movingLevels: 4 })).toThrow(
      /stillLevels < movingLevels/,
    );
    expect(() => new FrameStabilizer({ sceneCutFraction: 1.5 })).toThrow(/sceneCutFraction/);
  });
});
