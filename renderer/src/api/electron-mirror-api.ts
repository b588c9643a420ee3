import type { Result } from '../../../common/contract.js';
import type { MirrorApi } from '../../../common/mirror-api.js';
import type { PreloadApi } from '../../../common/preload-api.js';
import type { SettingsPatch } from '../../../common/settings-schema.js';
import type { Frame } from '../../../common/frame.js';
import type { StylizeOptions } from '../../../common/engine-types.js';
import { asContractError } from './api-errors.js';
import { asByteFrame } from './frame-data.js';
import type { FramePortClient } from './frame-port-client.js';

/**
 * MirrorApi in Electron: control calls through the preload's named functions (`window.styleMirror`),
 * frames over the engine's MessagePort. The preload's calls already return Results; one that rejects
 * anyway (an IPC failure) is turned into `{ ok: false }` here, so nothing above has to catch.
 */
export class ElectronMirrorApi implements MirrorApi {
  readonly transport = 'electron';

  constructor(
    private readonly preload: PreloadApi,
    private readonly frames: FramePortClient,
  ) {}

  listModels() {
    return settle('Listing models', () => this.preload.listModels());
  }

  selectModel(id: string) {
    return settle('Loading the model', () => this.preload.selectModel(id));
  }

  styleImage(id: string) {
    return settle("Reading the model's painting", () => this.preload.styleImage(id));
  }

  modelThumbnail(id: string, frame: Frame) {
    const { data, width, height } = asByteFrame(frame);
    return settle('Making a thumbnail', () =>
      this.preload.modelThumbnail(id, { data, width, height, channels: 4 }),
    );
  }

  engineStatus() {
    return settle('Asking the engine', () => this.preload.engineStatus());
  }

  getSettings() {
    return settle('Reading settings', () => this.preload.getSettings());
  }

  updateSettings(patch: SettingsPatch) {
    return settle('Saving settings', () => this.preload.updateSettings(patch));
  }

  saveSnapshot(png: Uint8Array) {
    return settle('Saving the snapshot', () => this.preload.saveSnapshot(png));
  }

  openSnapshotFolder() {
    return settle('Opening the snapshots folder', () => this.preload.openSnapshotFolder());
  }

  stylize(frame: Frame, options: StylizeOptions) {
    return this.frames.stylize(frame, options);
  }
}

async function settle<T>(what: string, call: () => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await call();
  } catch (error) {
    return { ok: false, error: asContractError(error, what) };
  }
}
