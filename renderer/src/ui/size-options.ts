/** The network's working sizes on offer, as "WIDTHxHEIGHT": smaller is faster and paints bolder strokes. */
export const PROCESSING_SIZES = ['160x120', '256x192', '320x240', '480x360', '640x480'] as const;

/** "256x192" -> { width: 256, height: 192 }; null for anything else. */
export function parseSize(value: string): { width: number; height: number } | null {
  const match = /^(\d{1,5})x(\d{1,5})$/.exec(value);
  return match === null ? null : { width: Number(match[1]), height: Number(match[2]) };
}

/** `options`, plus `value` at the end if it is not one of them (a size set elsewhere still shows). */
export function withCurrent(options: readonly string[], value: string): readonly string[] {
  return options.includes(value) ? options : [...options, value];
}
