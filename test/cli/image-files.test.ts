import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImage } from '../../main/cli/image-files.js';

describe('readImage', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-images-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A 40x30 picture: left half red, right half blue. */
  const twoColours = () =>
    sharp({ create: { width: 40, height: 30, channels: 3, background: '#ff0000' } }).composite([
      { input: { create: { width: 20, height: 30, channels: 3, background: '#0000ff' } }, left: 20, top: 0 },
    ]);

  it('reads an RGB JPEG as RGB', async () => {
    const file = path.join(dir, 'rgb.jpg');
    await twoColours().jpeg({ quality: 95 }).toFile(file);
    const { frame } = await readImage(file);
    expect([frame.width, frame.height, frame.channels]).toEqual([40, 30, 3]);
    expect(frame.data[0]).toBeGreaterThan(200); // red on the left
  });

  it('widens a grey PNG to RGB and grey + alpha to RGBA', async () => {
    const grey = path.join(dir, 'grey.png');
    await sharp({ create: { width: 20, height: 16, channels: 3, background: '#808080' } })
      .toColourspace('b-w')
      .png()
      .toFile(grey);
    const read = await readImage(grey);
    expect(read.frame.channels).toBe(3);
    expect([...read.frame.data.subarray(0, 3)]).toEqual([128, 128, 128]);

    const greyAlpha = path.join(dir, 'grey-alpha.png');
    await sharp({
      create: { width: 20, height: 16, channels: 4, background: { r: 64, g: 64, b: 64, alpha: 0.5 } },
    })
      .toColourspace('b-w')
      .png()
      .toFile(greyAlpha);
    const withAlpha = await readImage(greyAlpha);
    expect(withAlpha.frame.channels).toBe(4);
    expect(withAlpha.frame.data[3]).toBe(128);
  });

  it('reads a CMYK JPEG as sRGB RGB', async () => {
    const file = path.join(dir, 'cmyk.jpg');
    await twoColours().toColourspace('cmyk').jpeg({ quality: 95 }).toFile(file);
    expect((await sharp(file).metadata()).space).toBe('cmyk');
    const { frame } = await readImage(file);
    expect(frame.channels).toBe(3);
    const left = [...frame.data.subarray(0, 3)];
    const right = [...frame.data.subarray((40 - 1) * 3, 40 * 3)];
    expect(left[0]).toBeGreaterThan(180); // still red, not ink densities
    expect(left[2]).toBeLessThan(80);
    // Still blue: pure sRGB blue is outside CMYK's gamut, so it comes back darker (about 140), not purer.
    expect(right[2]).toBeGreaterThan(right[0]! + 60);
    expect(right[2]).toBeGreaterThan(right[1]! + 60);
  });

  it('scales a picture larger than 4096 px a side down to fit, and says from what', async () => {
    const file = path.join(dir, 'wide.png');
    await sharp({ create: { width: 5000, height: 20, channels: 3, background: '#336699' } })
      .png()
      .toFile(file);
    const { frame, scaledFrom } = await readImage(file);
    expect(scaledFrom).toEqual({ width: 5000, height: 20 });
    expect(frame.width).toBe(4096);
    expect(frame.data.length).toBe(frame.width * frame.height * 3);
  });
});
