import type { ControlChannel, ControlRequest, ControlResponse, Result } from '../../../common/contract.js';
import type { MirrorApi } from '../../../common/mirror-api.js';
import type { SettingsPatch } from '../../../common/settings-schema.js';
import type { Frame } from '../../../common/frame.js';
import type { EngineError, StylizeOptions, StylizeResult } from '../../../common/engine-types.js';
import { asByteFrame, plainBytes } from './frame-data.js';
import type { WireConnection } from './wire-connection.js';

/**
 * MirrorApi over browser mode's WebSocket (MessagePack messages, `common/wire.ts`). Every
 * call resolves to a Result: a dropped connection answers `{ ok: false }` rather than rejecting.
 */
export class WebSocketMirrorApi implements MirrorApi {
  readonly transport = 'browser';

  constructor(private readonly connection: WireConnection) {}

  listModels() {
    return this.control('models:list', {});
  }

  selectModel(id: string) {
    return this.control('models:select', { id });
  }

  styleImage(id: string) {
    return this.control('models:style-image', { id });
  }

  async modelThumbnail(id: string, frame: Frame): Promise<Result<Frame>> {
    const bytes = asByteFrame(frame);
    return this.control('models:thumbnail', {
      id,
      frame: { data: plainBytes(bytes.data), width: bytes.width, height: bytes.height, channels: 4 },
    });
  }

  engineStatus() {
    return this.control('engine:status', {});
  }

  getSettings() {
    return this.control('settings:get', {});
  }

  updateSettings(patch: SettingsPatch) {
    return this.control('settings:update', patch);
  }

  saveSnapshot(png: Uint8Array) {
    return this.control('snapshot:save', { png: plainBytes(png) });
  }

  openSnapshotFolder() {
    return this.control('snapshot:open-folder', {});
  }

  async stylize(frame: Frame, options: StylizeOptions): Promise<Result<StylizeResult, EngineError>> {
    const reply = await this.connection.request({ t: 'frame', frame: asByteFrame(frame), options });
    if (reply.ok) return { ok: true, value: reply.value as StylizeResult };
    const { kind, code, message } = reply.error;
    return {
      ok: false,
      error: { kind: kind ?? code ?? 'Error', ...(code === undefined ? {} : { code }), message },
    };
  }

  /** The server validates every request; replies are trusted to match the contract's response type. */
  private async control<C extends ControlChannel>(
    channel: C,
    payload: ControlRequest<C>,
  ): Promise<Result<ControlResponse<C>>> {
    const reply = await this.connection.request({ t: 'control', channel, payload });
    if (reply.ok) return { ok: true, value: reply.value as ControlResponse<C> };
    const { code, kind, message } = reply.error;
    return { ok: false, error: { code: code ?? kind ?? 'error', message } };
  }
}
