import os from 'node:os';
import type { LoadedNetwork, NetworkBackend } from '../../engine/backends/backend.js';
import { unseenScene } from '../../engine/backends/ort/calibration-frames.js';
import { detectFastInt8 } from '../../engine/backends/ort/cpu-features.js';
import { psnr } from '../../engine/backends/ort/int8-calibration.js';
import { createOrtBackend } from '../../engine/backends/ort/ort-backend.js';
import type { Precision, PrecisionChoice } from '../../../common/engine-types.js';
import { createTfjsBackend, listTfjsRuntimes } from '../../engine/backends/tfjs/tfjs-backend.js';
import type { Frame } from '../../../common/frame.js';
import type { Ml5Model } from '../../engine/model/ml5-model.js';
import { readMl5Model } from '../../engine/model/ml5-model-reader.js';
import { syntheticModel } from '../../engine/model/synthetic-model.js';
import { stylizeFrame, type Size } from '../../engine/stylize.js';
import { resolveModelArgument } from '../model-library.js';

export interface BenchOptions {
  readonly model?: string;
  readonly json: boolean;
  readonly runs: number;
  readonly includeSlow: boolean;
  /** int8 rows beside onnxruntime's CPU float32 ones: `auto` where the CPU has fast int8, `int8` always, `fp32` never. */
  readonly precision: PrecisionChoice;
}

/** The frame sizes every backend is timed at: the mirror's default processing size, a square, a webcam's VGA. */
export const BENCH_SIZES: readonly Size[] = [
  { width: 256, height: 192 },
  { width: 256, height: 256 },
  { width: 640, height: 480 },
];

export interface BenchRow {
  readonly backend: string;
  readonly runtime: string;
  readonly device: string;
  readonly precision: Precision;
  readonly width: number;
  readonly height: number;
  /** Median of the timed frames, whole `stylizeFrame` call (conversion, network, rendering). */
  readonly msPerFrame: number;
  /** Median of the network's share alone. */
  readonly networkMs: number;
  readonly fps: number;
  /** How many times faster than tfjs wasm at the same size (wasm's ms / this row's ms). */
  readonly vsWasm: number | null;
  /** int8 rows: how many times faster than float32 on the same CPU and size, timed in turns with it. */
  readonly vsFp32: number | null;
  /** int8 rows: PSNR of the stylized frame against float32's at the same size, in dB. */
  readonly psnr: number | null;
}

export interface BenchReport {
  readonly machine: { cpu: string; cores: number; platform: string; arch: string; node: string };
  readonly model: string;
  readonly runs: number;
  readonly rows: BenchRow[];
  readonly skipped: { backend: string; reason: string }[];
  /** Why each precision that ran did, e.g. the int8 network's calibration PSNR. */
  readonly precisionReasons: { backend: string; reason: string }[];
}

/** Times every backend that works here, tfjs wasm included as the baseline, and prints the numbers. */
export async function benchCommand(
  options: BenchOptions,
  log: (line: string) => void = console.log,
): Promise<BenchReport> {
  if (!Number.isInteger(options.runs) || options.runs < 1)
    throw new Error('--runs must be a whole number of at least 1.');
  const model: Ml5Model =
    options.model === undefined
      ? syntheticModel()
      : await readMl5Model(await resolveModelArgument(options.model));

  const { backends, skipped } = await availableBackends(options.includeSlow);
  const rows: BenchRow[] = [];
  const precisionReasons: BenchReport['precisionReasons'] = [];
  const say = (line: string): void => {
    if (!options.json) log(line);
  };
  for (const { backend, label: tfjsLabel } of backends) {
    let network: LoadedNetwork;
    try {
      network = await backend.load(model);
    } catch (error) {
      skipped.push({ backend: tfjsLabel ?? 'ort', reason: (error as Error).message });
      continue;
    }
    // ORT is labelled by the provider it really got; a GPU provider is timed beside the CPU one.
    const label = tfjsLabel ?? `ort ${network.info.runtime}`;
    if (rows.some((r) => r.backend === label)) {
      await network.dispose();
      continue;
    }
    if (tfjsLabel === undefined && network.info.fallbackReason !== undefined) {
      skipped.push({ backend: 'ort GPU providers', reason: network.info.fallbackReason });
    }
    const int8 = label === 'ort cpu' ? await loadInt8(model, options.precision, skipped) : undefined;
    if (int8 !== undefined) precisionReasons.push({ backend: INT8_LABEL, reason: int8.info.precisionReason });
    try {
      for (const size of BENCH_SIZES) {
        if (int8 === undefined) {
          const timing = await timeFrames([network], size, options.runs);
          rows.push(benchRow(network, label, size, timing[0]!));
          say(`  measured ${label} at ${size.width}x${size.height}: ${timing[0]!.msPerFrame.toFixed(1)} ms`);
          continue;
        }
        // In turns, frame by frame: this shared machine's speed drifts, and the ratio is what matters.
        const [fp32, quantized] = (await timeFrames([network, int8], size, options.runs)) as [Timing, Timing];
        rows.push(benchRow(network, label, size, fp32), {
          ...benchRow(int8, INT8_LABEL, size, quantized),
          vsFp32: fp32.msPerFrame / quantized.msPerFrame,
          psnr: psnr(rgb(fp32.frame), rgb(quantized.frame)),
        });
        say(
          `  measured ${label} at ${size.width}x${size.height}: ${fp32.msPerFrame.toFixed(1)} ms float32, ${quantized.msPerFrame.toFixed(1)} ms int8`,
        );
      }
    } finally {
      await network.dispose();
      await int8?.dispose();
    }
  }

  const withRatios = rows.map((row) => {
    const wasm = rows.find(
      (r) => r.backend === 'tfjs wasm' && r.width === row.width && r.height === row.height,
    );
    return { ...row, vsWasm: wasm ? wasm.msPerFrame / row.msPerFrame : null };
  });
  const report: BenchReport = {
    machine: {
      cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
      cores: os.availableParallelism(),
      platform: process.platform,
      arch: process.arch,
      node: process.versions.node,
    },
    model: model.name,
    runs: options.runs,
    rows: withRatios,
    skipped,
    precisionReasons,
  };
  if (options.json) log(JSON.stringify(report, null, 2));
  else printTable(report, log);
  return report;
}

async function availableBackends(includeSlow: boolean) {
  const backends: { label?: string; backend: NetworkBackend }[] = [];
  const skipped: { backend: string; reason: string }[] = [];
  // `auto` gets the GPU provider where one works; the CPU provider is always timed as well.
  backends.push({ backend: createOrtBackend({ provider: 'auto' }) });
  backends.push({ backend: createOrtBackend({ provider: 'cpu' }) });
  for (const status of await listTfjsRuntimes()) {
    const label = `tfjs ${status.runtime}`;
    if (!status.available) skipped.push({ backend: label, reason: status.reason });
    else if (status.runtime === 'cpu' && !includeSlow) {
      skipped.push({
        backend: label,
        reason: 'pure JavaScript is minutes per frame; add --include-slow to time it',
      });
    } else backends.push({ label, backend: await createTfjsBackend({ runtime: status.runtime }) });
  }
  return { backends, skipped };
}

const INT8_LABEL = 'ort cpu int8';

function benchRow(network: LoadedNetwork, label: string, size: Size, timing: Timing): BenchRow {
  return {
    backend: label,
    runtime: network.info.runtime,
    device: network.info.device,
    precision: network.info.precision,
    ...size,
    msPerFrame: timing.msPerFrame,
    networkMs: timing.networkMs,
    fps: 1000 / timing.msPerFrame,
    vsWasm: null,
    vsFp32: null,
    psnr: null,
  };
}

/** onnxruntime's CPU int8 network where `precision` asks for it here, else undefined and why in `skipped`. */
async function loadInt8(
  model: Ml5Model,
  precision: PrecisionChoice,
  skipped: BenchReport['skipped'],
): Promise<LoadedNetwork | undefined> {
  if (precision === 'fp32') return undefined;
  const cpu = detectFastInt8();
  if (precision === 'auto' && !cpu.fast) {
    skipped.push({ backend: INT8_LABEL, reason: `${cpu.reason}; --precision int8 times it anyway` });
    return undefined;
  }
  try {
    return await createOrtBackend({ provider: 'cpu', precision: 'int8' }).load(model);
  } catch (error) {
    skipped.push({ backend: INT8_LABEL, reason: (error as Error).message });
    return undefined;
  }
}

interface Timing {
  /** Median of the timed frames, whole `stylizeFrame` call. */
  readonly msPerFrame: number;
  readonly networkMs: number;
  /** The last stylized frame, for comparing networks. */
  readonly frame: Frame;
}

/** Times each network on the same frames, in turns (one frame each, round after round). */
async function timeFrames(networks: readonly LoadedNetwork[], size: Size, runs: number): Promise<Timing[]> {
  const frame = benchFrame(size);
  // Warm-up: first runs allocate and pick kernels.
  for (const network of networks) await stylizeFrame(network, frame);
  const totals = networks.map((): number[] => []);
  const networkTimes = networks.map((): number[] => []);
  const last: Frame[] = [];
  for (let i = 0; i < runs; i++) {
    for (const [n, network] of networks.entries()) {
      const result = await stylizeFrame(network, frame);
      totals[n]!.push(result.timings.totalMs);
      networkTimes[n]!.push(result.timings.networkMs);
      last[n] = result.frame;
    }
  }
  return networks.map((_, n) => ({
    msPerFrame: median(totals[n]!),
    networkMs: median(networkTimes[n]!),
    frame: last[n]!,
  }));
}

/** The RGB bytes of a frame: alpha is the input's, the same for every network. */
function rgb(frame: Frame): Uint8Array {
  if (frame.channels === 3) return Uint8Array.from(frame.data);
  const out = new Uint8Array(frame.width * frame.height * 3);
  for (let i = 0, o = 0; o < out.length; i += 4, o += 3) out.set(frame.data.subarray(i, i + 3), o);
  return out;
}

/**
 * A generated scene, RGBA: its content does not change the cost, but it is what PSNR is measured on,
 * so it looks like a camera frame (light, shapes, texture, grain) and is not a calibration frame.
 */
function benchFrame({ width, height }: Size): Frame {
  const scene = unseenScene(width, height);
  const data = new Uint8Array(width * height * 4).fill(255);
  for (let i = 0, o = 0; i < scene.data.length; i += 3, o += 4) data.set(scene.data.subarray(i, i + 3), o);
  return { data, width, height, channels: 4 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function printTable(report: BenchReport, log: (line: string) => void): void {
  const { machine } = report;
  log('');
  log(
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.platform}-${machine.arch}, node ${machine.node}`,
  );
  log(`model: ${report.model}; median of ${report.runs} frames after one warm-up, whole stylize call`);
  log('');
  log(
    [
      'backend'.padEnd(12),
      'runtime'.padEnd(12),
      'device'.padEnd(12),
      'size'.padEnd(9),
      'ms/frame',
      '   fps',
      ' network ms',
      ' vs wasm',
      ' vs fp32',
      '  PSNR',
    ].join(' '),
  );
  for (const r of report.rows) {
    log(
      [
        r.backend.padEnd(12),
        r.runtime.padEnd(12),
        r.device.padEnd(12),
        `${r.width}x${r.height}`.padEnd(9),
        r.msPerFrame.toFixed(1).padStart(8),
        r.fps.toFixed(2).padStart(6),
        r.networkMs.toFixed(1).padStart(11),
        (r.vsWasm === null ? '-' : `${r.vsWasm.toFixed(1)}x`).padStart(8),
        (r.vsFp32 === null ? '-' : `${r.vsFp32.toFixed(2)}x`).padStart(8),
        (r.psnr === null ? '-' : `${r.psnr.toFixed(1)} dB`).padStart(8),
      ].join(' '),
    );
  }
  for (const p of report.precisionReasons) log(`${p.backend}: ${p.reason}`);
  for (const s of report.skipped) log(`skipped ${s.backend}: ${s.reason}`);
  if (report.rows.some((r) => r.psnr !== null)) {
    log(
      'vs fp32: float32 ms / int8 ms on the same CPU, timed in turns; PSNR: int8 against float32 on the timed frame',
    );
  }
}
