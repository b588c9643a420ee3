import { CONTROL_METHODS } from '../../../common/control-channels.js';
import { buildControlApi } from '../../../common/control-api.js';
import type { ControlResponse, Result } from '../../../common/contract.js';
import type { MirrorApi } from '../../../common/mirror-api.js';
import { parseMirrorEvent } from '../../../common/mirror-events.js';
import type { PreloadApi } from '../../../common/preload-api.js';
import { asContractError } from './api-errors.js';
import type { FramePortClient } from './frame-port-client.js';

/**
 * MirrorApi in Electron: control calls through the preload's named functions (`window.styleMirror`),
 * frames over the engine's MessagePort. The preload's calls already return Results; one that rejects
 * anyway (an IPC failure) is turned into `{ ok: false }` here, so nothing above has to catch.
 */
export function electronMirrorApi(preload: PreloadApi, frames: FramePortClient): MirrorApi {
  const control = buildControlApi(async (channel, request) => {
    const call = preload[CONTROL_METHODS[channel]] as (
      request: unknown,
    ) => Promise<Result<ControlResponse<typeof channel>>>;
    try {
      return await call(request);
    } catch (error) {
      return { ok: false, error: asContractError(error, `The app's ${channel} call`) };
    }
  });
  return {
    ...control,
    transport: 'electron',
    stylize: (frame, options) => frames.stylize(frame, options),
    onEvent: (listener) =>
      preload.onEvent((raw) => {
        const event = parseMirrorEvent(raw);
        if (event !== undefined) listener(event);
      }),
  };
}
