/**
 * Camera-like noise, seeded, so a benchmark (and a test) sees the same "camera" every run: Gaussian
 * noise per pixel and channel, as a webcam's sensor gives it on a still scene.
 */
import type { Frame } from '../../common/frame.js';

/** A seeded source of uniform numbers in [0, 1) (mulberry32: small, fast, good enough for noise). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample (Box-Muller). */
export function gaussian(random: () => number): number {
  // 1 - random() is in (0, 1]: never the log of 0.
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Adds noise of standard deviation `sigma` levels to every byte of `values`, in place, clamped to 0..255. */
export function addNoise(values: Uint8Array, sigma: number, random: () => number): void {
  for (let i = 0; i < values.length; i++) values[i] = clampByte(values[i]! + sigma * gaussian(random));
}

/** A copy of `frame` with noise of `sigma` levels on each colour channel (alpha, if any, untouched). */
export function withCameraNoise(frame: Frame, sigma: number, random: () => number): Frame {
  const data = new Uint8Array(frame.data);
  const { channels } = frame;
  for (let i = 0; i < data.length; i++) {
    if (channels === 4 && i % 4 === 3) continue;
    data[i] = clampByte(data[i]! + sigma * gaussian(random));
  }
  return { ...frame, data };
}

function clampByte(value: number): number {
  return value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
}
