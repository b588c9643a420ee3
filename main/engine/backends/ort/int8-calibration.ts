import {
  activationOf,
  CONV_SPECS,
  FLOAT_FIRST_LAYER,
  type Int8LayerPlan,
  type Int8Plan,
  type ValueRange,
} from './int8-graph.js';

/** The layers a plan may quantize. */
export const INT8_LAYERS = CONV_SPECS.filter((l) => l.filter !== FLOAT_FIRST_LAYER);

/** Which plan to make from the same measurements: the faster ones lose some quality. */
export interface PlanChoice {
  /** Layers besides the first to keep in float32 (the second is the most sensitive: flat frames). */
  readonly floatLayers: readonly number[];
  /** Quantize in two pieces where that cuts the error tenfold (see SPLIT_SHARE); costs those layers twice. */
  readonly split: boolean;
}

/** One run of the network in float32 with probes: each layer's input and convolution result, NCHW. */
export interface ProbedRun {
  readonly layerInput: (filter: number) => Float32Array;
  readonly layerOutput: (filter: number) => Float32Array;
}

/**
 * Two pieces are used where they cut a layer's quantization error to this share of one piece's: far
 * below the quarter that halving every step gives, which only a few values far out (the last layer's
 * bright dot in six of the nine ml5 styles: 0.3-4%) achieve. The rest keep one, and their speed.
 */
const SPLIT_SHARE = 0.1;

/**
 * Accumulates what calibration needs from the float32 network's runs (per channel, the range of every
 * int8 layer's input and a histogram of its result), then makes the int8 plan. Every range is the
 * calibration frames' whole range: clipping a share of the values, or widening by a margin, lowered
 * the shared photos' PSNR.
 */
export class Calibrator {
  /** Per layer, per input channel. */
  private readonly inputs = new Map<number, ValueRange[]>();
  /** Per layer, per output channel. */
  private readonly outputs = new Map<number, Histogram[]>();

  add(run: ProbedRun): void {
    for (const layer of INT8_LAYERS) {
      const k = layer.filter;
      const input = run.layerInput(k);
      const pixels = input.length / layer.inChannels;
      const seen = Array.from({ length: layer.inChannels }, (_, c) =>
        rangeOf(input, c * pixels, (c + 1) * pixels),
      );
      const before = this.inputs.get(k);
      this.inputs.set(k, before === undefined ? seen : seen.map((r, c) => widen(before[c]!, r)));

      const output = run.layerOutput(k);
      let histograms = this.outputs.get(k);
      if (histograms === undefined) {
        histograms = Array.from({ length: layer.outChannels }, () => new Histogram());
        this.outputs.set(k, histograms);
      }
      const per = output.length / layer.outChannels;
      histograms.forEach((h, c) => h.add(output, c * per, (c + 1) * per));
    }
  }

  plan(choice: PlanChoice): Int8Plan {
    const quantized = INT8_LAYERS.filter((l) => !choice.floatLayers.includes(l.filter));
    const inputRanges = new Map(quantized.map((l) => [l.filter, this.seen(this.inputs, l.filter)]));

    // Each activation's channels all reach the top of its u8 range (their widest range over all the
    // activation's readers), so a narrow channel is not left a few steps.
    const activationGains: Record<number, number[]> = {};
    for (const layer of quantized) {
      const activation = activationOf(layer.filter);
      const readers = quantized
        .filter((l) => activationOf(l.filter) === activation)
        .map((l) => inputRanges.get(l.filter)!);
      const extents = readers[0]!.map((_, c) =>
        Math.max(...readers.map((r) => r[c]!.max - r[c]!.min), MIN_EXTENT),
      );
      const widest = Math.max(...extents);
      activationGains[activation] = extents.map((e) => Math.min(widest / e, MAX_GAIN));
    }

    const layers: Record<number, Int8LayerPlan> = {};
    for (const layer of quantized) {
      const k = layer.filter;
      const input = union(inputRanges.get(k)!, activationGains[activationOf(k)]);
      const histograms = this.seen(this.outputs, k);
      const splits = histograms.map((h) => h.split());
      const share = splits.reduce((sum, s) => sum + s.share, 0) / splits.length;
      const pieces =
        choice.split && share <= SPLIT_SHARE
          ? [splits.map((s) => s.pieces[0]), splits.map((s) => s.pieces[1])]
          : [histograms.map((h) => h.range())];
      layers[k] = { input, pieces };
    }
    return { layers, activationGains };
  }

  private seen<T>(from: Map<number, T>, filter: number): T {
    const value = from.get(filter);
    if (value === undefined) throw new Error('Calibration needs at least one run.');
    return value;
  }
}

/** The range holding every channel's range, each times its gain. */
function union(ranges: readonly ValueRange[], gains: readonly number[] | undefined): ValueRange {
  let min = Infinity;
  let max = -Infinity;
  ranges.forEach((r, c) => {
    const g = gains?.[c] ?? 1;
    min = Math.min(min, g * r.min);
    max = Math.max(max, g * r.max);
  });
  return { min, max };
}

/** The lowest and highest of `values[from..to)`, which must be finite. */
function rangeOf(values: Float32Array, from: number, to: number): ValueRange {
  let min = Infinity;
  let max = -Infinity;
  let nan = false;
  for (let i = from; i < to; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    nan ||= v !== v;
  }
  if (nan || !Number.isFinite(min) || !Number.isFinite(max)) {
    throw new Error('The float32 network computed a value that is not a finite number.');
  }
  return { min, max };
}

function widen(a: ValueRange, b: ValueRange): ValueRange {
  return { min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) };
}

/** Bins per histogram: where to split a range is found to within a thousandth of it. */
const BINS = 2048;
/** A bin narrower than this is below any activation that matters (and float32's subnormals). */
const SMALLEST_BIN = 1e-30;
/** A channel's range is at least this wide (a channel ReLU leaves at zero has none). */
const MIN_EXTENT = 1e-6;
/**
 * The most a channel is amplified to match the widest: a channel calibration saw (nearly) idle keeps
 * a few steps for frames where it is not. The ml5 styles' channels differ by up to about 20x.
 */
const MAX_GAIN = 64;

/**
 * A histogram of values whose range is not known in advance: bins of equal width anchored at 0, the
 * width doubling (neighbouring bins merging) whenever a value falls outside.
 */
export class Histogram {
  private counts = new Float64Array(BINS);
  /** Width of a bin; 0 until the first non-zero value. */
  private width = 0;
  private lowest = Infinity;
  private highest = -Infinity;
  private total = 0;

  add(values: Float32Array, from: number, to: number): void {
    if (to <= from) return;
    const { min: lo, max: hi } = rangeOf(values, from, to);
    this.lowest = Math.min(this.lowest, lo);
    this.highest = Math.max(this.highest, hi);
    this.total += to - from;
    const half = BINS / 2;
    const extent = Math.max(Math.abs(lo), Math.abs(hi));
    if (extent === 0) {
      // A channel that is all zeros (ReLU left nothing): the bin at zero.
      this.counts[half]! += to - from;
      return;
    }
    if (this.width === 0) this.width = Math.max(extent / half, SMALLEST_BIN);
    while (extent >= this.width * half) this.widen();
    const perBin = 1 / this.width;
    for (let i = from; i < to; i++) {
      const bin = Math.floor(values[i]! * perBin) + half;
      this.counts[Math.min(BINS - 1, Math.max(0, bin))]!++;
    }
  }

  /**
   * Two adjacent ranges that together span `range()`, split where the quantization error of
   * the values is least when each range gets the same number of steps (the error of a value goes with
   * its range's width squared: a dense bulk gets a narrow range, sparse outliers a wide one); and that
   * error as a share of one range's.
   */
  split(): { pieces: [ValueRange, ValueRange]; share: number } {
    const whole = this.range();
    const oneError = this.total * (whole.max - whole.min) ** 2;
    const half = BINS / 2;
    let below = 0;
    let best = { error: oneError, at: (whole.min + whole.max) / 2 };
    for (let b = 0; b < BINS; b++) {
      below += this.counts[b]!;
      const at = (b + 1 - half) * this.width;
      if (at <= whole.min || at >= whole.max) continue;
      const error = below * (at - whole.min) ** 2 + (this.total - below) * (whole.max - at) ** 2;
      if (error < best.error) best = { error, at };
    }
    return {
      pieces: [
        { min: whole.min, max: best.at },
        { min: best.at, max: whole.max },
      ],
      share: oneError > 0 ? best.error / oneError : 1,
    };
  }

  /** Every value seen, lowest to highest. */
  range(): ValueRange {
    if (this.total === 0) throw new Error('Calibration saw no values.');
    return { min: this.lowest, max: this.highest };
  }

  private widen(): void {
    const merged = new Float64Array(BINS);
    const half = BINS / 2;
    for (let b = 0; b < BINS; b++) {
      // Value v was in bin floor(v / w) + half; with width 2w it is in floor((b - half) / 2) + half.
      merged[Math.floor((b - half) / 2) + half]! += this.counts[b]!;
    }
    this.counts = merged;
    this.width *= 2;
  }
}

/** Peak signal-to-noise ratio of `test` against `reference`, both clipped to 0..255, in dB. */
export function psnr(reference: ArrayLike<number>, test: ArrayLike<number>): number {
  if (reference.length !== test.length) {
    throw new Error(`psnr: lengths differ (${reference.length} vs ${test.length}).`);
  }
  let squares = 0;
  for (let i = 0; i < reference.length; i++) {
    const d = clip255(reference[i]!) - clip255(test[i]!);
    squares += d * d;
  }
  const mse = squares / reference.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

function clip255(v: number): number {
  return v > 255 ? 255 : v > 0 ? v : 0;
}
