import type { ImageTensorSpec } from '../model/style-model.js';
import { ModelError } from '../model/model-errors.js';
import type { NetworkImage } from './backend.js';

/**
 * The conversions between the engine's pictures (HWC RGB, 0..255) and a network's picture tensors as
 * its sidecar describes them, shared by every backend that runs ONNX or tfjs graph models.
 */

/** A picture tensor: batch of one, in the sidecar's layout. */
export interface ImageTensor {
  readonly data: Float32Array;
  readonly dims: readonly [number, number, number, number];
}

/**
 * Most pixels an output may be larger than its input on a side: padding networks add and the crop
 * takes off again, as it does the ml5 network's (up to 3). Anything bigger is a different picture.
 */
export const MAX_OUTPUT_PADDING = 16;

/** The picture as the network's input: `spec.layout`, values mapped from 0..255 onto `spec.range`. */
export function toImageTensor(image: NetworkImage, spec: ImageTensorSpec): ImageTensor {
  const { data, height, width } = image;
  const [low, high] = spec.range;
  const scale = (high - low) / 255;
  const out = new Float32Array(data.length);
  if (spec.layout === 'NHWC') {
    for (let i = 0; i < data.length; i++) out[i] = low + data[i]! * scale;
    return { data: out, dims: [1, height, width, 3] };
  }
  const plane = height * width;
  for (let p = 0; p < plane; p++) {
    out[p] = low + data[3 * p]! * scale;
    out[plane + p] = low + data[3 * p + 1]! * scale;
    out[2 * plane + p] = low + data[3 * p + 2]! * scale;
  }
  return { data: out, dims: [1, 3, height, width] };
}

/**
 * The network's output tensor back as an RGB 0..255 picture of exactly `size`: values mapped from
 * `spec.range`, unclipped, the extra rows and columns of a padded output cropped off the bottom and
 * right.
 *
 * @throws {ModelError} `network-invalid` for an output that is not one RGB picture at least `size`
 *   (and at most {@link MAX_OUTPUT_PADDING} larger) in the sidecar's layout, naming `model` and `file`.
 */
export function fromImageTensor(
  data: Float32Array,
  dims: readonly number[],
  spec: ImageTensorSpec,
  size: { readonly height: number; readonly width: number },
  model: { readonly name: string; readonly file: string },
): NetworkImage {
  const nchw = spec.layout === 'NCHW';
  const [batch, channels, height, width] = nchw
    ? [dims[0], dims[1], dims[2], dims[3]]
    : [dims[0], dims[3], dims[1], dims[2]];
  const fits = (side: number | undefined, wanted: number): side is number =>
    side !== undefined && side >= wanted && side <= wanted + MAX_OUTPUT_PADDING;
  if (
    dims.length !== 4 ||
    batch !== 1 ||
    channels !== 3 ||
    !fits(height, size.height) ||
    !fits(width, size.width) ||
    data.length !== height * width * 3
  ) {
    throw new ModelError(
      'network-invalid',
      model.name,
      model.file,
      `returns a [${dims.join(', ')}] output ${JSON.stringify(spec.name.slice(0, 80))} for a ${size.width}x${size.height} picture; as ${spec.layout}, a style network returns [${nchw ? `1, 3, ${size.height}, ${size.width}` : `1, ${size.height}, ${size.width}, 3`}] (a few pixels more at most).`,
    );
  }
  const [low, high] = spec.range;
  const scale = 255 / (high - low);
  const out = new Float32Array(size.height * size.width * 3);
  const plane = height * width;
  for (let y = 0, o = 0; y < size.height; y++) {
    for (let x = 0; x < size.width; x++, o += 3) {
      const p = y * width + x;
      for (let c = 0; c < 3; c++) {
        out[o + c] = (data[nchw ? c * plane + p : 3 * p + c]! - low) * scale;
      }
    }
  }
  return { data: out, height: size.height, width: size.width };
}
