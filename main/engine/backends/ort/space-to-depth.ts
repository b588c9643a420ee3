import type { ConvLayerSpec } from '../../model/architecture.js';

/**
 * Where a space-to-depth block's pixels go among the channels, as ONNX's DepthToSpace modes name it:
 * `DCR`: channel `(ry * block + rx) * channels + c` (what SpaceToDepth makes); `CRD`: channel
 * `(c * block + ry) * block + rx`, which keeps each full-resolution channel's pixels together, so that
 * a reshape to `[1, channels, -1]` holds exactly that channel's pixels.
 */
export type BlockOrder = 'DCR' | 'CRD';

/** A tensor in space-to-depth form: each `block x block` patch of pixels stacked into channels. */
export interface BlockLayout {
  readonly block: number;
  readonly order: BlockOrder;
}

/** The plain, full-resolution layout. */
export const PLAIN: BlockLayout = { block: 1, order: 'CRD' };

/** A convolution that works on blocked tensors: its ONNX weight and attributes. */
export interface BlockedConv {
  /** ONNX Conv weight, `[out, in, kh, kw]`. */
  readonly dims: [number, number, number, number];
  readonly values: Float32Array;
  /** ONNX Conv attributes: kernel, strides and padding. */
  readonly attributes: {
    readonly kernel_shape: number[];
    readonly strides: number[];
  } & ({ readonly pads: number[] } | { readonly auto_pad: 'SAME_UPPER' });
}

/**
 * Rewrites one layer of the network (a TF "SAME" convolution, or the stride-2 transposed convolution)
 * as an ordinary convolution from `input`'s layout to `output`'s: the same sums, regrouped.
 *
 * Along each axis, full-resolution output position `o = bo * Y + r` reads input position
 * `i = bi * X + q`, with `i = s * o + k - pad` for a convolution and `o = s * i + k` for the transposed
 * one (TF's SAME: 0 before, the extra row after). Every (r, k) pair so lands at a fixed cell offset
 * `X - cs * Y` and input parity `q`, which become the new kernel's tap and input channel. A blocked
 * input's full-resolution sides must be multiples of `bi` and of the layer's stride, which keeps TF's
 * padding a whole number of cells.
 */
export function blockedConv(
  layer: ConvLayerSpec,
  filter: Float32Array,
  input: BlockLayout,
  output: BlockLayout,
): BlockedConv {
  const { kernel, stride, inChannels: cin, outChannels: cout } = layer;
  const transposed = layer.kind === 'convTranspose';
  const bi = input.block;
  const bo = output.block;
  // Full-resolution input position = step * Y + offset(r, k), per axis.
  const step = transposed ? bo / stride : stride * bo;
  const coarseStride = step / bi;
  if (!Number.isInteger(step) || !Number.isInteger(coarseStride) || coarseStride < 1) {
    throw new Error(`No blocked form of filter ${layer.filter} from block ${bi} to block ${bo}.`);
  }
  // TF SAME on a side that is a multiple of the stride: `(kernel - stride)` padding, the smaller half first.
  const padBefore = Math.floor(Math.max(kernel - stride, 0) / 2);
  /** Full-resolution input offset for output parity r and kernel tap k, or undefined: no such tap. */
  const offset = (r: number, k: number): number | undefined => {
    if (!transposed) return stride * r + k - padBefore;
    return (r - k) % stride === 0 ? (r - k) / stride : undefined;
  };

  let first = Infinity;
  let last = -Infinity;
  for (let r = 0; r < bo; r++)
    for (let k = 0; k < kernel; k++) {
      const d = offset(r, k);
      if (d === undefined) continue;
      first = Math.min(first, Math.floor(d / bi));
      last = Math.max(last, Math.floor(d / bi));
    }
  const taps = last - first + 1;
  const padAfter = last + 1 - coarseStride;
  if (first > 0 || padAfter < 0) throw new Error(`Filter ${layer.filter}: unexpected blocked padding.`);

  const inDepth = cin * bi * bi;
  const outDepth = cout * bo * bo;
  const inChannel = (c: number, qy: number, qx: number): number =>
    input.order === 'CRD' ? (c * bi + qy) * bi + qx : (qy * bi + qx) * cin + c;
  const outChannel = (o: number, ry: number, rx: number): number =>
    output.order === 'CRD' ? (o * bo + ry) * bo + rx : (ry * bo + rx) * cout + o;
  // TF layouts: convolution [kh, kw, in, out], transposed convolution [kh, kw, out, in].
  const source = (ky: number, kx: number, c: number, o: number): number =>
    filter[
      transposed ? ((ky * kernel + kx) * cout + o) * cin + c : ((ky * kernel + kx) * cin + c) * cout + o
    ]!;

  const values = new Float32Array(outDepth * inDepth * taps * taps);
  for (let ry = 0; ry < bo; ry++)
    for (let ky = 0; ky < kernel; ky++) {
      const dy = offset(ry, ky);
      if (dy === undefined) continue;
      const ty = Math.floor(dy / bi) - first;
      const qy = dy - bi * Math.floor(dy / bi);
      for (let rx = 0; rx < bo; rx++)
        for (let kx = 0; kx < kernel; kx++) {
          const dx = offset(rx, kx);
          if (dx === undefined) continue;
          const tx = Math.floor(dx / bi) - first;
          const qx = dx - bi * Math.floor(dx / bi);
          for (let o = 0; o < cout; o++)
            for (let c = 0; c < cin; c++) {
              const target =
                ((outChannel(o, ry, rx) * inDepth + inChannel(c, qy, qx)) * taps + ty) * taps + tx;
              values[target] = source(ky, kx, c, o);
            }
        }
    }
  // A plain convolution pads as TensorFlow's SAME does, which SAME_UPPER matches on every side length
  // (stride 2 on an odd side pads the extra row before, not after). Blocked tensors and the
  // transposed convolution always have whole blocks, so explicit pads are exact there.
  const samePadding = !transposed && bi === 1 && bo === 1;
  return {
    dims: [outDepth, inDepth, taps, taps],
    values,
    attributes: {
      kernel_shape: [taps, taps],
      strides: [coarseStride, coarseStride],
      ...(samePadding ? { auto_pad: 'SAME_UPPER' as const } : { pads: [-first, -first, padAfter, padAfter] }),
    },
  };
}
