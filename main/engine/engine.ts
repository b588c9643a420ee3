import type { BackendInfo, LoadedNetwork } from './backends/backend.js';
import { openNetwork, type BackendChoice, type OpenNetworkOptions } from './backends/select-backend.js';
import type { Frame } from './frame/frame.js';
import { readMl5Model } from './model/ml5-model-reader.js';
import { stylizeFrame, type StylizeOptions, type StylizeResult } from './stylize.js';

/** What the engine is running: shown in the HUD and printed by the CLI. */
export interface EngineStatus {
  readonly model: string;
  readonly backend: BackendInfo;
}

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

  /** Loads the ml5 model folder `dir` and makes it current. Rejects (keeping the current one) on any error. */
  async loadModel(dir: string, backend: BackendChoice = 'auto', name?: string): Promise<EngineStatus> {
    const model = await readMl5Model(dir, name === undefined ? {} : { name });
    const next = await openNetwork(model, backend, this.options);
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

  async dispose(): Promise<void> {
    const network = this.network;
    this.network = undefined;
    this.modelName = undefined;
    await network?.dispose();
  }
}
