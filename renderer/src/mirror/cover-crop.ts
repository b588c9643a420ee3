/** A width and a height in pixels. */
export interface Size {
  readonly width: number;
  readonly height: number;
}

/** A rectangle of the source picture, in source pixels. */
export interface CropRect {
  readonly sx: number;
  readonly sy: number;
  readonly sw: number;
  readonly sh: number;
}

/**
 * The centred part of `source` with `target`'s aspect ratio ("object-fit: cover"): drawing it into
 * `target` fills it without stretching, cutting the sides (or the top and bottom) off evenly.
 */
export function coverCrop(source: Size, target: Size): CropRect {
  const scale = Math.max(target.width / source.width, target.height / source.height);
  const sw = Math.min(source.width, target.width / scale);
  const sh = Math.min(source.height, target.height / scale);
  return { sx: (source.width - sw) / 2, sy: (source.height - sh) / 2, sw, sh };
}
