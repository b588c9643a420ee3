import { describe, expect, it } from 'vitest';
import type { Frame } from '../../../common/frame.js';
import {
  changedBeyondNoise,
  CHANGE_LEVELS,
  compareSignatures,
  lumaSignature,
} from '../../../common/temporal/frame-change.js';
import { seededRandom, withCameraNoise } from '../../../main/cli/camera-noise.js';

/** A grey RGBA frame with a square of `square` grey at (x, y), `side` pixels wide. */
function scene(width: number, height: number, square?: { x: number; y: number; side: number; grey: number }) {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside =
        square !== undefined &&
        x >= square.x &&
        x < square.x + square.side &&
        y >= square.y &&
        y < square.y + square.side;
      const grey = inside ? square.grey : 100;
      data.set([grey, grey, grey, 255], (y * width + x) * 4);
    }
  }
  return { data, width, height, channels: 4 } as Frame;
}

describe('lumaSignature', () => {
  it('averages Rec. 601 luma over blocks, edge blocks over the pixels they have', () => {
    // 6x5 RGB: blocks of 4 leave a 2-wide column and a 1-high row at the edges.
    const data = new Uint8Array(6 * 5 * 3);
    for (let p = 0; p < 30; p++) data.set(p % 6 >= 4 ? [255, 0, 0] : [0, 0, 255], p * 3);
    const signature = lumaSignature({ data, width: 6, height: 5, channels: 3 });
    expect([signature.columns, signature.rows]).toEqual([2, 2]);
    expect(signature.luma[0]).toBeCloseTo((29 * 255) / 256, 5); // blue
    expect(signature.luma[1]).toBeCloseTo((77 * 255) / 256, 5); // red
    expect(signature.luma[3]).toBeCloseTo((77 * 255) / 256, 5);
  });

  it('refuses a frame whose bytes do not match its size, and a nonsense block size', () => {
    expect(() => lumaSignature({ data: new Uint8Array(10), width: 4, height: 4, channels: 3 })).toThrow(
      /4x4 frame with 3 channels needs 48 bytes, got 10/,
    );
    expect(() => lumaSignature(scene(16, 16), 0)).toThrow(/block size must be a whole number/);
  });
});

describe('changedBeyondNoise', () => {
  const random = seededRandom(7);
  const still = scene(256, 192);

  it('ignores camera noise of sigma 3 between frames of a still scene', () => {
    const reference = lumaSignature(withCameraNoise(still, 3, random));
    for (let i = 0; i < 20; i++) {
      const noisy = lumaSignature(withCameraNoise(still, 3, random));
      expect(compareSignatures(reference, noisy).maxLevels).toBeLessThan(CHANGE_LEVELS);
      expect(changedBeyondNoise(reference, noisy)).toBe(false);
    }
  });

  it('sees a small object appear in a noisy scene', () => {
    const reference = lumaSignature(withCameraNoise(still, 3, random));
    const withSquare = lumaSignature(
      withCameraNoise(scene(256, 192, { x: 100, y: 60, side: 6, grey: 160 }), 3, random),
    );
    expect(changedBeyondNoise(reference, withSquare)).toBe(true);
    expect(compareSignatures(reference, withSquare).changedBlocks).toBeGreaterThan(0);
  });

  it('counts a new frame size as a change, and refuses to compare the two block by block', () => {
    const a = lumaSignature(scene(64, 48));
    const b = lumaSignature(scene(48, 64));
    expect(changedBeyondNoise(a, b)).toBe(true);
    expect(() => compareSignatures(a, b)).toThrow(/64x48 frame .* 48x64/);
  });
});
