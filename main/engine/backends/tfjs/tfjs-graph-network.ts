import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { MIN_FRAME_SIDE } from '../../../../common/frame.js';
import type { BackendInfo, LoadedNetwork, NetworkImage } from '../backend.js';
import { fromImageTensor, toImageTensor } from '../image-tensor.js';
import { checkNetworkImage } from '../network-image.js';
import { ModelError } from '../../model/model-errors.js';
import type { TfjsGraphModel } from '../../model/style-model.js';
import { TFJS_MODEL_JSON } from '../../model/tfjs-graph-model-reader.js';

/** The package that executes tfjs graph models; an optional extra, loaded only for such a model. */
const CONVERTER = '@tensorflow/tfjs-converter';

/** The part of tfjs-converter used here. */
interface GraphModel {
  execute(inputs: tf.NamedTensorMap, outputs: string): tf.Tensor | tf.Tensor[];
  dispose(): void;
}
interface Converter {
  loadGraphModel(handler: tf.io.IOHandler): Promise<GraphModel>;
}

/** Runs `task` with the network's tfjs runtime active, one at a time with all other tfjs work. */
export type OnRuntime = <T>(task: () => T | Promise<T>) => Promise<T>;

/**
 * Loads a tfjs graph model on tfjs-converter's executor and runs it once on the smallest frame, so a
 * network that cannot take it, or does not return a picture, is refused now.
 *
 * @throws {Error} when tfjs-converter is not installed; {ModelError} for the network's own faults.
 */
export async function loadGraphNetwork(
  model: TfjsGraphModel,
  info: BackendInfo,
  onRuntime: OnRuntime,
): Promise<LoadedNetwork> {
  const converter = await importConverter(model.name);
  const artifacts: tf.io.ModelArtifacts = {
    format: 'graph-model',
    modelTopology: model.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs: model.weightSpecs as tf.io.WeightsManifestEntry[],
    weightData: model.weightData,
  };
  let graph: GraphModel;
  try {
    graph = await onRuntime(() => converter.loadGraphModel(tf.io.fromMemory(artifacts)));
  } catch (error) {
    throw new ModelError(
      'network-invalid',
      model.name,
      TFJS_MODEL_JSON,
      `cannot be loaded by tfjs-converter (${firstLine(error)}).`,
    );
  }
  const network = new TfjsGraphNetwork(graph, model, info, onRuntime);
  try {
    const side = MIN_FRAME_SIDE;
    await network.run({ data: new Float32Array(side * side * 3), height: side, width: side });
  } catch (error) {
    await network.dispose();
    if (error instanceof ModelError) throw error;
    throw new ModelError(
      'network-invalid',
      model.name,
      TFJS_MODEL_JSON,
      `fails on a ${MIN_FRAME_SIDE}x${MIN_FRAME_SIDE} picture (${firstLine(error)}).`,
    );
  }
  return network;
}

class TfjsGraphNetwork implements LoadedNetwork {
  private graph: GraphModel | undefined;

  constructor(
    graph: GraphModel,
    private readonly model: TfjsGraphModel,
    readonly info: BackendInfo,
    private readonly onRuntime: OnRuntime,
  ) {
    this.graph = graph;
  }

  async run(image: NetworkImage): Promise<NetworkImage> {
    checkNetworkImage(image);
    const { input, output } = this.model.io;
    return this.onRuntime(async () => {
      const graph = this.graph;
      if (graph === undefined) throw new Error('This style network was disposed; load the model again.');
      const tensor = toImageTensor(image, input);
      const result = tf.tidy(() => {
        const outputs = graph.execute(
          { [input.name]: tf.tensor(tensor.data, [...tensor.dims], 'float32') },
          output.name,
        );
        return Array.isArray(outputs) ? outputs[0]! : outputs;
      });
      try {
        if (result.dtype !== 'float32') {
          throw new ModelError(
            'network-invalid',
            this.model.name,
            TFJS_MODEL_JSON,
            `returns ${result.dtype} values, not float32.`,
          );
        }
        const values = (await result.data()) as Float32Array;
        return fromImageTensor(values, result.shape, output, image, {
          name: this.model.name,
          file: TFJS_MODEL_JSON,
        });
      } finally {
        result.dispose();
      }
    });
  }

  dispose(): Promise<void> {
    return this.onRuntime(() => {
      this.graph?.dispose();
      this.graph = undefined;
    });
  }
}

/**
 * tfjs-converter, if installed, and only with the same tfjs-core as ours: a copy of its own would
 * hold the weights on another engine, where our runtimes never compute.
 */
async function importConverter(model: string): Promise<Converter> {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve(CONVERTER);
  } catch {
    throw new Error(
      `Style model ${JSON.stringify(model)} is a TensorFlow.js graph model, which needs ${CONVERTER}; it is not installed (npm install ${CONVERTER}@${tf.version_core}). Its ONNX export runs on the ort backend without it.`,
    );
  }
  if (createRequire(entry).resolve('@tensorflow/tfjs-core') !== require.resolve('@tensorflow/tfjs-core')) {
    throw new Error(
      `${CONVERTER} is installed with a @tensorflow/tfjs-core of its own; install ${CONVERTER}@${tf.version_core} beside this app's so both use one.`,
    );
  }
  return (await import(/* @vite-ignore */ CONVERTER)) as Converter;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n', 1)[0]!;
}
