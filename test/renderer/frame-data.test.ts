import { describe, expect, it } from 'vitest';
import { asByteFrame, toRgba, transferList } from '../../renderer/src/api/frame-data.js';

describe('frame data helpers', () => {
  it('views canvas pixels as a Uint8Array without copying', () => {
    const data = new Uint8ClampedArray(16 * 16 * 4).fill(7);
    const frame = asByteFrame({ data, width: 16, height: 16, channels: 4 });
    expect(frame.data).toBeInstanceOf(Uint8Array);
    expect(frame.data.buffer).toBe(data.buffer);
  });

  it('transfers a buffer only when the pixels are all of it', () => {
    const whole = new Uint8Array(16 * 16 * 4);
    expect(transferList({ data: whole, width: 16, height: 16, channels: 4 })).toEqual([whole.buffer]);
    const view = new Uint8Array(new ArrayBuffer(16 * 16 * 4 + 8), 8);
    expect(transferList({ data: view, width: 16, height: 16, channels: 4 })).toEqual([]);
  });

  it('draws RGBA pixels as they are and expands RGB with opaque alpha', () => {
    const rgba = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const asIs = toRgba({ data: rgba, width: 2, height: 1, channels: 4 });
    expect(asIs.buffer).toBe(rgba.buffer);
    expect([...asIs]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    const rgb = toRgba({ data: new Uint8Array([1, 2, 3, 4, 5, 6]), width: 2, height: 1, channels: 3 });
    expect([...rgb]).toEqual([1, 2, 3, 255, 4, 5, 6, 255]);
  });

  it('refuses pixels that do not match the frame’s size, saying what was expected', () => {
    expect(() => toRgba({ data: new Uint8Array(10), width: 2, height: 2, channels: 4 })).toThrow(
      /2x2 with 4 channels needs 16 bytes, got 10/,
    );
  });
});
