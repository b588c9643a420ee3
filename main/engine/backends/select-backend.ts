import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { stylemirrorPaths } from '../stylemirror-home.js';
import type { StyleModel } from '../model/style-model.js';
import type { BackendChoice, BackendKind, PrecisionChoice } from '../../../common/engine-types.js';
import { checkBackendRuns, FORMAT_BACKENDS, type LoadedNetwork, type NetworkBackend } from './backend.js';
import { createOrtBackend } from './ort/ort-backend.js';
import { createTfjsBackend } from './tfjs/tfjs-backend.js';

export type { BackendChoice } from '../../../common/engine-types.js';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'ort', 'tfjs'];

/**
 * Creates the backend of a kind with its own best runtime (a GPU where one works, else the CPU). The
 * precision matters to onnxruntime only (tfjs runs float32, and says so).
 */
export async function createBackend(
  kind: BackendKind,
  options: OpenNetworkOptions = {},
): Promise<NetworkBackend> {
  if (kind === 'tfjs') return await createTfjsBackend();
  return createOrtBackend({
    ...(options.precision === undefined ? {} : { precision: options.precision }),
    ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
  });
}

/** The measured choice `auto` made on a machine, as cached on disk. */
export interface AutoChoice {
  readonly fingerprint: string;
  readonly kind: BackendKind;
  /** Milliseconds per 256x256 frame for each backend measured, e.g. `{ ort: 110, tfjs: 1500 }`. */
  readonly msPerFrame: Partial<Record<BackendKind, number>>;
  readonly measuredAt: string;
}

export interface OpenNetworkOptions {
  /** Where `auto` keeps its measurement and int8 its calibrations; default: the user's cache folder. */
  readonly cacheDir?: string;
  /**
   * Whether `auto` times tfjs against onnxruntime; default: only where a native tfjs runtime
   * (tfjs-node or tfjs-node-gpu) is installed. tfjs on WebAssembly or plain JavaScript is about ten
   * times slower than onnxruntime's CPU path, and timing it keeps some 350 MiB of WebAssembly memory
   * for the rest of the process's life: a mirror on a wall must not pay that to learn the obvious.
   */
  readonly measureTfjs?: boolean;
  /** float32, int8 or auto (see `OrtBackendOptions.precision`); default float32. */
  readonly precision?: PrecisionChoice;
}

/** Side of the square frame `auto` times each backend on. */
const PROBE_SIDE = 256;
const CACHE_FILE = 'backend-choice.json';

/**
 * Loads `model` on the chosen backend, which must run its format (see `FORMAT_BACKENDS`). `auto` takes
 * the one backend that runs the format where there is one; for the ml5 network, which both run, it
 * loads it on each backend kind once per machine, times a few 256x256 frames, keeps the fastest and
 * remembers the choice (keyed by a fingerprint of the hardware and runtime versions, so an upgrade or
 * a new GPU measures again).
 *
 * @throws {BackendFormatError} for a backend chosen that cannot run the model's format, before loading.
 */
export async function openNetwork(
  model: StyleModel,
  choice: BackendChoice,
  options: OpenNetworkOptions = {},
): Promise<LoadedNetwork> {
  if (choice !== 'auto') {
    checkBackendRuns(choice, model);
    return (await createBackend(choice, options)).load(model);
  }
  const kinds = FORMAT_BACKENDS[model.format];
  // Nothing to choose, so nothing to measure; and a measurement of the ml5 network says nothing here.
  if (kinds.length === 1) return (await createBackend(kinds[0]!, options)).load(model);

  const cacheFile = path.join(options.cacheDir ?? stylemirrorPaths().cacheDir, CACHE_FILE);
  const fingerprint = machineFingerprint();
  const cached = await readCachedChoice(cacheFile, fingerprint);
  if (cached !== undefined) {
    try {
      return await (await createBackend(cached.kind, options)).load(model);
    } catch {
      // The cached winner stopped working (a driver went away): measure again below.
    }
  }

  const measureTfjs = options.measureTfjs ?? nativeTfjsInstalled();
  const worthTiming = kinds.filter((kind) => kind !== 'tfjs' || measureTfjs);
  if (worthTiming.length === 1)
    return loadFirstThatWorks(
      model,
      [worthTiming[0]!, ...kinds.filter((k) => k !== worthTiming[0])],
      options,
    );

  const measured: { kind: BackendKind; network: LoadedNetwork; ms: number }[] = [];
  const failures: string[] = [];
  for (const kind of kinds) {
    try {
      const network = await (await createBackend(kind, options)).load(model);
      measured.push({ kind, network, ms: await timeNetwork(network) });
    } catch (error) {
      failures.push(`${kind}: ${(error as Error).message}`);
    }
  }
  if (measured.length === 0) {
    throw new Error(`No backend could run style model "${model.name}": ${failures.join('; ')}`);
  }
  measured.sort((a, b) => a.ms - b.ms);
  const [winner, ...losers] = measured as [(typeof measured)[0], ...typeof measured];
  await Promise.all(losers.map((l) => l.network.dispose()));
  await writeCachedChoice(cacheFile, {
    fingerprint,
    kind: winner.kind,
    msPerFrame: Object.fromEntries(measured.map((m) => [m.kind, Math.round(m.ms * 10) / 10])),
    measuredAt: new Date().toISOString(),
  });
  return winner.network;
}

/** The network on the first of `kinds` that loads it; the last failure when none does. */
async function loadFirstThatWorks(
  model: StyleModel,
  kinds: readonly BackendKind[],
  options: OpenNetworkOptions,
): Promise<LoadedNetwork> {
  const failures: string[] = [];
  for (const kind of kinds) {
    try {
      return await (await createBackend(kind, options)).load(model);
    } catch (error) {
      failures.push(`${kind}: ${(error as Error).message}`);
    }
  }
  throw new Error(`No backend could run style model "${model.name}": ${failures.join('; ')}`);
}

/** Whether tfjs has a native runtime here (libtensorflow, CPU or CUDA), the only tfjs worth timing. */
export function nativeTfjsInstalled(): boolean {
  const require = createRequire(import.meta.url);
  return ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'].some((pkg) => {
    try {
      require.resolve(pkg);
      return true;
    } catch {
      return false;
    }
  });
}

/** Median-free on purpose: one warm-up, then the best of two, which is what a steady stream sees. */
async function timeNetwork(network: LoadedNetwork): Promise<number> {
  const image = {
    data: new Float32Array(PROBE_SIDE * PROBE_SIDE * 3).map((_, i) => (i * 37) % 256),
    width: PROBE_SIDE,
    height: PROBE_SIDE,
  };
  await network.run(image);
  let best = Infinity;
  for (let i = 0; i < 2; i++) {
    const start = performance.now();
    await network.run(image);
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

/** Changes whenever the answer to "which backend is fastest here" could change. */
export function machineFingerprint(): string {
  const require = createRequire(import.meta.url);
  const version = (pkg: string): string => {
    try {
      return (require(`${pkg}/package.json`) as { version: string }).version;
    } catch {
      return 'absent';
    }
  };
  const facts = [
    process.platform,
    process.arch,
    os.cpus()[0]?.model ?? 'unknown cpu',
    os.availableParallelism(),
    process.versions.node,
    ...[
      'onnxruntime-node',
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-node',
      '@tensorflow/tfjs-node-gpu',
    ].map((pkg) => `${pkg}@${version(pkg)}`),
  ];
  return createHash('sha256').update(facts.join('\n')).digest('hex').slice(0, 16);
}

async function readCachedChoice(file: string, fingerprint: string): Promise<AutoChoice | undefined> {
  try {
    const choice = JSON.parse(await readFile(file, 'utf8')) as Partial<AutoChoice>;
    if (choice.fingerprint === fingerprint && (choice.kind === 'ort' || choice.kind === 'tfjs')) {
      return choice as AutoChoice;
    }
  } catch {
    // Missing or unreadable: measure again, which rewrites it.
  }
  return undefined;
}

/** Best effort: a read-only cache folder costs a re-measure next time, never a failed load. */
async function writeCachedChoice(file: string, choice: AutoChoice): Promise<void> {
  try {
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(choice, null, 2));
    await rename(temp, file);
  } catch {
    // See above.
  }
}

/** Reads the cached `auto` measurement, for `bench` and diagnostics. */
export async function readAutoChoice(cacheDir?: string): Promise<AutoChoice | undefined> {
  const dir = cacheDir ?? stylemirrorPaths().cacheDir;
  return readCachedChoice(path.join(dir, CACHE_FILE), machineFingerprint());
}
