import os from 'node:os';
import * as ort from 'onnxruntime-node';
import { MIN_FRAME_SIDE } from '../../../../common/frame.js';
import type { NetworkImage } from '../backend.js';
import { ONNX_INPUT, ONNX_OUTPUT } from './onnx-graph.js';

/** onnxruntime execution providers Style Mirror knows how to ask for. */
export type OrtProvider = 'cpu' | 'cuda' | 'dml' | 'coreml' | 'webgpu';

/**
 * How a session's graph takes and gives pictures. The ml5 graphs (float32 and int8) are built here to
 * take and give the engine's HWC pictures as they are; an ONNX file's graph takes and gives what its
 * sidecar says.
 */
export interface OrtGraph {
  readonly bytes: Uint8Array;
  readonly input: string;
  readonly output: string;
  feed(image: NetworkImage): ort.Tensor;
  /** @throws {ModelError} for an output that is not the picture the graph promised. */
  read(output: ort.Tensor, image: NetworkImage): NetworkImage;
}

/** A graph built from ml5 weights (`buildOnnxModel`, `buildInt8OnnxModel`): HWC in, HWC out. */
export function ml5Graph(bytes: Uint8Array): OrtGraph {
  return {
    bytes,
    input: ONNX_INPUT,
    output: ONNX_OUTPUT,
    feed: (image) => new ort.Tensor('float32', image.data, [image.height, image.width, 3]),
    read: (output) => {
      const [height, width] = output.dims as [number, number, number];
      return { data: output.data as Float32Array, height, width };
    },
  };
}

/**
 * Opens an onnxruntime session on one provider and runs the smallest frame on it: a provider can load
 * and still fail on the first run (missing kernels, driver errors), and a network may not take the
 * smallest frame or return a picture, so a session returned here works.
 */
export async function openSession(
  graph: OrtGraph,
  provider: OrtProvider,
  threads: number | undefined,
): Promise<ort.InferenceSession> {
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

/**
 * Runs one image through a session on an ml5 graph; returns the stylized output and, by name, any
 * probe outputs asked for (int8 calibration reads the activations this way).
 */
export async function runSession(
  session: ort.InferenceSession,
  image: NetworkImage,
  probes: readonly string[] = [],
): Promise<{ output: NetworkImage; probes: Map<string, Float32Array> }> {
  const input = new ort.Tensor('float32', image.data, [image.height, image.width, 3]);
  const results = await session.run({ [ONNX_INPUT]: input }, [ONNX_OUTPUT, ...probes]);
  const output = results[ONNX_OUTPUT]!;
  const [height, width] = output.dims as [number, number, number];
  return {
    output: { data: output.data as Float32Array, height, width },
    probes: new Map(probes.map((name) => [name, results[name]!.data as Float32Array])),
  };
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
