/**
 * Steadies a feed-forward style network's frames without retraining it. The network repaints every
 * frame from scratch, so camera noise on a still scene makes the painted texture boil. Where the input
 * has not changed beyond camera noise, this keeps the picture already shown and eases it towards the
 * new one (an exponential blend, which converges to a steady picture); where the input moved, it takes
 * the new picture at once, so nothing trails behind a moving hand.
 *
 * Frame by frame, on typed arrays, no allocation per frame once the size is set: a live mirror and a
 * video loop call it the same way. Pure TypeScript: the page, the engine and the CLI can all run it.
 */
import type { Frame } from '../frame.js';
import type { LumaSignature } from './frame-change.js';

export interface StabilizerOptions {
  /**
   * Share of the new picture blended in per frame where the input is still (0 < x <= 1): smaller is
   * steadier, larger follows slow changes (light drifting) sooner.
   */
  readonly stillBlend?: number;
  /** A block whose mean luma moved at most this many levels from the picture shown is still. */
  readonly stillLevels?: number;
  /** A block whose mean luma moved at least this many levels is taken new at once. */
  readonly movingLevels?: number;
  /** When more than this share of blocks moved, the frame is a new scene and is taken whole. */
  readonly sceneCutFraction?: number;
}

/**
 * Tuned with `stylemirror bench --temporal` on the nine ml5 models: still-scene flicker at least 3x
 * lower, moving pixels within 3 levels of the unsteadied picture (README, "Steady painting").
 */
export const DEFAULT_STABILIZER_OPTIONS: Required<StabilizerOptions> = {
  stillBlend: 0.15,
  stillLevels: 2,
  movingLevels: 6,
  sceneCutFraction: 0.5,
};

/** Sizes of the frames being stabilised: a frame of any other layout starts afresh. */
interface Layout {
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
  readonly blockSize: number;
  readonly columns: number;
  readonly rows: number;
}

/**
 * One stream's stabiliser: give it each frame's input signature and the network's output, in order.
 * It starts afresh by itself on the first frame, on a new frame size and on a scene cut; call
 * {@link reset} when the picture changes for another reason (another model, strength or colours).
 */
export class FrameStabilizer {
  private readonly options: Required<StabilizerOptions>;
  private layout: Layout | undefined;
  /** The picture shown, RGB, unrounded: rounding every frame would stall the blend short of its goal. */
  private picture = new Float32Array(0);
  /** The mean luma per block of the input the picture shows, moved by the same blends. */
  private reference = new Float32Array(0);
  /** Per block: the share of the new picture taken this frame. */
  private weights = new Float32Array(0);
  private spread = new Float32Array(0);
  /** Per pixel column: the two block columns its weight is interpolated between, and how far along. */
  private left = new Int32Array(0);
  private right = new Int32Array(0);
  private along = new Float32Array(0);
  private rowWeights = new Float32Array(0);
  private columnScratch = new Float32Array(0);

  constructor(options: StabilizerOptions = {}) {
    const merged = { ...DEFAULT_STABILIZER_OPTIONS, ...options };
    const { stillBlend, stillLevels, movingLevels, sceneCutFraction } = merged;
    if (!(stillBlend > 0 && stillBlend <= 1)) {
      throw new RangeError(`Stabilizer stillBlend must be above 0 and at most 1, got ${stillBlend}.`);
    }
    if (!(stillLevels >= 0 && movingLevels > stillLevels && Number.isFinite(movingLevels))) {
      throw new RangeError(
        `Stabilizer levels must satisfy 0 <= stillLevels < movingLevels, got ${stillLevels} and ${movingLevels}.`,
      );
    }
    if (!(sceneCutFraction > 0 && sceneCutFraction <= 1)) {
      throw new RangeError(
        `Stabilizer sceneCutFraction must be above 0 and at most 1, got ${sceneCutFraction}.`,
      );
    }
    this.options = merged;
  }

  /** Forgets the picture shown: the next frame is taken whole. */
  reset(): void {
    this.layout = undefined;
  }

  /**
   * Steadies `output`, the network's picture of the frame whose signature is `input`: replaces its
   * pixels, in place, with the picture to show, and returns it. Alpha, if any, is left as it is.
   *
   * @throws {RangeError} when `output` is malformed or not the size of the frame `input` describes.
   */
  stabilize(input: LumaSignature, output: Frame): Frame {
    const { data, width, height, channels } = output;
    if (channels !== 3 && channels !== 4) {
      throw new RangeError(`Stabilizer takes RGB or RGBA frames, got ${String(channels)} channels.`);
    }
    if (data.length !== width * height * channels) {
      throw new RangeError(
        `Stabilizer output of ${width}x${height} with ${channels} channels needs ${width * height * channels} bytes, got ${data.length}.`,
      );
    }
    if (input.frameWidth !== width || input.frameHeight !== height) {
      throw new RangeError(
        `Stabilizer input is a ${input.frameWidth}x${input.frameHeight} frame's signature but the output is ${width}x${height}.`,
      );
    }
    const { blockSize, columns, rows, luma } = input;
    if (
      columns !== Math.ceil(width / blockSize) ||
      rows !== Math.ceil(height / blockSize) ||
      luma.length !== columns * rows
    ) {
      throw new RangeError(
        `Stabilizer input signature does not describe a ${width}x${height} frame in blocks of ${blockSize}: ${columns}x${rows} blocks, ${luma.length} values.`,
      );
    }
    const layout = this.layout;
    if (
      layout === undefined ||
      layout.width !== width ||
      layout.height !== height ||
      layout.channels !== channels ||
      layout.blockSize !== input.blockSize
    ) {
      this.start(input, output);
      return output;
    }
    if (this.weighBlocks(input.luma)) {
      this.start(input, output);
      return output;
    }
    spreadMax(this.weights, this.spread, this.columnScratch, layout.columns);
    const reference = this.reference;
    const spread = this.spread;
    for (let i = 0; i < reference.length; i++) {
      reference[i]! += spread[i]! * (input.luma[i]! - reference[i]!);
    }
    this.blend(data, layout);
    return output;
  }

  /** Takes `output` as it is and makes it the picture shown. */
  private start(input: LumaSignature, output: Frame): void {
    const { width, height, channels, data } = output;
    const { blockSize, columns, rows } = input;
    const previous = this.layout;
    this.layout = { width, height, channels, blockSize, columns, rows };
    if (previous?.width !== width || previous.height !== height || previous.blockSize !== blockSize) {
      this.allocate(this.layout);
    }
    const picture = this.picture;
    for (let i = 0, p = 0; p < picture.length; i += channels, p += 3) {
      picture[p] = data[i]!;
      picture[p + 1] = data[i + 1]!;
      picture[p + 2] = data[i + 2]!;
    }
    this.reference.set(input.luma);
  }

  private allocate({ width, height, blockSize, columns, rows }: Layout): void {
    this.picture = new Float32Array(width * height * 3);
    this.reference = new Float32Array(columns * rows);
    this.weights = new Float32Array(columns * rows);
    this.spread = new Float32Array(columns * rows);
    this.rowWeights = new Float32Array(columns);
    this.columnScratch = new Float32Array(rows);
    this.left = new Int32Array(width);
    this.right = new Int32Array(width);
    this.along = new Float32Array(width);
    for (let x = 0; x < width; x++) {
      const [left, right, along] = between((x + 0.5) / blockSize - 0.5, columns);
      this.left[x] = left;
      this.right[x] = right;
      this.along[x] = along;
    }
  }

  /** Fills `weights` from how far each block moved; returns true for a scene cut. */
  private weighBlocks(luma: Float32Array): boolean {
    const { stillBlend, stillLevels, movingLevels, sceneCutFraction } = this.options;
    const reference = this.reference;
    const weights = this.weights;
    const span = movingLevels - stillLevels;
    let moving = 0;
    for (let i = 0; i < weights.length; i++) {
      const change = Math.abs(luma[i]! - reference[i]!);
      if (change >= movingLevels) moving++;
      const t = Math.min(1, Math.max(0, (change - stillLevels) / span));
      // Smoothstep: no kink where noise ends, none where motion begins.
      weights[i] = stillBlend + (1 - stillBlend) * t * t * (3 - 2 * t);
    }
    return moving > sceneCutFraction * weights.length;
  }

  /**
   * Blends the new picture into the one shown, pixel by pixel, with the block weights interpolated
   * bilinearly between block centres. The weights were spread to each block's neighbours first, so
   * every pixel of a moving block is interpolated between weights of 1 and is taken whole.
   */
  private blend(data: Frame['data'], { width, height, channels, blockSize, columns, rows }: Layout): void {
    const { picture, spread, rowWeights, left, right, along } = this;
    for (let y = 0; y < height; y++) {
      const [top, bottom, down] = between((y + 0.5) / blockSize - 0.5, rows);
      const topRow = top * columns;
      const bottomRow = bottom * columns;
      for (let c = 0; c < columns; c++) {
        const upper = spread[topRow + c]!;
        rowWeights[c] = upper + (spread[bottomRow + c]! - upper) * down;
      }
      let i = y * width * channels;
      let p = y * width * 3;
      for (let x = 0; x < width; x++, i += channels, p += 3) {
        const a = rowWeights[left[x]!]!;
        const weight = a + (rowWeights[right[x]!]! - a) * along[x]!;
        for (let k = 0; k < 3; k++) {
          const kept = picture[p + k]!;
          const value = kept + weight * (data[i + k]! - kept);
          picture[p + k] = value;
          data[i + k] = (value + 0.5) | 0;
        }
      }
    }
  }
}

/** Block index below and above position `at` (in block units, centres at whole numbers), and how far along. */
function between(at: number, count: number): [number, number, number] {
  const low = Math.min(count - 1, Math.max(0, Math.floor(at)));
  const high = Math.min(count - 1, low + 1);
  const along = high === low ? 0 : Math.min(1, Math.max(0, at - low));
  return [low, high, along];
}

/** `to` = the largest of each block's and its eight neighbours' values in `from`; `column` is scratch, one per row. */
function spreadMax(from: Float32Array, to: Float32Array, column: Float32Array, columns: number): void {
  const rows = column.length;
  // Across, then down: two passes of three instead of one of nine.
  for (let r = 0; r < rows; r++) {
    const row = r * columns;
    for (let c = 0; c < columns; c++) {
      let most = from[row + c]!;
      if (c > 0) most = Math.max(most, from[row + c - 1]!);
      if (c + 1 < columns) most = Math.max(most, from[row + c + 1]!);
      to[row + c] = most;
    }
  }
  for (let c = 0; c < columns; c++) {
    for (let r = 0; r < rows; r++) column[r] = to[r * columns + c]!;
    for (let r = 0; r < rows; r++) {
      let most = column[r]!;
      if (r > 0) most = Math.max(most, column[r - 1]!);
      if (r + 1 < rows) most = Math.max(most, column[r + 1]!);
      to[r * columns + c] = most;
    }
  }
}
