import { describe, expect, it } from 'vitest';
import { coverCrop } from '../../renderer/src/mirror/cover-crop.js';

describe('coverCrop', () => {
  it('cuts a wide camera picture’s sides off evenly for a 4:3 target', () => {
    expect(coverCrop({ width: 1280, height: 720 }, { width: 256, height: 192 })).toEqual({
      sx: 160,
      sy: 0,
      sw: 960,
      sh: 720,
    });
  });

  it('takes all of a picture with the target’s aspect ratio', () => {
    expect(coverCrop({ width: 640, height: 480 }, { width: 160, height: 120 })).toEqual({
      sx: 0,
      sy: 0,
      sw: 640,
      sh: 480,
    });
  });

  it('cuts top and bottom off a tall picture', () => {
    expect(coverCrop({ width: 480, height: 640 }, { width: 320, height: 240 })).toEqual({
      sx: 0,
      sy: 140,
      sw: 480,
      sh: 360,
    });
  });
});
