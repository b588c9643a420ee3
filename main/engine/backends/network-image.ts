import type { NetworkImage } from './backend.js';

/** Largest side the network accepts; the stylize API downscales anything bigger before it gets here. */
export const MAX_NETWORK_SIDE = 4096;

/** Throws a RangeError that says what is wrong with an image handed to a network backend. */
export function checkNetworkImage(image: NetworkImage): void {
  const { height, width, data } = image;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new RangeError(`Network input must be at least 1x1 pixels, got ${width}x${height}.`);
  }
  if (height > MAX_NETWORK_SIDE || width > MAX_NETWORK_SIDE) {
    throw new RangeError(
      `Network input ${width}x${height} is larger than ${MAX_NETWORK_SIDE} pixels a side.`,
    );
  }
  if (!(data instanceof Float32Array) || data.length !== height * width * 3) {
    throw new RangeError(
      `Network input of ${width}x${height} RGB needs ${height * width * 3} float32 values, got ${data?.length ?? 'none'}.`,
    );
  }
}
