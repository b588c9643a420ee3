import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Ml5Model } from '../../model/ml5-model.js';
import { calibrationFrames } from './calibration-frames.js';
import { Calibrator, INT8_LAYERS, psnr, type PlanChoice } from './int8-calibration.js';
import {
  activationOf,
  buildInt8OnnxModel,
  FLOAT_PLAN,
  probeInputName,
  probeOutputName,
  type Int8Plan,
  type ValueRange,
} from './int8-graph.js';
import { ml5Graph, openSession, runSession } from './ort-session.js';

/**
 * Changes whenever what a cached calibration means could change: the int8 graph, the calibration
 * frames or how a plan is made from them. A cache written by another version is measured again.
 */
const CALIBRATION_VERSION = 3;

/**
 * The quality bar: `auto` runs int8 only where the model's int8 network comes at least this close to
 * float32 (PSNR over the calibration frames, in dB). At 30 dB the difference is hard to see.
 */
export const INT8_MIN_PSNR = 30;

/**
 * The plans calibration tries, fastest first; it keeps the first that comes within QUALITY_MARGIN of
 * the bar, else the best. The second layer in int8 saves about 0.8 ms a 256x192 frame here, one piece
 * for the last layer about 0.9 ms (its outliers then cost 5-10 dB on six of the nine ml5 styles).
 */
const PLAN_CHOICES: readonly PlanChoice[] = [
  { floatLayers: [], split: false },
  { floatLayers: [], split: true },
  { floatLayers: [3], split: false },
  { floatLayers: [3], split: true },
];

/**
 * How far above the bar a faster plan must come on the calibration frames: on the shared photos,
 * which calibration never sees, every plan came within 2.7 dB of its calibration-frame PSNR.
 */
const QUALITY_MARGIN = 3;

/** The folder inside the cache folder that holds one calibration per model. */
const CACHE_FOLDER = 'int8-calibration';

/** A model's int8 plan and how close it comes to float32. */
export interface Int8Calibration {
  readonly plan: Int8Plan;
  /** PSNR of the int8 network against float32 over the built-in calibration frames, in dB. */
  readonly psnr: number;
  /** Whether it came from the cache rather than being measured in this load. */
  readonly cached: boolean;
}

/**
 * Opens the int8 network of `model` on onnxruntime's CPU provider. The plan comes from the cache
 * (`<cacheDir>/int8-calibration/<model hash>.json`) or is measured: the float32 network runs the
 * built-in calibration frames with probes, plans are made from what they show, and each plan's int8
 * network runs the same frames to measure its PSNR against float32 (see PLAN_CHOICES). Takes two to
 * four seconds on two cores, once per model per machine.
 */
export async function openInt8Session(
  model: Ml5Model,
  options: { readonly cacheDir: string; readonly threads?: number },
): Promise<{ session: ort.InferenceSession; calibration: Int8Calibration }> {
  const file = path.join(options.cacheDir, CACHE_FOLDER, `${modelHash(model)}.json`);
  const cached = await readCalibration(file);
  if (cached !== undefined) {
    try {
      const session = await openSession(
        ml5Graph(buildInt8OnnxModel(model, cached.plan)),
        'cpu',
        options.threads,
      );
      return { session, calibration: cached };
    } catch {
      // A cached plan that no longer builds a working network: measure again below.
    }
  }
  const { session, calibration } = await calibrate(model, options.threads);
  await writeCalibration(file, model.name, calibration);
  return { session, calibration };
}

async function calibrate(
  model: Ml5Model,
  threads: number | undefined,
): Promise<{ session: ort.InferenceSession; calibration: Int8Calibration }> {
  const frames = calibrationFrames();
  const probes = INT8_LAYERS.flatMap((l) => [probeInputName(l.filter), probeOutputName(l.filter)]);
  const calibrator = new Calibrator();
  const reference: Float32Array[] = [];
  const probed = await openSession(
    ml5Graph(buildInt8OnnxModel(model, FLOAT_PLAN, { probes: true })),
    'cpu',
    threads,
  );
  try {
    for (const frame of frames) {
      const run = await runSession(probed, frame, probes);
      calibrator.add({
        layerInput: (k) => run.probes.get(probeInputName(k))!,
        layerOutput: (k) => run.probes.get(probeOutputName(k))!,
      });
      reference.push(run.output.data);
    }
  } finally {
    await probed.release();
  }

  // Each plan's int8 network on the same frames; the first good enough wins, the rest are released.
  let best: { session: ort.InferenceSession; calibration: Int8Calibration } | undefined;
  const tried = new Set<string>();
  for (const choice of PLAN_CHOICES) {
    const plan = calibrator.plan(choice);
    const key = JSON.stringify(plan);
    if (tried.has(key)) continue; // a split that splits nothing
    tried.add(key);
    const session = await openSession(ml5Graph(buildInt8OnnxModel(model, plan)), 'cpu', threads);
    let quality: number;
    try {
      const outputs: Float32Array[] = [];
      for (const frame of frames) outputs.push((await runSession(session, frame)).output.data);
      quality = psnr(concat(reference), concat(outputs));
    } catch (error) {
      await session.release();
      await best?.session.release();
      throw error;
    }
    if (best === undefined || quality > best.calibration.psnr) {
      await best?.session.release();
      best = { session, calibration: { plan, psnr: quality, cached: false } };
    } else {
      await session.release();
    }
    if (quality >= INT8_MIN_PSNR + QUALITY_MARGIN) break;
  }
  return best!;
}

/** What the cache file holds. */
interface CacheEntry {
  readonly runtime: string;
  /** For people reading the file; the file name is the model's content hash. */
  readonly model: string;
  readonly psnr: number;
  readonly plan: Int8Plan;
  readonly calibratedAt: string;
}

/**
 * The plan depends on the calibration version and the weights (the file name); its PSNR also on the
 * int8 kernels onnxruntime picks for this CPU (VNNI or not), so a cache folder shared by two
 * machines measures again on each.
 */
function runtimeFingerprint(): string {
  return `v${CALIBRATION_VERSION} onnxruntime ${ort.env.versions.common} ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}`;
}

/** SHA-256 of the model's weights, which are all that shape its network. */
export function modelHash(model: Ml5Model): string {
  const hash = createHash('sha256');
  for (const weights of model.weights)
    hash.update(new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength));
  return hash.digest('hex').slice(0, 32);
}

async function readCalibration(file: string): Promise<Int8Calibration | undefined> {
  try {
    const entry = JSON.parse(await readFile(file, 'utf8')) as Partial<CacheEntry>;
    if (entry.runtime !== runtimeFingerprint() || typeof entry.psnr !== 'number' || !isPlan(entry.plan)) {
      return undefined;
    }
    return { plan: entry.plan, psnr: entry.psnr, cached: true };
  } catch {
    // Missing or unreadable: measure again, which rewrites it.
    return undefined;
  }
}

/** Best effort: a read-only cache folder costs a calibration next time, never a failed load. */
async function writeCalibration(file: string, model: string, calibration: Int8Calibration): Promise<void> {
  const entry: CacheEntry = {
    runtime: runtimeFingerprint(),
    model,
    psnr: calibration.psnr,
    plan: calibration.plan,
    calibratedAt: new Date().toISOString(),
  };
  try {
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(entry));
    await rename(temp, file);
  } catch {
    // See above.
  }
}

/**
 * Whether a parsed cache entry's plan is one calibration could have made: every int8 layer no plan
 * choice leaves in float32, each with ranges and gains of the right shape.
 */
function isPlan(plan: unknown): plan is Int8Plan {
  if (typeof plan !== 'object' || plan === null) return false;
  const { layers, activationGains } = plan as Partial<Record<keyof Int8Plan, Record<string, unknown>>>;
  if (typeof layers !== 'object' || layers === null || typeof activationGains !== 'object') return false;
  const optional = new Set(PLAN_CHOICES.flatMap((c) => c.floatLayers));
  return INT8_LAYERS.every((layer) => {
    const entry = layers[layer.filter] as { input?: unknown; pieces?: unknown } | undefined;
    if (entry === undefined) return optional.has(layer.filter);
    const gains = activationGains?.[activationOf(layer.filter)];
    return (
      isRange(entry.input) &&
      Array.isArray(entry.pieces) &&
      (entry.pieces.length === 1 || entry.pieces.length === 2) &&
      entry.pieces.every(
        (p: unknown) => Array.isArray(p) && p.length === layer.outChannels && p.every(isRange),
      ) &&
      Array.isArray(gains) &&
      gains.length === layer.inChannels &&
      gains.every((g: unknown) => typeof g === 'number' && g > 0 && Number.isFinite(g))
    );
  });
}

function isRange(value: unknown): value is ValueRange {
  const range = value as Partial<ValueRange> | null;
  return (
    typeof range?.min === 'number' &&
    typeof range.max === 'number' &&
    Number.isFinite(range.min) &&
    Number.isFinite(range.max) &&
    range.min <= range.max
  );
}

function concat(arrays: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}
