import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
// Importing a backend package registers it with tfjs-core; nothing else is needed from tfjs-backend-cpu.
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import {
  checkBackendRuns,
  type BackendInfo,
  type LoadedNetwork,
  type NetworkBackend,
  type NetworkImage,
} from '../backend.js';
import { checkNetworkImage } from '../network-image.js';
import type { StyleModel } from '../../model/style-model.js';
import { loadGraphNetwork } from './tfjs-graph-network.js';
import { TfjsStyleNetwork } from './tfjs-network.js';

/** The tfjs backends Style Mirror can run on: native TensorFlow (tfjs-node), WebAssembly, plain JS. */
export type TfjsRuntime = 'tensorflow' | 'wasm' | 'cpu';

/** Fastest first: the order an unforced `createTfjsBackend` tries them in. */
const RUNTIME_PREFERENCE: readonly TfjsRuntime[] = ['tensorflow', 'wasm', 'cpu'];

/** Native packages for the `tensorflow` runtime, in the order they are tried. */
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

export interface TfjsBackendOptions {
  /** A runtime to use, or none to take the fastest that loads here. */
  readonly runtime?: TfjsRuntime;
}

/** Whether a tfjs runtime works in this process, as `listTfjsRuntimes` found it. */
export type TfjsRuntimeStatus =
  | { readonly runtime: TfjsRuntime; readonly available: true; readonly info: BackendInfo }
  | { readonly runtime: TfjsRuntime; readonly available: false; readonly reason: string };

type Probe = { ok: true; info: BackendInfo } | { ok: false; reason: string };

const require = createRequire(import.meta.url);

/**
 * Which runtimes were tried and how that went. Each is tried once per process: a native binding that
 * failed to load, or a wasm binary that is missing, will not appear later.
 */
const probes = new Map<TfjsRuntime, Promise<Probe>>();

/**
 * tfjs keeps one active backend for the whole process, and a tensor used while another backend is
 * active gets silently copied over to it. Every switch-then-compute sequence therefore runs here, one
 * at a time, so a network always computes on the backend that holds its weights.
 */
let queue: Promise<unknown> = Promise.resolve();
function exclusive<T>(task: () => T | Promise<T>): Promise<T> {
  const result = queue.then(task);
  queue = result.catch(() => undefined);
  return result;
}

async function activate(runtime: TfjsRuntime): Promise<void> {
  if (tf.getBackend() === runtime) return;
  if (!(await tf.setBackend(runtime))) {
    throw new Error(`tfjs could not switch to its "${runtime}" backend (tfjs logged why above).`);
  }
}

/** Every tfjs runtime computes in float32; the int8 network is built for onnxruntime's CPU kernels. */
const FLOAT32_ONLY = {
  precision: 'fp32',
  precisionReason: 'tfjs runs float32 only; int8 is onnxruntime on the CPU',
} as const;

/**
 * A tfjs network backend on `options.runtime`, or on the fastest runtime that works here:
 * tfjs-node-gpu, tfjs-node, WebAssembly, then plain JavaScript. The runtimes skipped on the way, and
 * why, are in every loaded network's `info.fallbackReason`.
 *
 * @throws {Error} if a forced runtime cannot load, naming it and the reason.
 */
export async function createTfjsBackend(options: TfjsBackendOptions = {}): Promise<NetworkBackend> {
  const candidates = options.runtime === undefined ? RUNTIME_PREFERENCE : [options.runtime];
  const failures: string[] = [];
  for (const runtime of candidates) {
    const probe = await probeRuntime(runtime);
    if (probe.ok) {
      const reasons = [
        ...failures,
        ...(probe.info.fallbackReason === undefined ? [] : [probe.info.fallbackReason]),
      ];
      const info: BackendInfo = {
        ...probe.info,
        ...(reasons.length > 0 ? { fallbackReason: reasons.join('; ') } : {}),
      };
      return { kind: 'tfjs', load: (model) => loadNetwork(model, runtime, info) };
    }
    if (options.runtime !== undefined) {
      throw new Error(`The tfjs runtime "${runtime}" is not available: ${probe.reason}.`);
    }
    failures.push(`${runtime}: ${probe.reason}`);
  }
  throw new Error(`No tfjs runtime works here: ${failures.join('; ')}.`);
}

/**
 * Every tfjs runtime and whether it works in this process. This initialises each runtime that can
 * load (and leaves the last one tried active), which is what makes the answer trustworthy.
 */
export async function listTfjsRuntimes(): Promise<TfjsRuntimeStatus[]> {
  const statuses: TfjsRuntimeStatus[] = [];
  for (const runtime of RUNTIME_PREFERENCE) {
    const probe = await probeRuntime(runtime);
    statuses.push(
      probe.ok
        ? { runtime, available: true, info: probe.info }
        : { runtime, available: false, reason: probe.reason },
    );
  }
  return statuses;
}

function probeRuntime(runtime: TfjsRuntime): Promise<Probe> {
  let probe = probes.get(runtime);
  if (probe === undefined) {
    probe = exclusive(async (): Promise<Probe> => {
      try {
        switch (runtime) {
          case 'tensorflow':
            return await probeTensorflow();
          case 'wasm':
            return { ok: true, info: await probeWasm() };
          case 'cpu':
            await activate('cpu');
            return { ok: true, info: { kind: 'tfjs', runtime: 'cpu', device: 'CPU', ...FLOAT32_ONLY } };
        }
      } catch (error) {
        return { ok: false, reason: firstLine(error) };
      }
    });
    probes.set(runtime, probe);
  }
  return probe;
}

/** Loads tfjs-node-gpu or else tfjs-node: both register the `tensorflow` backend, on libtensorflow. */
async function probeTensorflow(): Promise<Probe> {
  const failures: string[] = [];
  for (const pkg of NATIVE_PACKAGES) {
    if (!isInstalled(pkg)) {
      failures.push(`${pkg} is not installed`);
      continue;
    }
    try {
      await import(/* @vite-ignore */ pkg);
      // A package that resolved its own copy of tfjs-core registered its backend there, not with ours.
      if (!tf.engine().backendNames().includes('tensorflow')) {
        throw new Error('it registered no "tensorflow" backend with this copy of @tensorflow/tfjs-core');
      }
      await activate('tensorflow');
    } catch (error) {
      failures.push(`${pkg} failed to load: ${firstLine(error)}`);
      continue;
    }
    const native = tf.backend() as { isGPUPackage?: boolean; isUsingGpuDevice?: boolean };
    const gpu = native.isGPUPackage === true && native.isUsingGpuDevice === true;
    if (!gpu && pkg === '@tensorflow/tfjs-node-gpu') failures.push(`${pkg} found no CUDA GPU`);
    return {
      ok: true,
      info: {
        kind: 'tfjs',
        runtime: 'tensorflow',
        device: gpu ? 'GPU (CUDA)' : 'CPU',
        ...FLOAT32_ONLY,
        ...(failures.length > 0 ? { fallbackReason: failures.join('; ') } : {}),
      },
    };
  }
  return { ok: false, reason: failures.join('; ') };
}

/**
 * The wasm backend reads its binary from disk in Node. Its own default is the folder of the script
 * that loaded it, which is wrong once the app is bundled; the path is resolved from the installed
 * package instead, and checked first, because tfjs reports a missing binary only as a console warning.
 */
async function probeWasm(): Promise<BackendInfo> {
  // tfjs picks its binary from these two flags. It turns threads off in Node (its threaded build starts
  // workers from Blob URLs), so there the answer is SIMD or nothing.
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const threads = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true;
  const folder = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  const binary = path.join(
    folder,
    simd && threads
      ? 'tfjs-backend-wasm-threaded-simd.wasm'
      : simd
        ? 'tfjs-backend-wasm-simd.wasm'
        : 'tfjs-backend-wasm.wasm',
  );
  try {
    await access(binary);
  } catch {
    throw new Error(`its binary ${binary} is missing`);
  }
  setWasmPaths(folder + path.sep);
  await activate('wasm');
  const features = [simd ? 'simd' : '', threads ? 'threads' : ''].filter((f) => f !== '');
  return {
    kind: 'tfjs',
    runtime: features.length > 0 ? `wasm (${features.join(', ')})` : 'wasm',
    device: 'CPU',
    ...FLOAT32_ONLY,
  };
}

async function loadNetwork(
  model: StyleModel,
  runtime: TfjsRuntime,
  info: BackendInfo,
): Promise<LoadedNetwork> {
  checkBackendRuns('tfjs', model);
  const onRuntime = <T>(task: () => T | Promise<T>): Promise<T> =>
    exclusive(async () => {
      await activate(runtime);
      return task();
    });
  // Its errors keep their shape: a ModelError for the network's own faults, words for a missing converter.
  if (model.format === 'tfjs-graph') return loadGraphNetwork(model, info, onRuntime);
  if (model.format !== 'ml5')
    throw new Error(`unreachable: checkBackendRuns refuses ${model.format} on tfjs`);
  try {
    return await onRuntime(() => new TfjsNetwork(new TfjsStyleNetwork(model.weights), runtime, info));
  } catch (error) {
    throw new Error(
      `tfjs on ${info.runtime} could not load style model "${model.name}": ${firstLine(error)}`,
    );
  }
}

class TfjsNetwork implements LoadedNetwork {
  constructor(
    private readonly network: TfjsStyleNetwork,
    private readonly runtime: TfjsRuntime,
    readonly info: BackendInfo,
  ) {}

  async run(image: NetworkImage): Promise<NetworkImage> {
    checkNetworkImage(image);
    return exclusive(async () => {
      if (this.network.disposed) throw new Error('This style network was disposed; load the model again.');
      await activate(this.runtime);
      const output = tf.tidy(() =>
        this.network.predict(tf.tensor3d(image.data, [image.height, image.width, 3], 'float32')),
      );
      try {
        const [height, width] = output.shape;
        return { data: (await output.data()) as Float32Array, height, width };
      } finally {
        output.dispose();
      }
    });
  }

  dispose(): Promise<void> {
    return exclusive(() => this.network.dispose());
  }
}

function isInstalled(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0]!;
}
