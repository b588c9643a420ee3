/**
 * How much a camera picture changed, measured so that camera noise does not count: each frame is
 * reduced to the mean luma of small blocks (a box blur and a downsample in one pass), and blocks are
 * compared. Averaging a 4x4 block divides per-pixel noise by 4: camera noise of 3 levels per pixel
 * moves a block's mean by about 1 level, while a real change (an edge, a hand) moves it by many.
 *
 * Used by the mirror to rest when the scene is still and by the frame stabiliser to tell moving
 * pixels from shimmering ones. Pure TypeScript on typed arrays: it runs in the page, the engine and
 * the CLI alike.
 */
import type { Frame } from '../frame.js';

/** Pixels a side of the blocks luma is averaged over. */
export const SIGNATURE_BLOCK_SIZE = 4;

/**
 * A block whose mean luma moved more than this many levels (of 255) has really changed: camera noise
 * of sigma 3 moves a 4x4 block's mean by about 1 level, and over the 3,072 blocks of a 256x192 frame
 * its largest excursion stays under 5.
 */
export const CHANGE_LEVELS = 8;

/** A frame reduced to the mean luma of each block: what frames are compared by. */
export interface LumaSignature {
  /** The frame's size in pixels. */
  readonly frameWidth: number;
  readonly frameHeight: number;
  readonly blockSize: number;
  /** Blocks across and down (the last ones may be cut short by the frame's edge). */
  readonly columns: number;
  readonly rows: number;
  /** Mean luma (0..255, Rec. 601 weights) of each block, row by row. */
  readonly luma: Float32Array;
}

/**
 * The luma signature of an RGB or RGBA frame.
 *
 * @throws {RangeError} for a block size that is not a whole number from 1 to 64, or a frame whose
 *   pixel count does not match its size.
 */
export function lumaSignature(frame: Frame, blockSize = SIGNATURE_BLOCK_SIZE): LumaSignature {
  if (!Number.isInteger(blockSize) || blockSize < 1 || blockSize > 64) {
    throw new RangeError(`Signature block size must be a whole number from 1 to 64, got ${blockSize}.`);
  }
  const { data, width, height, channels } = frame;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`Cannot take the luma of a ${width}x${height} frame.`);
  }
  if (data.length !== width * height * channels) {
    throw new RangeError(
      `A ${width}x${height} frame with ${channels} channels needs ${width * height * channels} bytes, got ${data.length}.`,
    );
  }
  const columns = Math.ceil(width / blockSize);
  const rows = Math.ceil(height / blockSize);
  const sums = new Float32Array(columns * rows);
  for (let y = 0; y < height; y++) {
    const row = ((y / blockSize) | 0) * columns;
    let i = y * width * channels;
    for (let column = 0; column < columns; column++) {
      const end = Math.min(width, (column + 1) * blockSize);
      // Integer Rec. 601 weights (77, 150, 29 out of 256): exact enough, and fast.
      let sum = 0;
      for (let x = column * blockSize; x < end; x++, i += channels) {
        sum += 77 * data[i]! + 150 * data[i + 1]! + 29 * data[i + 2]!;
      }
      sums[row + column]! += sum;
    }
  }
  for (let row = 0; row < rows; row++) {
    const blockHeight = Math.min(blockSize, height - row * blockSize);
    for (let column = 0; column < columns; column++) {
      const blockWidth = Math.min(blockSize, width - column * blockSize);
      sums[row * columns + column]! /= 256 * blockWidth * blockHeight;
    }
  }
  return { frameWidth: width, frameHeight: height, blockSize, columns, rows, luma: sums };
}

/** Whether two signatures are of frames of the same size, blocked the same way: only those compare. */
export function sameLayout(a: LumaSignature, b: LumaSignature): boolean {
  return a.frameWidth === b.frameWidth && a.frameHeight === b.frameHeight && a.blockSize === b.blockSize;
}

/** How two frames differ, block by block. */
export interface FrameChange {
  /** The largest change of a block's mean luma, in levels. */
  readonly maxLevels: number;
  /** How many blocks changed by more than the threshold. */
  readonly changedBlocks: number;
  /** The same, as a share of all blocks (0..1). */
  readonly changedFraction: number;
}

/**
 * How `current` differs from `reference`, counting blocks that moved more than `thresholdLevels`.
 *
 * @throws {RangeError} when the two are of frames of different sizes or block sizes.
 */
export function compareSignatures(
  reference: LumaSignature,
  current: LumaSignature,
  thresholdLevels = CHANGE_LEVELS,
): FrameChange {
  if (!sameLayout(reference, current)) {
    throw new RangeError(
      `Cannot compare the signature of a ${reference.frameWidth}x${reference.frameHeight} frame (blocks of ${reference.blockSize}) ` +
        `with one of ${current.frameWidth}x${current.frameHeight} (blocks of ${current.blockSize}).`,
    );
  }
  const a = reference.luma;
  const b = current.luma;
  let maxLevels = 0;
  let changedBlocks = 0;
  for (let i = 0; i < a.length; i++) {
    const change = Math.abs(a[i]! - b[i]!);
    if (change > maxLevels) maxLevels = change;
    if (change > thresholdLevels) changedBlocks++;
  }
  return { maxLevels, changedBlocks, changedFraction: changedBlocks / a.length };
}

/**
 * Whether `current` shows something `reference` did not: any block changed beyond camera noise, or
 * the frames are not comparable at all (a new size). One block is enough: a blink or a finger is a
 * few blocks at the mirror's processing size, and noise alone never reaches {@link CHANGE_LEVELS}.
 */
export function changedBeyondNoise(reference: LumaSignature, current: LumaSignature): boolean {
  return !sameLayout(reference, current) || compareSignatures(reference, current).changedBlocks > 0;
}
