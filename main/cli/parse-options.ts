import { InvalidArgumentError } from 'commander';
import { BACKEND_CHOICES, type BackendChoice } from '../engine/backends/select-backend.js';
import type { PrecisionChoice } from '../../common/engine-types.js';
import { MAX_FRAME_SIDE, MIN_FRAME_SIDE } from '../../common/frame.js';
import type { Size } from '../engine/stylize.js';

/** `WxH` -> size, for `--size 640x480`. */
export function parseSize(value: string): Size {
  const match = /^(\d+)x(\d+)$/i.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected WIDTHxHEIGHT, e.g. 640x480.');
  const size = { width: Number(match[1]), height: Number(match[2]) };
  // Checked here, not per image after the model has loaded: the engine refuses these for every frame.
  for (const side of [size.width, size.height]) {
    if (side < MIN_FRAME_SIDE || side > MAX_FRAME_SIDE) {
      throw new InvalidArgumentError(`expected sides from ${MIN_FRAME_SIDE} to ${MAX_FRAME_SIDE} pixels.`);
    }
  }
  return size;
}

export function parseStrength(value: string): number {
  const strength = Number(value);
  if (value.trim() === '' || !Number.isFinite(strength) || strength < 0 || strength > 1) {
    throw new InvalidArgumentError('expected a number from 0 to 1.');
  }
  return strength;
}

export function parseBackend(value: string): BackendChoice {
  if (!(BACKEND_CHOICES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${BACKEND_CHOICES.join(', ')}.`);
  }
  return value as BackendChoice;
}

const PRECISION_CHOICES: readonly PrecisionChoice[] = ['auto', 'fp32', 'int8'];

export function parsePrecision(value: string): PrecisionChoice {
  if (!(PRECISION_CHOICES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${PRECISION_CHOICES.join(', ')}.`);
  }
  return value as PrecisionChoice;
}
