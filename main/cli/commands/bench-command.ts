import os from 'node:os';
import type { LoadedNetwork, NetworkBackend } from '../../engine/backends/backend.js';
import { createOrtBackend } from '../../engine/backends/ort/ort-backend.js';
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
}

/** The frame sizes every backend is timed at: a small processing size and a webcam's VGA. */
export const BENCH_SIZES: readonly Size[] = [
  { width: 256, height: 256 },
  { width: 640, height: 480 },
];

export interface BenchRow {
  readonly backend: string;
  readonly runtime: string;
  readonly device: string;
  readonly width: number;
  readonly height: number;
  /** Median of the timed frames, whole `stylizeFrame` call (conversion, network, rendering). */
  readonly msPerFrame: number;
  /** Median of the network's share alone. */
  readonly networkMs: number;
  readonly fps: number;
  /** How many times faster than tfjs wasm at the same size (wasm's ms / this row's ms). */
  readonly vsWasm: number | null;
}

export interface BenchReport {
  readonly machine: { cpu: string; cores: number; platform: string; arch: string; node: string };
  readonly model: string;
  readonly runs: number;
  readonly rows: BenchRow[];
  readonly skipped: { backend: string; reason: string }[];
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
    try {
      for (const size of BENCH_SIZES) {
        const timing = await timeFrames(network, size, options.runs);
        rows.push({
          backend: label,
          runtime: network.info.runtime,
          device: network.info.device,
          ...size,
          ...timing,
          fps: 1000 / timing.msPerFrame,
          vsWasm: null,
        });
        if (!options.json)
          log(`  measured ${label} at ${size.width}x${size.height}: ${timing.msPerFrame.toFixed(1)} ms`);
      }
    } finally {
      await network.dispose();
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

async function timeFrames(network: LoadedNetwork, size: Size, runs: number) {
  const frame = testPattern(size);
  await stylizeFrame(network, frame); // warm-up: first runs allocate and pick kernels
  const totals: number[] = [];
  const networks: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { timings } = await stylizeFrame(network, frame);
    totals.push(timings.totalMs);
    networks.push(timings.networkMs);
  }
  return { msPerFrame: median(totals), networkMs: median(networks) };
}

/** A smooth RGBA gradient with detail: content does not change the cost, but keeps the numbers honest. */
function testPattern({ width, height }: Size): Frame {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 4) {
      data[i] = (x * 255) / width;
      data[i + 1] = (y * 255) / height;
      data[i + 2] = ((x ^ y) & 0xff) >> 1;
      data[i + 3] = 255;
    }
  }
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
      ].join(' '),
    );
  }
  for (const s of report.skipped) log(`skipped ${s.backend}: ${s.reason}`);
}
