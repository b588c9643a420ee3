import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
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
import { MIN_FRAME_SIDE } from '../../../../common/frame.js';
import { ModelError } from '../../model/model-errors.js';
import type { OnnxModel, StyleModel } from '../../model/style-model.js';
import { buildOnnxModel, ONNX_INPUT, ONNX_OUTPUT } from './onnx-graph.js';

/** onnxruntime execution providers Style Mirror knows how to ask for. */
export type OrtProvider = 'cpu' | 'cuda' | 'dml' | 'coreml' | 'webgpu';

export interface OrtBackendOptions {
  /** A provider to use, or `auto` to try this platform's GPU providers before the CPU. */
  readonly provider?: OrtProvider | 'auto';
  /** CPU threads for one frame; default: onnxruntime's choice (one per physical core). */
  readonly threads?: number;
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

/**
 * How a session's graph takes and gives pictures. The ml5 graph is built here to take and give the
 * engine's HWC pictures as they are; an ONNX file's graph takes and gives what its sidecar says.
 */
interface OrtGraph {
  readonly bytes: Uint8Array;
  readonly input: string;
  readonly output: string;
  feed(image: NetworkImage): ort.Tensor;
  /** @throws {ModelError} for an output that is not the picture the graph promised. */
  read(output: ort.Tensor, image: NetworkImage): NetworkImage;
}

function ortGraph(model: StyleModel): OrtGraph {
  checkBackendRuns('ort', model);
  switch (model.format) {
    case 'ml5':
      return {
        bytes: buildOnnxModel(model),
        input: ONNX_INPUT,
        output: ONNX_OUTPUT,
        feed: (image) => new ort.Tensor('float32', image.data, [image.height, image.width, 3]),
        read: (output) => {
          const [height, width] = output.dims as [number, number, number];
          return { data: output.data as Float32Array, height, width };
        },
      };
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
  const candidates: OrtProvider[] =
    requested === 'auto' ? [...gpuProvidersFor(process.platform), 'cpu'] : [requested];
  return {
    kind: 'ort',
    async load(model: StyleModel): Promise<LoadedNetwork> {
      const graph = ortGraph(model);
      const failures: string[] = [];
      for (const provider of candidates) {
        const knownFailure = unavailableProviders.get(provider);
        if (knownFailure !== undefined) {
          failures.push(`${provider}: ${knownFailure}`);
          continue;
        }
        try {
          assertProviderInstalled(provider);
          const session = await openSession(graph, provider, options.threads);
          const fallbackReason = failures.length > 0 ? failures.join('; ') : undefined;
          return new OrtNetwork(session, graph, {
            kind: 'ort',
            runtime: provider,
            device: DEVICE_NAMES[provider],
            ...(fallbackReason === undefined ? {} : { fallbackReason }),
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

async function openSession(graph: OrtGraph, provider: OrtProvider, threads: number | undefined) {
  const session = await ort.InferenceSession.create(graph.bytes, {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: threads ?? physicalCoreCount(),
    // A provider that fails to load is expected here and reported in BackendInfo; onnxruntime's own
    // red error log would only alarm a user whose CPU path works fine.
    logSeverityLevel: provider === 'cpu' ? 2 : 4,
    // onnxruntime's pool threads spin between parallel sections by default. In the mirror the engine
    // shares the CPU with the camera, the browser and the display: spinning steals their time, and a
    // descheduled spinner stalls the next section. Off, the pipeline shows 10.3 fps instead of 9.2
    // with the engine alone unchanged (79 vs 80 ms at 256x192; `stylemirror bench --pipeline`).
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  try {
    // A provider can load and still fail on the first run (missing kernels, driver errors), and a
    // network may not take the smallest frame or return a picture: find out now.
    const image = {
      data: new Float32Array(MIN_FRAME_SIDE * MIN_FRAME_SIDE * 3),
      height: MIN_FRAME_SIDE,
      width: MIN_FRAME_SIDE,
    };
    const probe = (await session.run({ [graph.input]: graph.feed(image) }))[graph.output];
    if (probe === undefined) throw new Error(`the graph returned no output ${JSON.stringify(graph.output)}`);
    try {
      graph.read(probe, image);
    } finally {
      probe.dispose();
    }
  } catch (error) {
    await session.release();
    throw error;
  }
  return session;
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
 * onnxruntime's default is one thread per logical core. On SMT machines the sibling threads share one
 * core's FMA units, so past the physical count extra threads only contend; Node does not expose the
 * physical count, so halve the logical one where it is even and above 2 (a guess that is right on
 * nearly all x86 desktops).
 */
function physicalCoreCount(): number {
  const logical = os.availableParallelism();
  return logical > 2 && logical % 2 === 0 ? logical / 2 : logical;
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
      `the CUDA provider (${library}) is not installed; onnxruntime-node installs it when CUDA 12 is present and ONNXRUNTIME_NODE_INSTALL_CUDA is not "skip"`,
    );
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
}
