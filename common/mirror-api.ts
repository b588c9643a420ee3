import type { EngineError, StylizeOptions, StylizeResult } from './engine-types.js';
import type { Frame } from './frame.js';
import type { ControlResponse, ModelInfo, MirrorEngineStatus, Result } from './contract.js';
import type { Settings, SettingsPatch } from './settings-schema.js';

/**
 * Everything the renderer can ask of the app. The renderer knows only this interface: in Electron the
 * preload's named API and a frame port stand behind it, in browser mode a WebSocket. Every method
 * resolves to a `Result`; none rejects for an expected failure.
 */
export interface MirrorApi {
  /** `electron` can open folders and go fullscreen natively; `browser` cannot. */
  readonly transport: 'electron' | 'browser';

  listModels(): Promise<Result<ModelInfo[]>>;
  selectModel(id: string): Promise<Result<MirrorEngineStatus>>;
  styleImage(id: string): Promise<Result<ControlResponse<'models:style-image'>>>;
  modelThumbnail(id: string, frame: Frame): Promise<Result<Frame>>;
  engineStatus(): Promise<Result<MirrorEngineStatus | null>>;

  getSettings(): Promise<Result<Settings>>;
  updateSettings(patch: SettingsPatch): Promise<Result<Settings>>;

  saveSnapshot(png: Uint8Array): Promise<Result<{ path: string }>>;
  openSnapshotFolder(): Promise<Result<{ path: string }>>;

  /**
   * The frame path: one frame to the engine, its stylized result back. Frames never queue here: the
   * renderer's scheduler decides what to send (latest frame wins).
   */
  stylize(frame: Frame, options: StylizeOptions): Promise<Result<StylizeResult, EngineError>>;
}
