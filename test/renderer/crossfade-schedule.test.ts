import { describe, expect, it } from 'vitest';
import { oldPictureWeight } from '../../renderer/src/mirror/crossfade-schedule.js';

describe('oldPictureWeight', () => {
  it('falls from 1 to 0 over the crossfade, half way at its middle, eased at both ends', () => {
    expect(oldPictureWeight(1000, 1500, 1000)).toBe(1);
    expect(oldPictureWeight(1000, 1500, 1750)).toBeCloseTo(0.5, 10);
    expect(oldPictureWeight(1000, 1500, 2500)).toBe(0);
    expect(oldPictureWeight(1000, 1500, 9000)).toBe(0);
    // Eased: the first and last tenth move less than a tenth.
    expect(1 - oldPictureWeight(1000, 1500, 1150)).toBeLessThan(0.1);
    expect(oldPictureWeight(1000, 1500, 2350)).toBeLessThan(0.1);
    expect(oldPictureWeight(1000, 1500, 2350)).toBeGreaterThan(0);
  });

  it('only falls as time goes on', () => {
    let previous = 1;
    for (let now = 0; now <= 1000; now += 10) {
      const weight = oldPictureWeight(0, 1000, now);
      expect(weight).toBeLessThanOrEqual(previous);
      previous = weight;
    }
  });

  it('holds the old picture fully before the start (a clock read before the fade began)', () => {
    expect(oldPictureWeight(1000, 1500, 900)).toBe(1);
  });

  it('is 0 at once for a crossfade of 0 ms: a cut', () => {
    expect(oldPictureWeight(1000, 0, 1000)).toBe(0);
  });
});
