import type { NetworkImage } from '../backend.js';

/** Size of each calibration frame: the mirror's default processing size. */
export const CALIBRATION_SIZE = { width: 256, height: 192 } as const;

/** How one calibration frame looks: what kind of picture a camera might see. */
interface Scene {
  readonly seed: number;
  /** Mean brightness, 0..255. */
  readonly brightness: number;
  /** Spread of the smooth light and colour across the frame, 0..255. */
  readonly contrast: number;
  /** How colourful the frame is, 0..1. */
  readonly saturation: number;
  /** Hard-edged shapes (things, furniture, a face) over the background. */
  readonly shapes: number;
  /** Fine detail (foliage, fabric, hair): amplitude of the finest noise octaves, 0..255. */
  readonly texture: number;
  /** Sensor noise per pixel, 0..255. */
  readonly grain: number;
}

/**
 * Calibration sees these four: a bright colourful scene, a face-sized blob on a plain wall, a dim
 * low-contrast room with sensor noise, and a busy textured one. Together they span the brightness,
 * edges and detail a webcam frame has, so the ranges measured on them hold for real frames (the
 * quality test checks that on photographs none of these resemble).
 */
const SCENES: readonly Scene[] = [
  { seed: 1, brightness: 140, contrast: 90, saturation: 0.8, shapes: 14, texture: 30, grain: 3 },
  { seed: 2, brightness: 120, contrast: 60, saturation: 0.4, shapes: 3, texture: 12, grain: 4 },
  { seed: 3, brightness: 55, contrast: 35, saturation: 0.3, shapes: 6, texture: 10, grain: 9 },
  { seed: 4, brightness: 128, contrast: 70, saturation: 0.6, shapes: 30, texture: 60, grain: 5 },
  { seed: 5, brightness: 225, contrast: 25, saturation: 0.3, shapes: 4, texture: 3, grain: 0 },
  { seed: 6, brightness: 40, contrast: 20, saturation: 0.5, shapes: 5, texture: 4, grain: 0 },
];

/**
 * Built-in calibration frames for the int8 network: generated, not shipped, and the same on every
 * machine and every run (a seeded generator), so a calibration cached on disk stays valid.
 */
export function calibrationFrames(): NetworkImage[] {
  return SCENES.map((scene) => renderScene(scene, CALIBRATION_SIZE.width, CALIBRATION_SIZE.height));
}

/**
 * A scene like the calibration frames' (bright, colourful, some texture and grain) from a seed they do
 * not use, at any size: for measuring int8 against float32 on a frame calibration never saw.
 */
export function unseenScene(width: number, height: number): NetworkImage {
  return renderScene(
    { seed: 101, brightness: 130, contrast: 80, saturation: 0.7, shapes: 12, texture: 35, grain: 3 },
    width,
    height,
  );
}

function renderScene(scene: Scene, width: number, height: number): NetworkImage {
  const random = xorshift(scene.seed);
  const data = new Float32Array(width * height * 3);

  // Light and colour: smooth fields, one per channel, mostly shared (light) and partly separate (colour).
  const light = valueNoise(random, width, height, [96, 48], [1, 0.5]);
  const tints = [0, 1, 2].map(() => valueNoise(random, width, height, [128, 64], [1, 0.4]));
  // Detail: 1/f noise, finer octaves weaker, as in photographs.
  const detail = valueNoise(random, width, height, [16, 8, 4, 2], [1, 0.7, 0.5, 0.35]);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) {
      const tint = scene.saturation * tints[c]![i]!;
      data[i * 3 + c] = scene.brightness + scene.contrast * (light[i]! + tint) + scene.texture * detail[i]!;
    }
  }

  // Shapes: solid ellipses and rectangles with their own colour, shaded, with hard edges.
  for (let s = 0; s < scene.shapes; s++) {
    const cx = random() * width;
    const cy = random() * height;
    const rx = (0.05 + 0.3 * random() ** 2) * width;
    const ry = (0.05 + 0.3 * random() ** 2) * height;
    const ellipse = random() < 0.5;
    const base = scene.brightness + scene.contrast * 1.6 * (random() - 0.5);
    const colour = [0, 1, 2].map(() => base + scene.saturation * scene.contrast * 1.5 * (random() - 0.5));
    const shade = (random() - 0.5) * scene.contrast;
    for (let y = Math.max(0, Math.floor(cy - ry)); y < Math.min(height, cy + ry); y++) {
      for (let x = Math.max(0, Math.floor(cx - rx)); x < Math.min(width, cx + rx); x++) {
        const u = (x - cx) / rx;
        const v = (y - cy) / ry;
        if (ellipse && u * u + v * v > 1) continue;
        const i = y * width + x;
        for (let c = 0; c < 3; c++) {
          data[i * 3 + c] = colour[c]! + shade * v + scene.texture * 0.5 * detail[i]!;
        }
      }
    }
  }

  // Sensor grain, then whole 8-bit values, as a camera frame arrives.
  for (let i = 0; i < data.length; i++) {
    const noisy = data[i]! + scene.grain * (random() + random() + random() - 1.5) * 2;
    data[i] = Math.min(255, Math.max(0, Math.round(noisy)));
  }
  return { data, width, height };
}

/**
 * Smooth noise in about -1..1: for each octave, random values on a grid of `cell`-pixel squares,
 * interpolated with a smoothstep, weighted by `weights`.
 */
function valueNoise(
  random: () => number,
  width: number,
  height: number,
  cells: readonly number[],
  weights: readonly number[],
): Float32Array {
  const out = new Float32Array(width * height);
  const total = weights.reduce((a, b) => a + b, 0);
  cells.forEach((cell, octave) => {
    const gw = Math.ceil(width / cell) + 2;
    const gh = Math.ceil(height / cell) + 2;
    const grid = Float32Array.from({ length: gw * gh }, () => 2 * random() - 1);
    const weight = weights[octave]! / total;
    for (let y = 0; y < height; y++) {
      const gy = y / cell;
      const y0 = Math.floor(gy);
      const ty = smoothstep(gy - y0);
      for (let x = 0; x < width; x++) {
        const gx = x / cell;
        const x0 = Math.floor(gx);
        const tx = smoothstep(gx - x0);
        const top = grid[y0 * gw + x0]! * (1 - tx) + grid[y0 * gw + x0 + 1]! * tx;
        const bottom = grid[(y0 + 1) * gw + x0]! * (1 - tx) + grid[(y0 + 1) * gw + x0 + 1]! * tx;
        out[y * width + x]! += weight * (top * (1 - ty) + bottom * ty);
      }
    }
  });
  return out;
}

function smoothstep(t: number): number {
  return t * t * (3 - 2 * t);
}

/** xorshift32 in 0..1: small, fast and the same everywhere. */
function xorshift(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}
