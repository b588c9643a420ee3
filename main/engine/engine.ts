import { FORMAT_BACKENDS, type LoadedNetwork } from './backends/backend.js';
import { openNetwork, type OpenNetworkOptions } from './backends/select-backend.js';
import type { BackendChoice, EngineStatus, PrecisionChoice } from '../../common/engine-types.js';
import { checkFrame, FrameError, type Frame } from '../../common/frame.js';
import { readStyleModel } from './model/read-style-model.js';
import { stylizeFrame, type StylizeOptions, type StylizeResult } from './stylize.js';

/** Largest side of a thumbnail frame: a thumbnail runs between live frames and must stay cheap. */
export const MAX_THUMBNAIL_SIDE = 512;

export type { EngineStatus } from '../../common/engine-types.js';

/**
 * One style model on one backend, swappable. The same class serves the CLI, tests, a Node worker
 * (browser mode) and Electron's utilityProcess: it has no idea which.
 *
 * Switching models is atomic: the new model is fully loaded before the old one is released, so a bad
 * model leaves the running one in place.
 */
export class Engine {
  private network: LoadedNetwork | undefined;
  private modelName: string | undefined;

  constructor(private readonly options: OpenNetworkOptions = {}) {}

  /**
   * Loads the model folder `dir` (any format `readStyleModel` reads) and makes it current. Rejects
   * (keeping the current one) on any error: a `ModelError` for the folder, a `BackendFormatError` when
   * `backend` cannot run the model's format. `precision` is float32 unless asked (int8 and `auto`
   * calibrate an ml5 model's int8 network on its first load, about two seconds; see
   * `OrtBackendOptions.precision`).
   */
  async loadModel(
    dir: string,
    backend: BackendChoice = 'auto',
    name?: string,
    precision: PrecisionChoice = 'fp32',
  ): Promise<EngineStatus> {
    const model = await readStyleModel(dir, name === undefined ? {} : { name });
    const next = await openNetwork(model, backend, { ...this.options, precision });
    const previous = this.network;
    this.network = next;
    this.modelName = model.name;
    await previous?.dispose();
    return { model: model.name, backend: next.info };
  }

  get status(): EngineStatus | undefined {
    return this.network && this.modelName !== undefined
      ? { model: this.modelName, backend: this.network.info }
      : undefined;
  }

  async stylize(frame: Frame, options?: StylizeOptions): Promise<StylizeResult> {
    if (this.network === undefined) throw new Error('No style model is loaded yet; load one first.');
    return stylizeFrame(this.network, frame, options);
  }

  /**
   * Stylizes a small frame with the model in `dir` at full strength, for the picker's thumbnails,
   * without touching the current model: the model is loaded on a temporary network (the current
   * network's backend kind where it runs the model's format, else the first kind that does) and
   * released afterwards, even when stylizing fails.
   *
   * @throws {FrameError} for a malformed frame or one larger than {@link MAX_THUMBNAIL_SIDE}, before any loading.
   * @throws {ModelError} for a model folder that cannot be read.
   */
  async thumbnail(dir: string, frame: Frame, name?: string): Promise<Frame> {
    checkFrame(frame, 'Thumbnail frame');
    if (frame.width > MAX_THUMBNAIL_SIDE || frame.height > MAX_THUMBNAIL_SIDE) {
      throw new FrameError(
        `Thumbnail frame must be at most ${MAX_THUMBNAIL_SIDE} pixels a side, got ${frame.width}x${frame.height}.`,
      );
    }
    const model = await readStyleModel(dir, name === undefined ? {} : { name });
    // A kind, not 'auto': auto would measure both backends on a first run, far too slow for a thumbnail.
    // Float32 for the same reason: int8 calibrates each model on its first load.
    const kinds = FORMAT_BACKENDS[model.format];
    const current = this.network?.info.kind;
    const kind = current !== undefined && kinds.includes(current) ? current : kinds[0]!;
    const network = await openNetwork(model, kind, { ...this.options, precision: 'fp32' });
    try {
      return (await stylizeFrame(network, frame, { strength: 1 })).frame;
    } finally {
      await network.dispose();
    }
  }

  async dispose(): Promise<void> {
    const network = this.network;
    this.network = undefined;
    this.modelName = undefined;
    await network?.dispose();
  }
}
