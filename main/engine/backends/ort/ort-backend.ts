import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import {
  checkBackendRuns,
  type BackendInfo,
  type LoadedNetwork,
  type NetworkBackend,
  type NetworkImage,
} from '../backend.js';
import { fromImageTensor, toImageTensor } from '../image-tensor.js';
import { checkNetworkImage } from '../network-image.js';
import type { Precision, PrecisionChoice } from '../../../../common/engine-types.js';
import { ModelError } from '../../model/model-errors.js';
import { FORMAT_NAMES, type OnnxModel, type StyleModel } from '../../model/style-model.js';
import { stylemirrorPaths } from '../../stylemirror-home.js';
import { detectFastInt8, type FastInt8 } from './cpu-features.js';
import { INT8_MIN_PSNR, openInt8Session } from './int8-session.js';
import { buildOnnxModel } from './onnx-graph.js';
import { ml5Graph, openSession, type OrtGraph, type OrtProvider } from './ort-session.js';

export type { OrtProvider } from './ort-session.js';

export interface OrtBackendOptions {
  /** A provider to use, or `auto` to try this platform's GPU providers before the CPU. */
  readonly provider?: OrtProvider | 'auto';
  /** CPU threads for one frame; default: onnxruntime's choice (one per physical core). */
  readonly threads?: number;
  /**
   * `fp32`; `int8` (onnxruntime's CPU provider only, so GPU providers are not tried); or `auto`: int8
   * on the CPU provider where the CPU has fast int8 instructions and the model's int8 network keeps
   * INT8_MIN_PSNR against float32, else float32. Default `fp32`. int8 is built from ml5 weights: an
   * ONNX file runs float32 whatever is asked, and says so (as tfjs does).
   */
  readonly precision?: PrecisionChoice;
  /** Where int8 calibrations are kept; default `stylemirrorPaths().cacheDir`. */
  readonly cacheDir?: string;
}

const DEVICE_NAMES: Record<OrtProvider, string> = {
  cpu: 'CPU',
  cuda: 'GPU (CUDA)',
  dml: 'GPU (DirectML)',
  coreml: 'Apple Neural Engine/GPU (CoreML)',
  webgpu: 'GPU (WebGPU)',
};

/** Providers that failed to load in this process, with the reason: tried once, not on every model switch. */
const unavailableProviders = new Map<OrtProvider, string>();

/** The GPU providers worth trying on a platform, fastest first. The CPU is always the last resort. */
export function gpuProvidersFor(platform: NodeJS.Platform): OrtProvider[] {
  switch (platform) {
    case 'win32':
      return ['dml', 'cuda'];
    case 'darwin':
      return ['coreml'];
    default:
      return ['cuda'];
  }
}

function ortGraph(model: StyleModel): OrtGraph {
  checkBackendRuns('ort', model);
  switch (model.format) {
    case 'ml5':
      return ml5Graph(buildOnnxModel(model));
    case 'onnx':
      return sidecarGraph(model);
    case 'tfjs-graph':
      throw new Error('unreachable: checkBackendRuns refuses tfjs graph models on ort');
  }
}

function sidecarGraph(model: OnnxModel): OrtGraph {
  const { input, output } = model.io;
  return {
    bytes: model.bytes,
    input: input.name,
    output: output.name,
    feed: (image) => {
      const tensor = toImageTensor(image, input);
      return new ort.Tensor('float32', tensor.data, tensor.dims);
    },
    read: (tensor, image) => {
      if (tensor.type !== 'float32') {
        throw new ModelError(
          'network-invalid',
          model.name,
          model.file,
          `returns ${tensor.type} values, not float32.`,
        );
      }
      return fromImageTensor(tensor.data as Float32Array, tensor.dims, output, image, model);
    },
  };
}

/**
 * onnxruntime-node: runs an ONNX network (the ml5 network built as an ONNX graph in memory, or an ONNX
 * file with its sidecar) on the best execution provider that really works here. A provider counts as
 * working only once a session on it has been created *and* has run a frame; otherwise the next one is
 * tried and the reason kept in `BackendInfo.fallbackReason`.
 */
export function createOrtBackend(options: OrtBackendOptions = {}): NetworkBackend {
  const requested = options.provider ?? 'auto';
  const precision = options.precision ?? 'fp32';
  return {
    kind: 'ort',
    async load(model: StyleModel): Promise<LoadedNetwork> {
      const graph = ortGraph(model);
      // The int8 network is built from ml5 weights for the CPU provider's kernels: asked for on an ml5
      // model, it must run (on the CPU provider alone) or the load fails.
      const int8Required = precision === 'int8' && model.format === 'ml5';
      if (int8Required && requested !== 'auto' && requested !== 'cpu') {
        throw new Error(`int8 runs on onnxruntime's CPU provider only, not on ${requested}.`);
      }
      const candidates: OrtProvider[] =
        requested !== 'auto'
          ? [requested]
          : int8Required
            ? ['cpu']
            : [...gpuProvidersFor(process.platform), 'cpu'];
      const failures: string[] = [];
      for (const provider of candidates) {
        const knownFailure = unavailableProviders.get(provider);
        if (knownFailure !== undefined) {
          failures.push(`${provider}: ${knownFailure}`);
          continue;
        }
        try {
          assertProviderInstalled(provider);
          const opened =
            provider === 'cpu'
              ? await openCpuSession(model, graph, precision, options)
              : await openGpuSession(model, graph, provider, precision, options);
          const fallbackReason = failures.length > 0 ? failures.join('; ') : undefined;
          // The int8 graph takes and gives pictures exactly as the float32 ml5 graph does.
          return new OrtNetwork(opened.session, graph, {
            kind: 'ort',
            runtime: provider,
            device: DEVICE_NAMES[provider],
            ...(fallbackReason === undefined ? {} : { fallbackReason }),
            precision: opened.precision,
            precisionReason: opened.precisionReason,
          });
        } catch (error) {
          // The network's own fault is the same on every provider, and no fault of this one.
          if (error instanceof ModelError) throw error;
          const reason = firstLine(error);
          failures.push(`${provider}: ${reason}`);
          // A provider that cannot load (a missing CUDA library, say) will not load for the next model
          // either. Only our own ml5 graph proves that, though: an ONNX file may fail for reasons of its own.
          if (provider !== 'cpu' && model.format === 'ml5') unavailableProviders.set(provider, reason);
        }
      }
      throw new Error(
        `onnxruntime could not run style model "${model.name}" on ${candidates.join(' or ')}: ${failures.join('; ')}`,
      );
    },
  };
}

interface OpenedSession {
  readonly session: ort.InferenceSession;
  readonly precision: Precision;
  readonly precisionReason: string;
}

const FLOAT32_AS_ASKED = 'float32 as asked';

/** Why a model that is not ml5 runs float32 whatever was asked: its network has no int8 build here. */
function notMl5Reason(model: StyleModel, precision: PrecisionChoice): string {
  const asked = precision === 'auto' ? 'auto' : 'int8 asked';
  return `${asked}: int8 is built from ml5 weights, not ${FORMAT_NAMES[model.format]}, so float32`;
}

/** GPU providers run the float32 network: the int8 one is built for onnxruntime's CPU kernels. */
async function openGpuSession(
  model: StyleModel,
  graph: OrtGraph,
  provider: OrtProvider,
  precision: PrecisionChoice,
  options: OrtBackendOptions,
): Promise<OpenedSession> {
  return {
    session: await openSession(graph, provider, options.threads),
    precision: 'fp32',
    precisionReason:
      precision === 'fp32'
        ? FLOAT32_AS_ASKED
        : model.format !== 'ml5'
          ? notMl5Reason(model, precision)
          : `auto: int8 is for the CPU; ${DEVICE_NAMES[provider]} runs float32`,
  };
}

/** The CPU provider runs int8 where it is asked for, or where `auto` finds it fast and good enough. */
async function openCpuSession(
  model: StyleModel,
  graph: OrtGraph,
  precision: PrecisionChoice,
  options: OrtBackendOptions,
): Promise<OpenedSession> {
  const float32 = async (precisionReason: string): Promise<OpenedSession> => ({
    session: await openSession(graph, 'cpu', options.threads),
    precision: 'fp32',
    precisionReason,
  });
  if (precision === 'fp32') return float32(FLOAT32_AS_ASKED);
  if (model.format !== 'ml5') return float32(notMl5Reason(model, precision));
  const cpu = fastInt8();
  if (precision === 'auto' && !cpu.fast) return float32(`auto: ${cpu.reason}, so float32`);

  let opened: Awaited<ReturnType<typeof openInt8Session>>;
  try {
    opened = await openInt8Session(model, {
      cacheDir: options.cacheDir ?? stylemirrorPaths().cacheDir,
      ...(options.threads === undefined ? {} : { threads: options.threads }),
    });
  } catch (error) {
    // Asked for, int8 must work or the load fails; on auto, float32 is the answer.
    if (precision === 'int8') throw error;
    return float32(`auto: int8 failed to load (${firstLine(error)}), so float32`);
  }
  const { session, calibration } = opened;
  const quality = `int8 is ${calibration.psnr.toFixed(1)} dB PSNR against float32 on the calibration frames`;
  if (precision === 'int8')
    return { session, precision: 'int8', precisionReason: `int8 as asked; ${quality}` };
  if (calibration.psnr < INT8_MIN_PSNR) {
    await session.release();
    return float32(`auto: ${quality}, under the ${INT8_MIN_PSNR} dB bar, so float32`);
  }
  return { session, precision: 'int8', precisionReason: `auto: ${cpu.reason}, and ${quality}` };
}

let fastInt8Here: FastInt8 | undefined;

/** Whether this CPU has fast int8, read once per process. */
function fastInt8(): FastInt8 {
  fastInt8Here ??= detectFastInt8();
  return fastInt8Here;
}

class OrtNetwork implements LoadedNetwork {
  private session: ort.InferenceSession | undefined;

  constructor(
    session: ort.InferenceSession,
    private readonly graph: OrtGraph,
    readonly info: BackendInfo,
  ) {
    this.session = session;
  }

  async run(image: NetworkImage): Promise<NetworkImage> {
    checkNetworkImage(image);
    if (this.session === undefined) throw new Error('This style network was disposed; load the model again.');
    const results = await this.session.run({ [this.graph.input]: this.graph.feed(image) });
    return this.graph.read(results[this.graph.output]!, image);
  }

  async dispose(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.release();
  }
}

/**
 * onnxruntime-node downloads its CUDA provider library at install time, only where CUDA is set up.
 * Without it, asking for CUDA makes onnxruntime print a loud error before failing; checking for the
 * file first gives the user one clear reason instead.
 */
function assertProviderInstalled(provider: OrtProvider): void {
  if (provider !== 'cuda') return;
  const bindingDir = path.join(
    path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node')),
    `../bin/napi-v6/${process.platform}/${process.arch}`,
  );
  const library =
    process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  if (!existsSync(path.join(bindingDir, library))) {
    throw new Error(
      `the CUDA provider (${library}) is not installed: this project's .npmrc skips its download (with CUDA 12 present, \`npm rebuild onnxruntime-node --onnxruntime-node-install=cuda12\` fetches it)`,
    );
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
}
